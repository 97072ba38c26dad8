import assert from "node:assert/strict";
import { checkLatency } from "./latency.ts";
import { fakeFacts } from "./fake_facts.ts";
import type { LatencyReport } from "../ffi/latency_probe.ts";
import type { ProbeOutcome } from "./facts.ts";

function report(p99Us: number, extra: Partial<LatencyReport> = {}): LatencyReport {
  return {
    samples: 5000,
    minUs: 2,
    avgUs: 5,
    p99Us,
    maxUs: p99Us * 2,
    policy: "SCHED_FIFO",
    priority: 80,
    ...extra,
  };
}

function probing(outcome: ProbeOutcome, seen: number[] = []) {
  return fakeFacts({
    probe: (priority, seconds) => {
      seen.push(priority, seconds);
      return outcome;
    },
  });
}

Deno.test("timer latency: p99 < 100 µs passes, < 500 warns, else fails; figures and policy in the line", () => {
  const seen: number[] = [];
  const pass = checkLatency(probing({ ok: true, report: report(40) }, seen), { seconds: 0.5 });
  assert.deepEqual(seen, [80, 0.5]);
  assert.equal(pass.status, "PASS");
  assert.equal(
    pass.finding,
    "min 2.0 / avg 5.0 / p99 40.0 / max 80.0 µs over 5000 wake-ups at SCHED_FIFO 80 " +
      "(p99 < 100 µs passes, < 500 µs warns)",
  );
  assert.equal(pass.fix, undefined);
  assert.equal(pass.data?.p99_us, 40);
  assert.equal(pass.data?.policy, "SCHED_FIFO");
  const warn = checkLatency(probing({ ok: true, report: report(250) }));
  assert.equal(warn.status, "WARN");
  assert.match(warn.fix!, /cyclictest -p 80 -t1 -m -i 1000 -D 10 -q/);
  assert.equal(checkLatency(probing({ ok: true, report: report(500) })).status, "FAIL");
});

Deno.test("timer latency in a VM says host stalls make the figures unrepresentative", () => {
  const vm = fakeFacts({
    files: { "/proc/cpuinfo": "flags\t: fpu hypervisor\n" },
    probe: () => ({ ok: true, report: report(900) }),
  });
  const r = checkLatency(vm);
  assert.equal(r.status, "FAIL");
  assert.match(r.finding, /a virtual machine: the host stalls its vCPUs for milliseconds/);
  assert.match(r.fix!, /^measure on the machine that will play/);
});

Deno.test("timer latency with SCHED_FIFO denied: normal priority, at least WARN, rtprio/setcap fix", () => {
  const denied = report(30, {
    policy: "SCHED_OTHER",
    priority: 0,
    rtDenied: "Could not run the latency probe at RT priority 80: Operation not permitted: ...",
  });
  const r = checkLatency(probing({ ok: true, report: denied }));
  assert.equal(r.status, "WARN");
  assert.match(r.finding, /at normal priority \(SCHED_OTHER\): SCHED_FIFO 80 was denied/);
  assert.match(r.fix!, /^allow RT priority: echo '@audio - rtprio 95' \| sudo tee -a/);
  assert.match(r.fix!, /sudo setcap cap_sys_nice,cap_ipc_lock\+ep/);
  assert.equal(r.data?.rt_denied, denied.rtDenied);
  const slow = checkLatency(probing({ ok: true, report: { ...denied, p99Us: 3000 } }));
  assert.equal(slow.status, "FAIL");
});

Deno.test("timer latency asked at priority 0 measures normal priority without a fix", () => {
  const r = checkLatency(
    probing({ ok: true, report: report(30, { policy: "SCHED_OTHER", priority: 0 }) }),
    { priority: 0 },
  );
  assert.equal(r.status, "PASS");
  assert.match(r.finding, /at normal priority \(SCHED_OTHER\) \(/);
});

Deno.test("timer latency fails with the library's hint when the probe cannot run", () => {
  const r = checkLatency(probing({
    ok: false,
    error: "Cannot probe timer latency: the engine library has no ms_rt_probe_latency",
    hint: "rebuild it with: deno task build",
  }));
  assert.equal(r.status, "FAIL");
  assert.match(r.finding, /^the probe could not run: Cannot probe timer latency/);
  assert.equal(r.fix, "rebuild it with: deno task build");
});
