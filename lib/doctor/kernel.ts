/**
 * Kernel checks: preemption model (PREEMPT_RT, preempt=full), BORE,
 * threadirqs, CPU isolation parameters, RT throttling, CPU governor.
 *
 * Thread: CT. Reads through a SystemFacts; returns results, never prints.
 *
 * @module
 */
import type { SystemFacts } from "./facts.ts";
import { grubFix, isDebianLike, isVirtualMachine } from "./fixes.ts";
import { parseCmdline, parseCpuList } from "./proc.ts";
import { type CheckResult, result } from "./result.ts";

/** `uname -r` and `uname -v`, read from /proc/sys/kernel (no subprocess). */
export function uname(facts: SystemFacts): { release: string; version: string } {
  return {
    release: (facts.readText("/proc/sys/kernel/osrelease") ?? "").trim() || "unknown",
    version: (facts.readText("/proc/sys/kernel/version") ?? "").trim(),
  };
}

/**
 * Whether the running kernel is PREEMPT_RT: `uname -v` says so or
 * /sys/kernel/realtime is 1.
 *
 * @param facts Where to read.
 * @returns True for a real-time kernel.
 */
export function isRealtimeKernel(facts: SystemFacts): boolean {
  if ((facts.readText("/sys/kernel/realtime") ?? "").trim() === "1") return true;
  return /\bPREEMPT_RT\b/.test(uname(facts).version);
}

function cmdline(facts: SystemFacts): Map<string, string> {
  return parseCmdline(facts.readText("/proc/cmdline") ?? "");
}

/**
 * The preemption model in force and where that came from: the debugfs file
 * (`none voluntary (full) lazy`), `preempt=` on the command line of a
 * PREEMPT_DYNAMIC kernel, `uname -v`, or the kernel's config in /boot.
 */
function preemptModel(
  facts: SystemFacts,
  release: string,
  version: string,
  dynamic: boolean,
): { model?: string; source: string } {
  const debug = facts.readText("/sys/kernel/debug/sched/preempt");
  const active = debug?.match(/\((\w+)\)/)?.[1];
  if (active) return { model: active, source: "/sys/kernel/debug/sched/preempt" };
  const arg = cmdline(facts).get("preempt");
  if (dynamic && arg) return { model: arg, source: "preempt= on the kernel command line" };
  if (!dynamic && /\bPREEMPT\b/.test(version)) return { model: "full", source: "uname -v" };
  const config = facts.readText(`/boot/config-${release}`);
  if (config) {
    for (
      const [sym, model] of [["PREEMPT", "full"], ["PREEMPT_LAZY", "lazy"], [
        "PREEMPT_VOLUNTARY",
        "voluntary",
      ], ["PREEMPT_NONE", "none"]] as const
    ) {
      // on a dynamic kernel the chosen CONFIG_PREEMPT_* is the boot default
      if (new RegExp(`^CONFIG_${sym}=y$`, "m").test(config)) {
        return { model, source: `/boot/config-${release}` };
      }
    }
  }
  if (!dynamic && version) return { model: "none or voluntary", source: "uname -v: no PREEMPT" };
  return { source: "unknown" };
}

/**
 * The kernel's preemption: PREEMPT_RT passes, full (or lazy) preemption
 * passes, voluntary/none or unknown warns with the command-line or package fix.
 *
 * @param facts Where to read.
 * @returns One result named "kernel".
 */
export function checkKernel(facts: SystemFacts): CheckResult {
  const { release, version } = uname(facts);
  const dynamic = /\bPREEMPT_DYNAMIC\b/.test(version);
  const data: Record<string, unknown> = { release, version, preempt_dynamic: dynamic };
  if (isRealtimeKernel(facts)) {
    return result("kernel", "PASS", `PREEMPT_RT kernel ${release}`, undefined, {
      ...data,
      realtime: true,
      model: "rt",
    });
  }
  const { model, source } = preemptModel(facts, release, version, dynamic);
  data.realtime = false;
  data.model = model ?? null;
  const rtPackage = isDebianLike(facts)
    ? `sudo apt install linux-image-rt-${facts.arch() === "aarch64" ? "arm64" : "amd64"}`
    : "install your distribution's PREEMPT_RT kernel";
  if (model === "full" || model === "lazy") {
    return result(
      "kernel",
      "PASS",
      `${release}: ${model} preemption (from ${source}), not PREEMPT_RT: fine for periods of a few ms; PREEMPT_RT keeps worst cases lower`,
      undefined,
      data,
    );
  }
  const fix = dynamic
    ? `${grubFix(facts, ["preempt=full"])}; or for the lowest latency: ${rtPackage}`
    : rtPackage;
  const what = model
    ? `${model} preemption (from ${source})`
    : "PREEMPT_DYNAMIC, but the model in force is unknown (/sys/kernel/debug/sched/preempt " +
      `is not readable, no preempt= on the command line, no /boot/config-${release})`;
  return result(
    "kernel",
    "WARN",
    `${release}: ${what}: a long kernel section can delay the render thread`,
    fix,
    data,
  );
}

