import assert from "node:assert/strict";
import { exitCode, formatText, result, worst } from "./result.ts";

Deno.test("result drops the fix of a PASS; worst orders FAIL > WARN > PASS", () => {
  assert.deepEqual(result("x", "PASS", "fine", "never shown"), {
    check: "x",
    status: "PASS",
    finding: "fine",
  });
  assert.equal(result("x", "WARN", "hm", "do y").fix, "do y");
  assert.equal(worst("PASS", "WARN"), "WARN");
  assert.equal(worst("FAIL", "WARN"), "FAIL");
  assert.equal(worst("PASS", "PASS"), "PASS");
});

Deno.test("formatText: one line per check, an indented fix for WARN and FAIL; exit code", () => {
  const rs = [
    result("kernel", "PASS", "PREEMPT_RT kernel 6.1"),
    result("threadirqs", "WARN", "not set", "add it"),
    result("alsa", "FAIL", "no sound card", "render"),
  ];
  assert.equal(
    formatText(rs),
    "PASS  kernel: PREEMPT_RT kernel 6.1\n" +
      "WARN  threadirqs: not set\n      fix: add it\n" +
      "FAIL  alsa: no sound card\n      fix: render\n",
  );
  assert.equal(exitCode(rs), 1);
  assert.equal(exitCode(rs.slice(0, 2)), 0);
  assert.equal(exitCode([]), 0);
});
