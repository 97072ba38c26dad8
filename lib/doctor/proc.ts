/**
 * Parsers for the /proc, /sys and /etc files doctor reads. Pure functions.
 *
 * Thread: CT. No I/O here: the text comes from a SystemFacts reader.
 *
 * @module
 */

/** A resource limit's soft and hard values; `Infinity` is "unlimited". */
export interface Limit {
  soft: number;
  hard: number;
}

/**
 * Parse /proc/self/limits (the getrlimit values: Deno has no getrlimit).
 *
 * @param text The file's text.
 * @returns Limits by their name in the file, e.g. "Max realtime priority".
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLimits } from "./proc.ts";
 * const l = parseLimits("Max locked memory   65536   unlimited   bytes\n");
 * assert(l.get("Max locked memory")?.soft === 65536);
 * ```
 */
export function parseLimits(text: string): Map<string, Limit> {
  const out = new Map<string, Limit>();
  for (const line of text.split("\n")) {
    const m = line.match(/^(\S.*?)\s{2,}(\S+)\s+(\S+)/);
    if (!m || m[1] === "Limit") continue;
    const value = (s: string) => (s === "unlimited" ? Infinity : Number(s));
    const soft = value(m[2]!), hard = value(m[3]!);
    if (!Number.isNaN(soft) && !Number.isNaN(hard)) out.set(m[1]!, { soft, hard });
  }
  return out;
}

/** Linux capability bit numbers doctor cares about. */
export const CAP = { IPC_LOCK: 14, SYS_NICE: 23 } as const;

/** Identity and capabilities of a process, from /proc/<pid>/status. */
export interface ProcStatus {
  /** Effective user id. */
  uid: number;
  /** Effective group id. */
  gid: number;
  /** Supplementary groups. */
  groups: number[];
  /** Effective capability set. */
  capEff: bigint;
}

/**
 * Parse /proc/self/status.
 *
 * @param text The file's text.
 * @returns The fields, or `undefined` when Uid/Gid are missing.
 */
export function parseStatus(text: string): ProcStatus | undefined {
  const field = (name: string) => text.match(new RegExp(`^${name}:\\s*(.*)$`, "m"))?.[1]?.trim();
  const uid = field("Uid")?.split(/\s+/)[1];
  const gid = field("Gid")?.split(/\s+/)[1];
  if (uid === undefined || gid === undefined) return undefined;
  const groups = (field("Groups") ?? "").split(/\s+/).filter((s) => s !== "").map(Number);
  const cap = field("CapEff");
  return {
    uid: Number(uid),
    gid: Number(gid),
    groups,
    capEff: cap ? BigInt(`0x${cap}`) : 0n,
  };
}

/**
 * Whether a capability bit is in an effective set.
 *
 * @param capEff The set (CapEff of /proc/self/status).
 * @param bit A {@linkcode CAP} bit.
 * @returns True when the capability is in force.
 */
export function hasCap(capEff: bigint, bit: number): boolean {
  return ((capEff >> BigInt(bit)) & 1n) === 1n;
}

/** One line of /etc/group. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/**
 * Parse /etc/group.
 *
 * @param text The file's text.
 * @returns Its entries in order.
 */
export function parseGroups(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split("\n")) {
    const parts = line.split(":");
    if (parts.length < 4 || line.startsWith("#")) continue;
    out.push({
      name: parts[0]!,
      gid: Number(parts[2]),
      members: parts[3]!.split(",").map((s) => s.trim()).filter((s) => s !== ""),
    });
  }
  return out;
}

/**
 * The user name of a uid from /etc/passwd.
 *
 * @param text The file's text.
 * @param uid A user id.
 * @returns The name, or `undefined` when no line has that uid.
 */
export function userName(text: string, uid: number): string | undefined {
  for (const line of text.split("\n")) {
    const parts = line.split(":");
    if (parts.length >= 3 && Number(parts[2]) === uid && parts[2] !== "") return parts[0];
  }
  return undefined;
}

/**
 * Parse the kernel command line (/proc/cmdline): `key=value` and bare `key`
 * parameters, up to the `--` that starts init's arguments.
 *
 * @param text The file's text.
 * @returns Values by key (`""` for a bare key).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCmdline } from "./proc.ts";
 * const p = parseCmdline("quiet threadirqs isolcpus=3 -- --init-arg");
 * assert(p.get("isolcpus") === "3" && p.get("threadirqs") === "" && !p.has("--init-arg"));
 * ```
 */
export function parseCmdline(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const token of text.trim().split(/\s+/)) {
    if (token === "--") break;
    if (token === "") continue;
    const eq = token.indexOf("=");
    if (eq < 0) out.set(token, "");
    else out.set(token.slice(0, eq), token.slice(eq + 1));
  }
  return out;
}

/**
 * The value of `GRUB_CMDLINE_LINUX_DEFAULT` in /etc/default/grub.
 *
 * @param text The file's text.
 * @returns The quoted value without quotes, or `undefined` when the line is absent.
 */
export function grubDefaultCmdline(text: string): string | undefined {
  const m = text.match(/^\s*GRUB_CMDLINE_LINUX_DEFAULT=(["']?)(.*?)\1\s*$/m);
  return m ? m[2] : undefined;
}

/**
 * Parse a CPU list such as "0-3,8" (the format of /sys/devices/system/cpu/online).
 *
 * @param text The list.
 * @returns CPU numbers in ascending order.
 */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    const end = b === undefined || Number.isNaN(b) ? a : b;
    for (let c = a; c <= end; c++) out.push(c);
  }
  return out;
}
