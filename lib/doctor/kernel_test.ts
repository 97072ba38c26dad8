import assert from "node:assert/strict";
import {
  checkGovernor,
  checkIsolation,
  checkKernel,
  checkScheduler,
  checkThreadirqs,
  checkThrottling,
} from "./kernel.ts";
import { fakeFacts } from "./fake_facts.ts";

const RT_VERSION = "#1 SMP PREEMPT_RT Debian 6.1.119-1 (2024-11-22)\n";

Deno.test("kernel: PREEMPT_RT in uname -v passes, as does /sys/kernel/realtime = 1", () => {
  const a = checkKernel(fakeFacts({ files: { "/proc/sys/kernel/version": RT_VERSION } }));
  assert.equal(a.status, "PASS");
  assert.equal(a.finding, "PREEMPT_RT kernel 6.1.0-28-amd64");
  assert.equal(a.fix, undefined);
  assert.equal(a.data?.realtime, true);
  const b = checkKernel(fakeFacts({ files: { "/sys/kernel/realtime": "1\n" } }));
  assert.equal(b.status, "PASS");
  assert.equal(b.data?.model, "rt");
});

Deno.test("kernel: PREEMPT_DYNAMIC with preempt=full (cmdline or debugfs) passes", () => {
  const cmd = checkKernel(fakeFacts({ files: { "/proc/cmdline": "ro quiet preempt=full\n" } }));
  assert.equal(cmd.status, "PASS");
  assert.match(cmd.finding, /full preemption \(from preempt= on the kernel command line\)/);
  const dbg = checkKernel(
    fakeFacts({ files: { "/sys/kernel/debug/sched/preempt": "none voluntary (full) lazy\n" } }),
  );
  assert.equal(dbg.status, "PASS");
  assert.equal(dbg.data?.model, "full");
  const lazy = checkKernel(
    fakeFacts({ files: { "/sys/kernel/debug/sched/preempt": "none voluntary full (lazy)\n" } }),
  );
  assert.equal(lazy.status, "PASS");
});

Deno.test("kernel: PREEMPT_DYNAMIC at voluntary warns with the exact GRUB line and the RT package", () => {
  const r = checkKernel(
    fakeFacts({ files: { "/sys/kernel/debug/sched/preempt": "none (voluntary) full lazy\n" } }),
  );
  assert.equal(r.status, "WARN");
  assert.match(r.finding, /voluntary preemption/);
  assert.equal(
    r.fix,
    'set GRUB_CMDLINE_LINUX_DEFAULT="quiet preempt=full" in /etc/default/grub, then: ' +
      "sudo update-grub && sudo reboot; or for the lowest latency: sudo apt install linux-image-rt-amd64",
  );
});

Deno.test("kernel: unknown dynamic model reads /boot/config; else warns it is unknown", () => {
  const cfg = checkKernel(
    fakeFacts({ files: { "/boot/config-6.1.0-28-amd64": "CONFIG_PREEMPT_VOLUNTARY=y\n" } }),
  );
  assert.equal(cfg.status, "WARN");
  assert.equal(cfg.data?.model, "voluntary");
  const unknown = checkKernel(fakeFacts());
  assert.equal(unknown.status, "WARN");
  assert.match(unknown.finding, /the model in force is unknown/);
  assert.match(unknown.fix!, /preempt=full/);
});

Deno.test("kernel: a non-dynamic kernel without PREEMPT warns with the RT kernel package (arm64)", () => {
  const r = checkKernel(fakeFacts({
    arch: "aarch64",
    files: { "/proc/sys/kernel/version": "#1 SMP Debian 6.1.119-1\n" },
  }));
  assert.equal(r.status, "WARN");
  assert.equal(r.fix, "sudo apt install linux-image-rt-arm64");
  const full = checkKernel(
    fakeFacts({ files: { "/proc/sys/kernel/version": "#1 SMP PREEMPT\n" } }),
  );
  assert.equal(full.status, "PASS");
});

Deno.test("scheduler: BORE by sysctl or uname passes, disabled BORE warns, none passes as optional", () => {
  assert.equal(
    checkScheduler(fakeFacts({ files: { "/proc/sys/kernel/sched_bore": "1\n" } })).finding,
    "BORE scheduler",
  );
  assert.equal(
    checkScheduler(
      fakeFacts({ files: { "/proc/sys/kernel/osrelease": "6.12.1-2-cachyos-bore\n" } }),
    )
      .status,
    "PASS",
  );
  const off = checkScheduler(fakeFacts({ files: { "/proc/sys/kernel/sched_bore": "0\n" } }));
  assert.equal(off.status, "WARN");
  assert.equal(off.fix, "sudo sysctl -w kernel.sched_bore=1");
  const none = checkScheduler(fakeFacts());
  assert.equal(none.status, "PASS");
  assert.equal(none.data?.bore, false);
});

