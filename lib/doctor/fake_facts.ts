/**
 * A SystemFacts made of fixed file contents, for tests: no real /proc, no
 * subprocess, no probe. Starts from a plain Debian desktop (uid 1000 "ana"
 * in the audio group, generic PREEMPT_DYNAMIC kernel, no sound card) that
 * each test overrides.
 *
 * Thread: CT. Test support only.
 *
 * @module
 */
import type { CommandResult, ProbeOutcome, SystemFacts } from "./facts.ts";

/** What a fake machine has; `undefined` in `files` removes a base file. */
export interface FakeMachine {
  files?: Record<string, string | undefined>;
  /** Directory listings; by default derived from the paths in `files`. */
  dirs?: Record<string, string[] | undefined>;
  env?: Record<string, string>;
  arch?: string;
  /** Commands by name: a result, or `undefined` for "not installed". */
  commands?: Record<string, (args: string[]) => CommandResult | undefined>;
  probe?: (priority: number, seconds: number) => ProbeOutcome;
}

/** /proc/self/limits as Linux prints it, with the given rtprio and memlock soft/hard values. */
export function limitsText(
  rtprio: [string, string] = ["0", "0"],
  memlock: [string, string] = ["8388608", "8388608"],
): string {
  const row = (name: string, soft: string, hard: string, unit = "") =>
    `${name.padEnd(26)}${soft.padEnd(21)}${hard.padEnd(21)}${unit}`.trimEnd();
  return [
    row("Limit", "Soft Limit", "Hard Limit", "Units"),
    row("Max cpu time", "unlimited", "unlimited", "seconds"),
    row("Max locked memory", memlock[0], memlock[1], "bytes"),
    row("Max nice priority", "0", "0"),
    row("Max realtime priority", rtprio[0], rtprio[1]),
    row("Max realtime timeout", "unlimited", "unlimited", "us"),
  ].join("\n") + "\n";
}

/** /proc/self/status lines doctor reads. */
export function statusText(uid: number, gid: number, groups: number[], capEff: string): string {
  return `Name:\tdeno\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\n` +
    `Groups:\t${groups.join(" ")} \nCapEff:\t${capEff}\n`;
}

/** No capabilities (a normal user). */
export const NO_CAPS = "0000000000000000";
/** Every capability (root). */
export const ALL_CAPS = "000001ffffffffff";
/** Root with CAP_SYS_NICE (23) and CAP_IPC_LOCK (14) dropped, as setpriv does. */
export const ROOT_WITHOUT_RT_CAPS: string = (0x1ffffffffffn & ~(1n << 23n) & ~(1n << 14n))
  .toString(16).padStart(16, "0");

const BASE: Record<string, string> = {
  "/proc/sys/kernel/osrelease": "6.1.0-28-amd64\n",
  "/proc/sys/kernel/version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)\n",
  "/proc/cmdline": "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=UUID=abc ro quiet\n",
  "/proc/self/limits": limitsText(),
  "/proc/self/status": statusText(1000, 1000, [24, 25, 29, 1000], NO_CAPS),
  "/proc/sys/kernel/sched_rt_runtime_us": "950000\n",
  "/proc/sys/kernel/sched_rt_period_us": "1000000\n",
  "/proc/cpuinfo": "processor\t: 0\nflags\t\t: fpu vme sse sse2\n",
  "/sys/devices/system/cpu/online": "0-3\n",
  "/etc/group": "root:x:0:\ncdrom:x:24:ana\nfloppy:x:25:ana\naudio:x:29:ana\nana:x:1000:\n",
  "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000:Ana,,,:/home/ana:/bin/bash\n",
  "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
  "/etc/default/grub":
    'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n',
};

/**
 * Build a fake machine.
 *
 * @param machine Overrides of the base desktop.
 * @returns A SystemFacts reading only from `machine`.
 */
export function fakeFacts(machine: FakeMachine = {}): SystemFacts {
  const files: Record<string, string> = { ...BASE };
  for (const [p, v] of Object.entries(machine.files ?? {})) {
    if (v === undefined) delete files[p];
    else files[p] = v;
  }
  const listDir = (path: string): string[] | undefined => {
    if (machine.dirs && path in machine.dirs) return machine.dirs[path];
    const prefix = path.endsWith("/") ? path : `${path}/`;
    const names = new Set<string>();
    for (const p of Object.keys(files)) {
      if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0]!);
    }
    return names.size ? [...names].sort() : undefined;
  };
  return {
    readText: (path) => files[path],
    listDir,
    env: (name) => machine.env?.[name],
    arch: () => machine.arch ?? "x86_64",
    execPath: () => "/usr/local/bin/deno",
    run: (command, args) => {
      const fn = machine.commands?.[command];
      return Promise.resolve(fn ? fn(args) : undefined);
    },
    probeLatency: (priority, seconds) =>
      machine.probe?.(priority, seconds) ?? { ok: false, error: "no probe in this fake" },
  };
}