/**
 * The BORE scheduler (/proc/sys/kernel/sched_bore, or "bore" in uname).
 * Its absence passes: SCHED_FIFO threads do not go through it.
 *
 * @param facts Where to read.
 * @returns One result named "scheduler".
 */
export function checkScheduler(facts: SystemFacts): CheckResult {
  const knob = facts.readText("/proc/sys/kernel/sched_bore")?.trim();
  const { release, version } = uname(facts);
  if (knob === "0") {
    return result(
      "scheduler",
      "WARN",
      "BORE is built in but disabled (kernel.sched_bore = 0)",
      "sudo sysctl -w kernel.sched_bore=1",
      { bore: false, bore_available: true },
    );
  }
  if (knob !== undefined || /bore/i.test(`${release} ${version}`)) {
    return result("scheduler", "PASS", "BORE scheduler", undefined, { bore: true });
  }
  return result(
    "scheduler",
    "PASS",
    "default fair scheduler (no BORE): optional; the render thread runs SCHED_FIFO, which BORE does not affect",
    undefined,
    { bore: false },
  );
}

/**
 * `threadirqs` on the kernel command line (implied by PREEMPT_RT).
 *
 * @param facts Where to read.
 * @returns One result named "threadirqs".
 */
export function checkThreadirqs(facts: SystemFacts): CheckResult {
  if (isRealtimeKernel(facts)) {
    return result("threadirqs", "PASS", "PREEMPT_RT runs interrupt handlers in threads already");
  }
  if (cmdline(facts).has("threadirqs")) {
    return result(
      "threadirqs",
      "PASS",
      "on the kernel command line: the sound card's IRQ thread can be given RT priority",
    );
  }
  return result(
    "threadirqs",
    "WARN",
    "not on the kernel command line: interrupt handlers cannot be prioritised below or above the render thread",
    grubFix(facts, ["threadirqs"]),
  );
}

/**
 * Suggestions to keep one CPU for audio: isolcpus, nohz_full, rcu_nocbs on
 * the command line (WARN with the GRUB line when absent; PASS on one CPU).
 *
 * @param facts Where to read.
 * @returns One result named "cpu isolation".
 */
export function checkIsolation(facts: SystemFacts): CheckResult {
  const params = cmdline(facts);
  const names = ["isolcpus", "nohz_full", "rcu_nocbs"] as const;
  const set = names.filter((n) => params.has(n));
  const data = Object.fromEntries(names.map((n) => [n, params.get(n) ?? null]));
  if (set.length === names.length) {
    return result(
      "cpu isolation",
      "PASS",
      names.map((n) => `${n}=${params.get(n)}`).join(" "),
      undefined,
      data,
    );
  }
  const online = parseCpuList(facts.readText("/sys/devices/system/cpu/online") ?? "");
  if (online.length === 1) {
    return result("cpu isolation", "PASS", "one CPU: nothing to isolate", undefined, data);
  }
  // the CPUs already isolated by one of them (isolcpus may carry flags:
  // "managed_irq,domain,2-3"), else the last online CPU
  const given = set.map((n) =>
    (params.get(n) ?? "").split(",").filter((p) => /^\d/.test(p)).join(",")
  ).find((v) => v !== "");
  const cpus = given ?? String(online.length ? online[online.length - 1]! : 1);
  const missing = names.filter((n) => !params.has(n));
  const value = (n: string) => params.get(n) || cpus;
  const finding = `${missing.join(", ")} not on the kernel command line (optional): ` +
    `with them CPU ${cpus} is kept free of other tasks, timer ticks and RCU callbacks; ` +
    `then run the session there (taskset -c ${cpus} deno task perform <script>)`;
  return result(
    "cpu isolation",
    "WARN",
    finding,
    grubFix(facts, names.map((n) => `${n}=${value(n)}`)),
    data,
  );
}

