/**
 * Permission checks: `ulimit -r` (RLIMIT_RTPRIO), `ulimit -l`
 * (RLIMIT_MEMLOCK) and membership of the audio group.
 *
 * Thread: CT. Reads /proc/self/limits (Deno has no getrlimit) and
 * /proc/self/status (effective uid, groups, capabilities) through a
 * SystemFacts. CAP_SYS_NICE and CAP_IPC_LOCK (which root has unless they
 * were dropped) bypass the limits, so the capabilities decide, not the uid.
 *
 * @module
 */
import type { SystemFacts } from "./facts.ts";
import { currentUser, limitsFix, MEMLOCK_LINE, RTPRIO_LINE } from "./fixes.ts";
import { CAP, hasCap, type Limit, parseGroups, parseLimits, parseStatus } from "./proc.ts";
import { type CheckResult, result } from "./result.ts";

/** The render thread's default SCHED_FIFO priority (lib/engine/output.ts). */
export const DEFAULT_RT_PRIORITY = 80;

const MIB = 1024 * 1024;
/** Below this, locked memory FAILs: not even a small sample set fits. */
export const MEMLOCK_FAIL_BYTES = 64 * MIB;
/** At or above this (or unlimited), locked memory PASSes. */
export const MEMLOCK_PASS_BYTES = 1024 * MIB;

function limit(facts: SystemFacts, name: string): Limit | undefined {
  return parseLimits(facts.readText("/proc/self/limits") ?? "").get(name);
}

function show(v: number, unit = ""): string {
  return v === Infinity ? "unlimited" : `${v}${unit}`;
}

function bytes(v: number): string {
  if (v === Infinity) return "unlimited";
  if (v >= MIB) return `${+(v / MIB).toFixed(1)} MiB`;
  return `${+(v / 1024).toFixed(1)} KiB`;
}

function who(uid: number): string {
  return uid === 0 ? "runs as root with" : `has`;
}

/** A resource limit one of the ulimit checks reads. */
interface LimitSpec {
  /** The check's name, also how the finding starts: "ulimit -r". */
  check: string;
  /** Its row in /proc/self/limits. */
  limit: string;
  /** How a value prints. */
  format: (v: number) => string;
  /** Ending of the soft and hard keys in the result's data ("" or "_bytes"). */
  unit: string;
  /** The capability that bypasses it. */
  cap: keyof typeof CAP;
  /** The limits.conf line other users need. */
  line: string;
}

/**
 * The start both ulimit checks share: read the limit and /proc/self/status
 * (WARN when they cannot be read), then PASS when this process holds the
 * capability that bypasses the limit.
 *
 * @returns `done`, the check's result, or the limit, the finding's start and
 *   the data the check goes on with
 */
function readLimit(
  facts: SystemFacts,
  spec: LimitSpec,
): { done: CheckResult } | { l: Limit; now: string; data: Record<string, unknown> } {
  const l = limit(facts, spec.limit);
  const status = parseStatus(facts.readText("/proc/self/status") ?? "");
  if (!l || !status) {
    return {
      done: result(
        spec.check,
        "WARN",
        "cannot read /proc/self/limits or /proc/self/status",
        "run doctor on Linux with /proc mounted",
      ),
    };
  }
  const capped = hasCap(status.capEff, CAP[spec.cap]);
  const data = {
    [`soft${spec.unit}`]: l.soft === Infinity ? "unlimited" : l.soft,
    [`hard${spec.unit}`]: l.hard === Infinity ? "unlimited" : l.hard,
    [`cap_${spec.cap.toLowerCase()}`]: capped,
    uid: status.uid,
  };
  const now = `${spec.check} is ${spec.format(l.soft)} (hard ${spec.format(l.hard)})`;
  if (capped) {
    return {
      done: result(
        spec.check,
        "PASS",
        `${now}, but this process ${who(status.uid)} CAP_${spec.cap}, which bypasses it; ` +
          `other users need "${spec.line}" and the audio group`,
        undefined,
        data,
      ),
    };
  }
  return { l, now, data };
}

/**
 * `ulimit -r`: the highest SCHED_FIFO priority this user may ask for.
 *
 * @param facts Where to read.
 * @param priority The priority the engine will ask for.
 * @returns One result named "ulimit -r".
 */
