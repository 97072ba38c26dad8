import assert from "node:assert/strict";
import { policyName, probeTimerLatency } from "./latency_probe.ts";
import { EngineRangeError } from "../errors.ts";

Deno.test("probeTimerLatency at normal priority: ordered figures, SCHED_OTHER, no denial", () => {
  const r = probeTimerLatency({ priority: 0, durationMs: 60, intervalUs: 1000 });
  assert.ok(r.samples > 0 && r.samples <= 61, `samples ${r.samples}`);
  assert.ok(r.minUs <= r.avgUs && r.avgUs <= r.maxUs, JSON.stringify(r));
  assert.ok(r.minUs <= r.p99Us && r.p99Us <= r.maxUs, JSON.stringify(r));
  assert.equal(r.policy, "SCHED_OTHER");
  assert.equal(r.priority, 0);
  assert.equal(r.rtDenied, undefined);
});

Deno.test("probeTimerLatency at priority 80: SCHED_FIFO 80, or normal priority with the fix", () => {
  const r = probeTimerLatency({ priority: 80, durationMs: 30 });
  assert.ok(r.samples > 0);
  if (r.rtDenied === undefined) {
    assert.equal(r.policy, "SCHED_FIFO");
    assert.equal(r.priority, 80);
  } else {
    assert.equal(r.policy, "SCHED_OTHER");
    assert.match(r.rtDenied, /^Could not run the latency probe at RT priority 80: /);
    assert.match(r.rtDenied, /rtprio 95/);
    assert.match(r.rtDenied, /setcap cap_sys_nice,cap_ipc_lock\+ep/);
    assert.ok(!r.rtDenied.endsWith("."));
  }
});

Deno.test("probeTimerLatency out of range: EngineRangeError with the engine's message", () => {
  assert.throws(
    () => probeTimerLatency({ priority: 100, durationMs: 10 }),
    (e: unknown) =>
      e instanceof EngineRangeError &&
      e.message === "Cannot probe timer latency: priority 100 is outside 0..99",
  );
  assert.throws(
    () => probeTimerLatency({ priority: 0, durationMs: 0 }),
    (e: unknown) =>
      e instanceof EngineRangeError && /duration 0 ms is outside 1\.\.600000/.test(e.message),
  );
  assert.throws(
    () => probeTimerLatency({ priority: 0, durationMs: 10, intervalUs: 10 }),
    (e: unknown) => e instanceof EngineRangeError && /interval 10 us/.test(e.message),
  );
});

Deno.test("policyName names Linux policies and numbers the rest", () => {
  assert.equal(policyName(0), "SCHED_OTHER");
  assert.equal(policyName(1), "SCHED_FIFO");
  assert.equal(policyName(2), "SCHED_RR");
  assert.equal(policyName(42), "policy 42");
});