/**
 * RT throttling (kernel.sched_rt_runtime_us): -1 and the default 950000 of
 * 1000000 pass with an explanation; a smaller budget warns.
 *
 * @param facts Where to read.
 * @returns One result named "rt throttling".
 */
export function checkThrottling(facts: SystemFacts): CheckResult {
  const runtimeText = facts.readText("/proc/sys/kernel/sched_rt_runtime_us")?.trim();
  const period = Number(facts.readText("/proc/sys/kernel/sched_rt_period_us")?.trim() ?? 1000000);
  if (runtimeText === undefined) {
    return result(
      "rt throttling",
      "WARN",
      "cannot read /proc/sys/kernel/sched_rt_runtime_us",
      "mount /proc (mount -t proc proc /proc) and run doctor again",
    );
  }
  const runtime = Number(runtimeText);
  const data = { sched_rt_runtime_us: runtime, sched_rt_period_us: period };
  if (runtime === -1) {
    return result(
      "rt throttling",
      "PASS",
      "off (sched_rt_runtime_us = -1): RT threads may use a whole CPU; the render thread sleeps every period, " +
        "but a runaway RT thread could now freeze the machine",
      undefined,
      data,
    );
  }
  if (runtime >= 0.9 * period) {
    return result(
      "rt throttling",
      "PASS",
      `on, ${runtime} of every ${period} µs (the default 95%): RT threads cannot starve the system, ` +
        "and the render thread needs far less",
      undefined,
      data,
    );
  }
  return result(
    "rt throttling",
    "WARN",
    `RT threads may use only ${runtime} of every ${period} µs (${
      Math.round(runtime / period * 100)
    }%): a busy render thread can be throttled mid-period`,
    `sudo sysctl -w kernel.sched_rt_runtime_us=${Math.round(0.95 * period)}`,
    data,
  );
}

/**
 * The CPU frequency governor of every CPU: all `performance` passes, others
 * warn; no cpufreq interface (usual in VMs) warns with the reason.
 *
 * @param facts Where to read.
 * @returns One result named "cpu governor".
 */
export function checkGovernor(facts: SystemFacts): CheckResult {
  const base = "/sys/devices/system/cpu";
  const cpus = (facts.listDir(base) ?? []).filter((n) => /^cpu\d+$/.test(n))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const governors = new Map<string, string>();
  for (const cpu of cpus) {
    const g = facts.readText(`${base}/${cpu}/cpufreq/scaling_governor`)?.trim();
    if (g) governors.set(cpu, g);
  }
  const cpupower = isDebianLike(facts)
    ? "sudo apt install linux-cpupower && sudo cpupower frequency-set -g performance"
    : "sudo cpupower frequency-set -g performance";
  if (governors.size === 0) {
    const vm = isVirtualMachine(facts);
    return result(
      "cpu governor",
      "WARN",
      `no CPU frequency scaling interface (${base}/cpu0/cpufreq is absent)` +
        (vm
          ? ": usual in a virtual machine (this is one: the CPU has the hypervisor flag), where the host sets the frequency"
          : ": no cpufreq driver is loaded"),
      vm
        ? `nothing to do inside the VM; on the host: ${cpupower}`
        : `enable the cpufreq driver (intel_pstate, amd-pstate or acpi-cpufreq) in the firmware or kernel, then: ${cpupower}`,
      { governors: {}, virtual_machine: vm },
    );
  }
  const data = { governors: Object.fromEntries(governors) };
  const other = [...governors].filter(([, g]) => g !== "performance");
  if (other.length === 0) {
    return result(
      "cpu governor",
      "PASS",
      `performance on all ${governors.size} CPUs`,
      undefined,
      data,
    );
  }
  const byGov = new Map<string, string[]>();
  for (const [cpu, g] of other) byGov.set(g, [...(byGov.get(g) ?? []), cpu]);
  const list = [...byGov].map(([g, c]) => `${g} on ${c.join(", ")}`).join("; ");
  return result(
    "cpu governor",
    "WARN",
    `${list}: clock changes add wake-up latency and let load jump`,
    `${cpupower} (or: echo performance | sudo tee ${base}/cpu*/cpufreq/scaling_governor)`,
    data,
  );
}