export function checkRtprio(facts: SystemFacts, priority = DEFAULT_RT_PRIORITY): CheckResult {
  const read = readLimit(facts, {
    check: "ulimit -r",
    limit: "Max realtime priority",
    format: (v) => show(v),
    unit: "",
    cap: "SYS_NICE",
    line: RTPRIO_LINE,
  });
  if ("done" in read) return read.done;
  const { l, now, data } = read;
  if (l.soft >= priority) {
    return result(
      "ulimit -r",
      "PASS",
      `${now}: SCHED_FIFO up to priority ${show(Math.min(l.soft, 99))} is allowed`,
      undefined,
      data,
    );
  }
  if (l.hard >= priority) {
    return result(
      "ulimit -r",
      "WARN",
      `${now}: the soft limit is below the render thread's priority ${priority}`,
      `ulimit -r ${show(Math.min(l.hard, 99))} (in the shell that starts the session)`,
      data,
    );
  }
  if (l.soft > 0) {
    return result(
      "ulimit -r",
      "WARN",
      `${now}: SCHED_FIFO only up to ${l.soft}, below the render thread's ${priority} ` +
        `(use --rt-priority ${l.soft} or raise the limit)`,
      limitsFix(facts, RTPRIO_LINE),
      data,
    );
  }
  return result(
    "ulimit -r",
    "FAIL",
    `${now} and no CAP_SYS_NICE: SCHED_FIFO is denied, the render thread would run at normal priority`,
    limitsFix(facts, RTPRIO_LINE),
    data,
  );
}

/**
 * `ulimit -l`: how much memory the engine may lock (samples, voices, rings).
 *
 * @param facts Where to read.
 * @returns One result named "ulimit -l".
 */
export function checkMemlock(facts: SystemFacts): CheckResult {
  const read = readLimit(facts, {
    check: "ulimit -l",
    limit: "Max locked memory",
    format: bytes,
    unit: "_bytes",
    cap: "IPC_LOCK",
    line: MEMLOCK_LINE,
  });
  if ("done" in read) return read.done;
  const { l, now, data } = read;
  if (l.soft >= MEMLOCK_PASS_BYTES) {
    return result("ulimit -l", "PASS", `${now}: enough to lock the sample data`, undefined, data);
  }
  const fix = l.hard > l.soft
    ? `ulimit -l ${l.hard === Infinity ? "unlimited" : Math.floor(l.hard / 1024)}` +
      ` (in the shell that starts the session); for good: ${limitsFix(facts, MEMLOCK_LINE)}`
    : limitsFix(facts, MEMLOCK_LINE);
  if (l.soft >= MEMLOCK_FAIL_BYTES) {
    return result(
      "ulimit -l",
      "WARN",
      `${now}: sample sets larger than that stay unlocked and can page-fault during playback`,
      fix,
      data,
    );
  }
  return result(
    "ulimit -l",
    "FAIL",
    `${now} and no CAP_IPC_LOCK: the engine cannot lock its samples, so playback can page-fault`,
    fix,
    data,
  );
}

/**
 * Membership of the `audio` group, in this session (/proc/self/status
 * Groups) and in /etc/group (added but not logged in again yet).
 *
 * @param facts Where to read.
 * @returns One result named "audio group".
 */
export function checkAudioGroup(facts: SystemFacts): CheckResult {
  const status = parseStatus(facts.readText("/proc/self/status") ?? "");
  const groupText = facts.readText("/etc/group");
  const user = currentUser(facts);
  if (!status || groupText === undefined) {
    return result(
      "audio group",
      "WARN",
      "cannot read /proc/self/status or /etc/group",
      "run doctor on Linux with /proc mounted",
    );
  }
  const audio = parseGroups(groupText).find((g) => g.name === "audio");
  if (!audio) {
    return result(
      "audio group",
      "WARN",
      "there is no audio group in /etc/group: the usual limits lines (@audio) match nobody",
      `sudo groupadd audio && sudo usermod -aG audio ${user} (then log in again)`,
    );
  }
  const inSession = status.gid === audio.gid || status.groups.includes(audio.gid);
  const listed = audio.members.includes(user);
  const data = { user, uid: status.uid, audio_gid: audio.gid, in_session: inSession, listed };
  if (inSession) {
    return result("audio group", "PASS", `${user} is in the audio group`, undefined, data);
  }
  if (listed) {
    return result(
      "audio group",
      "WARN",
      `${user} was added to the audio group, but this session started before that`,
      "log out and in again (or start a shell with: newgrp audio)",
      data,
    );
  }
  if (status.uid === 0 && hasCap(status.capEff, CAP.SYS_NICE)) {
    return result(
      "audio group",
      "PASS",
      "root is not in the audio group and needs not be: root opens the devices and CAP_SYS_NICE replaces the limits",
      undefined,
      data,
    );
  }
  return result(
    "audio group",
    "WARN",
    `${user} is not in the audio group: "@audio" limits lines do not apply, and sound devices may be closed to it`,
    `sudo usermod -aG audio ${user} (then log in again)`,
    data,
  );
}
