/**
 * `deno task doctor` end to end on this machine: the real scripts/doctor.ts
 * as a subprocess, its JSON shape, the probe's policy with and without the
 * RT capabilities (dropped with setpriv), the text format and usage errors.
 * Findings that depend on the machine are asserted from the JSON's own data
 * (a VM here: no sound card, root with CAP_SYS_NICE), never exit 0.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DOCTOR_CHECKS } from "../lib/doctor/doctor.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DENO = Deno.execPath();
const DOCTOR = ["run", "-A", "scripts/doctor.ts"];
const DROP_RT = ["--inh-caps=-sys_nice,-ipc_lock", "--bounding-set=-sys_nice,-ipc_lock"];

interface Row {
  check: string;
  status: string;
  finding: string;
  fix?: string;
  data?: Record<string, unknown>;
}

async function run(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, { args, cwd: ROOT, stdin: "null" }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

function parseRows(stdout: string, stderr: string): Row[] {
  let rows: unknown;
  try {
    rows = JSON.parse(stdout);
  } catch {
    assert.fail(`doctor --json printed no JSON:\n${stdout}\n${stderr}`);
  }
  assert.ok(Array.isArray(rows));
  for (const r of rows as Row[]) {
    assert.deepEqual(
      Object.keys(r).filter((k) => !["check", "status", "finding", "fix", "data"].includes(k)),
      [],
    );
    assert.equal(typeof r.check, "string");
    assert.ok(["PASS", "WARN", "FAIL"].includes(r.status), `${r.check}: ${r.status}`);
    assert.ok(r.finding.length > 0);
    if (r.status === "PASS") assert.equal(r.fix, undefined, `${r.check} PASS with a fix`);
    else assert.ok(r.fix && r.fix.length > 0, `${r.check} ${r.status} without a fix`);
  }
  return rows as Row[];
}

function row(rows: Row[], check: string): Row {
  const r = rows.find((x) => x.check === check);
  assert.ok(r, `no "${check}" in ${rows.map((x) => x.check).join(", ")}`);
  return r;
}

Deno.test("doctor --json --probe-seconds 0.5: every check, exit code from FAILs, probe at SCHED_FIFO here", async () => {
  const { code, stdout, stderr } = await run(DENO, [...DOCTOR, "--json", "--probe-seconds", "0.5"]);
  const rows = parseRows(stdout, stderr);
  assert.deepEqual(rows.map((r) => r.check), [...DOCTOR_CHECKS]);

  assert.equal(code, rows.some((r) => r.status === "FAIL") ? 1 : 0, stderr);

  const alsa = row(rows, "alsa");
  if ((alsa.data?.cards as unknown[]).length === 0) {
    assert.equal(alsa.status, "FAIL");
    assert.match(alsa.finding, /^no sound card: /);
    assert.match(alsa.fix!, /deno task render/);
    assert.match(alsa.fix!, /-d dummy/);
  }
  const throttling = row(rows, "rt throttling");
  assert.equal(typeof throttling.data?.sched_rt_runtime_us, "number");

  const rtprio = row(rows, "ulimit -r");
  const latency = row(rows, "timer latency");
  const d = latency.data!;
  assert.equal(d.seconds, 0.5);
  assert.ok((d.samples as number) > 100, `samples ${d.samples}`);
  const [min, avg, p99, max] = [d.min_us, d.avg_us, d.p99_us, d.max_us] as number[];
  assert.ok(min! <= avg! && avg! <= max! && min! <= p99! && p99! <= max!, JSON.stringify(d));
  assert.match(
    latency.finding,
    /^min [\d.]+ \/ avg [\d.]+ \/ p99 [\d.]+ \/ max [\d.]+ µs over \d+ wake-ups /,
  );
  if (rtprio.data?.cap_sys_nice === true || (rtprio.data?.soft as number) >= 80) {
    // root with CAP_SYS_NICE on this VM: the probe must get what it asked for
    assert.equal(d.policy, "SCHED_FIFO", latency.finding);
    assert.equal(d.priority, 80);
    assert.match(latency.finding, / at SCHED_FIFO 80 /);
    assert.equal(d.rt_denied, undefined);
  }
});

function canDropRt(): string | undefined {
  try {
    const out = new Deno.Command("setpriv", { args: [...DROP_RT, "true"], stderr: "piped" })
      .outputSync();
    if (out.success) return undefined;
    return `setpriv cannot drop capabilities here: ${new TextDecoder().decode(out.stderr).trim()}`;
  } catch (err) {
    return err instanceof Deno.errors.NotFound
      ? "setpriv is not installed (util-linux)"
      : String(err);
  }
}

const skip = canDropRt();
Deno.test({
  name:
    "doctor with CAP_SYS_NICE and CAP_IPC_LOCK dropped: probe at normal priority, fix names rtprio and setcap" +
    (skip ? ` (skipped: ${skip})` : ""),
  ignore: skip !== undefined,
  async fn() {
    const { stdout, stderr } = await run("setpriv", [
      ...DROP_RT,
      DENO,
      ...DOCTOR,
      "--json",
      "--probe-seconds",
      "0.5",
    ]);
    const rows = parseRows(stdout, stderr);
    const latency = row(rows, "timer latency");
    assert.equal(latency.data?.policy, "SCHED_OTHER", latency.finding);
    assert.match(latency.finding, /at normal priority \(SCHED_OTHER\): SCHED_FIFO 80 was denied/);
    assert.notEqual(latency.status, "PASS");
    assert.match(latency.fix!, /@audio - rtprio 95/);
    assert.match(latency.fix!, /setcap cap_sys_nice,cap_ipc_lock\+ep /);
    assert.match(
      String(latency.data?.rt_denied),
      /^Could not run the latency probe at RT priority 80: /,
    );
    const rtprio = row(rows, "ulimit -r");
    assert.equal(rtprio.data?.cap_sys_nice, false);
    if (rtprio.data?.soft === 0) {
      assert.equal(rtprio.status, "FAIL");
      assert.match(rtprio.fix!, /@audio - rtprio 95/);
    }
    assert.equal(row(rows, "ulimit -l").data?.cap_ipc_lock, false);
  },
});

Deno.test("doctor text output: STATUS  check: finding lines, an indented fix under WARN/FAIL", async () => {
  const { stdout } = await run(DENO, [...DOCTOR, "--no-probe"]);
  const lines = stdout.trimEnd().split("\n");
  assert.ok(lines.length >= 11, stdout);
  let previous = "";
  for (const line of lines) {
    if (line.startsWith("      fix: ")) {
      assert.match(previous, /^(WARN|FAIL) {2}/, `a fix under "${previous}"`);
    } else {
      assert.match(line, /^(PASS|WARN|FAIL) {2}[a-z -]+: \S/);
    }
    previous = line;
  }
  assert.ok(!stdout.includes("timer latency"), "--no-probe still probed");
});

Deno.test("doctor usage errors exit 2 with the message first", async () => {
  const bad = await run(DENO, [...DOCTOR, "--probe-seconds", "zero"]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^error: Cannot run doctor: --probe-seconds "zero" is not between 0\.001 and 600\n/,
  );
  const prio = await run(DENO, [...DOCTOR, "--rt-priority", "120"]);
  assert.equal(prio.code, 2);
  assert.match(prio.stderr, /--rt-priority "120" is not an integer in 0\.\.99/);
  const help = await run(DENO, [...DOCTOR, "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stderr, /^Usage: deno task doctor/);
});