Deno.test("threadirqs: on the cmdline or PREEMPT_RT passes; absent warns with the GRUB line", () => {
  assert.equal(
    checkThreadirqs(fakeFacts({ files: { "/proc/cmdline": "ro threadirqs quiet\n" } })).status,
    "PASS",
  );
  assert.equal(
    checkThreadirqs(fakeFacts({ files: { "/proc/sys/kernel/version": RT_VERSION } })).status,
    "PASS",
  );
  const r = checkThreadirqs(fakeFacts());
  assert.equal(r.status, "WARN");
  assert.equal(
    r.fix,
    'set GRUB_CMDLINE_LINUX_DEFAULT="quiet threadirqs" in /etc/default/grub, then: sudo update-grub && sudo reboot',
  );
  const noGrub = checkThreadirqs(
    fakeFacts({ files: { "/etc/default/grub": undefined, "/etc/os-release": "ID=fedora\n" } }),
  );
  assert.match(
    noGrub.fix!,
    /^add "threadirqs" to the kernel command line \(no \/etc\/default\/grub/,
  );
});

Deno.test("cpu isolation: all three pass; missing ones warn with the last CPU in the GRUB line", () => {
  const all = checkIsolation(fakeFacts({
    files: { "/proc/cmdline": "ro isolcpus=3 nohz_full=3 rcu_nocbs=3\n" },
  }));
  assert.equal(all.status, "PASS");
  assert.equal(all.finding, "isolcpus=3 nohz_full=3 rcu_nocbs=3");
  const some = checkIsolation(fakeFacts({
    files: {
      "/proc/cmdline": "ro quiet isolcpus=2\n",
      "/etc/default/grub": 'GRUB_CMDLINE_LINUX_DEFAULT="quiet isolcpus=2"\n',
    },
  }));
  assert.equal(some.status, "WARN");
  assert.match(some.finding, /^nohz_full, rcu_nocbs not on the kernel command line \(optional\)/);
  assert.equal(
    some.fix,
    'set GRUB_CMDLINE_LINUX_DEFAULT="quiet isolcpus=2 nohz_full=2 rcu_nocbs=2" in /etc/default/grub, ' +
      "then: sudo update-grub && sudo reboot",
  );
  const none = checkIsolation(fakeFacts());
  assert.match(none.fix!, /"quiet isolcpus=3 nohz_full=3 rcu_nocbs=3"/);
  const one = checkIsolation(fakeFacts({ files: { "/sys/devices/system/cpu/online": "0\n" } }));
  assert.equal(one.status, "PASS");
});

Deno.test("rt throttling: default 950000 and -1 pass with an explanation; less warns", () => {
  const d = checkThrottling(fakeFacts());
  assert.equal(d.status, "PASS");
  assert.match(d.finding, /950000 of every 1000000 µs \(the default 95%\)/);
  const off = checkThrottling(
    fakeFacts({ files: { "/proc/sys/kernel/sched_rt_runtime_us": "-1\n" } }),
  );
  assert.equal(off.status, "PASS");
  assert.match(off.finding, /^off \(sched_rt_runtime_us = -1\)/);
  const low = checkThrottling(
    fakeFacts({ files: { "/proc/sys/kernel/sched_rt_runtime_us": "500000\n" } }),
  );
  assert.equal(low.status, "WARN");
  assert.equal(low.fix, "sudo sysctl -w kernel.sched_rt_runtime_us=950000");
});

Deno.test("cpu governor: performance passes; powersave warns; absent warns, explained in a VM", () => {
  const gov = (g: string[]) =>
    Object.fromEntries(
      g.map((x, i) => [`/sys/devices/system/cpu/cpu${i}/cpufreq/scaling_governor`, `${x}\n`]),
    );
  const perf = checkGovernor(fakeFacts({ files: gov(["performance", "performance"]) }));
  assert.equal(perf.status, "PASS");
  assert.equal(perf.finding, "performance on all 2 CPUs");
  const mixed = checkGovernor(fakeFacts({ files: gov(["performance", "powersave", "powersave"]) }));
  assert.equal(mixed.status, "WARN");
  assert.match(mixed.finding, /^powersave on cpu1, cpu2:/);
  assert.match(
    mixed.fix!,
    /^sudo apt install linux-cpupower && sudo cpupower frequency-set -g performance/,
  );
  const vm = checkGovernor(fakeFacts({
    files: {
      "/proc/cpuinfo": "flags\t\t: fpu sse2 hypervisor\n",
      "/sys/devices/system/cpu/online": "0-1\n",
    },
  }));
  assert.equal(vm.status, "WARN");
  assert.match(vm.finding, /usual in a virtual machine/);
  assert.match(vm.fix!, /^nothing to do inside the VM; on the host: /);
  const bare = checkGovernor(fakeFacts());
  assert.equal(bare.status, "WARN");
  assert.match(bare.finding, /no cpufreq driver is loaded/);
});
