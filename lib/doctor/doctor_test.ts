import assert from "node:assert/strict";
import { DOCTOR_CHECKS, runDoctor } from "./doctor.ts";
import { fakeFacts } from "./fake_facts.ts";

const ORDER = DOCTOR_CHECKS.slice(0, -1);

Deno.test("runDoctor runs every check in order and the probe last, with the options given", async () => {
  const calls: [number, number][] = [];
  let announced = 0;
  const facts = fakeFacts({
    probe: (priority, seconds) => {
      calls.push([priority, seconds]);
      return {
        ok: true,
        report: {
          samples: 500,
          minUs: 3,
          avgUs: 6,
          p99Us: 20,
          maxUs: 40,
          policy: "SCHED_FIFO",
          priority,
        },
      };
    },
  });
  const rs = await runDoctor(facts, {
    probeSeconds: 0.5,
    rtPriority: 70,
    onProbeStart: (s) => (announced = s),
  });
  assert.deepEqual(rs.map((r) => r.check), [...DOCTOR_CHECKS]);
  assert.deepEqual(calls, [[70, 0.5]]);
  assert.equal(announced, 0.5);
  for (const r of rs) {
    assert.ok(["PASS", "WARN", "FAIL"].includes(r.status));
    assert.ok(r.finding.length > 0 && !r.finding.endsWith("."), `${r.check}: "${r.finding}"`);
    if (r.status !== "PASS") assert.ok(r.fix, `${r.check} ${r.status} has no fix`);
    else assert.equal(r.fix, undefined);
  }
});

Deno.test("runDoctor with probe: false skips the probe entirely", async () => {
  const rs = await runDoctor(fakeFacts({ probe: () => assert.fail("probed") }), { probe: false });
  assert.deepEqual(rs.map((r) => r.check), ORDER);
});
