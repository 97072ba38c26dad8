import assert from "node:assert/strict";
import { formatStatus, meterBar, StatusLine, type StatusSnapshot } from "./status_line.ts";

const BASE: StatusSnapshot = {
  cycle: 12.96,
  bpm: 112,
  parts: ["drums", "bass", "keys"],
  muted: ["keys"],
  voices: 7,
  dspLoad: 0.034,
  output: 0.5,
  orbits: [0, 0.25, 0, 0.0001, 0.000001],
  awake: 1 << 4,
  late: 2,
  xruns: 1,
};

Deno.test("formatStatus: every field, muted parts, only active orbits", () => {
  const line = formatStatus(BASE, 200);
  assert.equal(
    line,
    "cycle 12.9 | 112.0 bpm | parts drums bass (keys) | voices 7 | DSP 3% | out ███▌ -6 dB" +
      " | o2 ██▎ o5     | late 2 | xruns 1",
  );
  // numbered as .orbit(n): engine orbit 1 is o2; engine orbit 3 (-80 dB, asleep) is left
  // out; engine orbit 4 is awake though nearly silent
  assert.ok(!line.includes("o4"));
});

Deno.test("formatStatus: the OSC input's counters at the end (perform --osc)", () => {
  const line = formatStatus({ ...BASE, osc: { played: 1234, late: 1, bad: 2 } }, 200);
  assert.ok(line.endsWith(" | late 2 | xruns 1 | osc 1234 (late 1, bad 2)"), line);
  assert.ok(!formatStatus(BASE, 200).includes("osc"));
});

Deno.test("formatStatus: a Link session shows its peers and its tempo", () => {
  const line = formatStatus({ ...BASE, link: { peers: 2, bpm: 127.5 } }, 200);
  assert.ok(line.startsWith("cycle 12.9 | 127.5 bpm link 2 peers | parts drums"), line);
  const alone = formatStatus({ ...BASE, link: { peers: 1, bpm: NaN } }, 200);
  assert.ok(alone.startsWith("cycle 12.9 | 112.0 bpm link 1 peer | "), alone); // no timeline yet
});

Deno.test("meterBar: floor, steps of an eighth, full scale", () => {
  assert.equal(meterBar(0, 4), "    ");
  assert.equal(meterBar(10 ** (-48 / 20), 4), "    ");
  assert.equal(meterBar(10 ** (-24 / 20), 4), "██  ");
  assert.equal(meterBar(10 ** (-3 / 20), 4), "███▊");
  assert.equal(meterBar(1, 4), "███!");
  assert.equal(meterBar(2, 3), "██!");
  for (let d = -60; d <= 0; d += 0.7) assert.equal([...meterBar(10 ** (d / 20), 5)].length, 5);
});

Deno.test("formatStatus: a narrow terminal shortens the parts, then the end", () => {
  const many = { ...BASE, parts: Array.from({ length: 30 }, (_, i) => `part${i}`), muted: [] };
  const line = formatStatus(many, 130);
  assert.ok([...line].length <= 130, line);
  assert.match(line, /parts 30: part0 part1 .* …/);
  assert.match(line, /xruns 1$/);
  const tiny = formatStatus(many, 40);
  assert.equal([...tiny].length, 40);
  assert.ok(tiny.endsWith("…"));
  assert.equal(formatStatus({ ...BASE, parts: [] }, 200).includes("parts none"), true);
});

/** A terminal that records writes and a clock whose timer the test fires. */
function fake(rows = 30, columns = 120) {
  const writes: string[] = [];
  let tick: (() => void) | undefined;
  let interval = 0;
  let cleared = false;
  const size = { rows, columns };
  let n = 0;
  const line = new StatusLine({
    snapshot: () => ({ ...BASE, cycle: n++ }),
    write: (t) => writes.push(t),
    size: () => size,
    clock: {
      setInterval: (fn, ms) => {
        tick = fn;
        interval = ms;
        return 7;
      },
      clearInterval: (id) => {
        assert.equal(id, 7);
        cleared = true;
      },
    },
  });
  return {
    line,
    writes,
    size,
    fire: () => tick!(),
    interval: () => interval,
    cleared: () => cleared,
  };
}

Deno.test("StatusLine: the bottom row below a scroll region, redrawn at least 4 times a second", () => {
  const t = fake();
  t.line.start();
  assert.ok(t.interval() <= 250, `interval ${t.interval()} ms`);
  assert.equal(t.writes[0], "\n\x1b[1A"); // room for the line
  assert.equal(t.writes[1], "\x1b7\x1b[1;29r\x1b8"); // rows 1..29 scroll
  for (let i = 0; i < 5; i++) t.fire();
  const draws = t.writes.filter((w) => w.includes("\x1b[30;1H"));
  assert.equal(draws.length, 6); // at start, then each tick
  for (const d of draws) {
    // one write: save, bottom row, clear it, the line, restore; never a newline
    // deno-lint-ignore no-control-regex
    assert.match(d, /^\x1b7\x1b\[30;1H\x1b\[2Kcycle \d+\.0 \|[^\n]*xruns 1\x1b8$/);
  }
  assert.match(draws[5]!, /cycle 5\.0/);
  assert.match(t.line.last, /^cycle 5\.0/);
});

Deno.test("StatusLine: a resize moves the region and the line; stop gives the screen back", () => {
  const t = fake(30, 120);
  t.line.start();
  t.size.rows = 40;
  t.size.columns = 60;
  t.fire();
  const last = t.writes.slice(-2);
  assert.equal(last[0], "\x1b7\x1b[30;1H\x1b[2K\x1b[1;39r\x1b8"); // old row cleared, new region
  // deno-lint-ignore no-control-regex
  assert.match(last[1]!, /^\x1b7\x1b\[40;1H\x1b\[2K/);
  // deno-lint-ignore no-control-regex
  assert.ok([...last[1]!.replace(/\x1b\[[\d;]*[A-Za-z]|\x1b[78]/g, "")].length <= 60);
  t.line.stop();
  assert.ok(t.cleared());
  assert.equal(t.writes.at(-1), "\x1b7\x1b[40;1H\x1b[2K\x1b[r\x1b8");
  const count = t.writes.length;
  t.line.redraw(); // stopped: draws nothing
  t.line.stop();
  assert.equal(t.writes.length, count);
});

Deno.test("StatusLine: a snapshot that throws draws the error, not a crash", () => {
  const writes: string[] = [];
  const line = new StatusLine({
    snapshot: () => {
      throw new Error("sampler closed");
    },
    write: (t) => writes.push(t),
    size: () => ({ rows: 10, columns: 80 }),
    clock: { setInterval: () => 1, clearInterval: () => {} },
  });
  line.start();
  assert.equal(line.last, "status: sampler closed");
  line.stop();
});
