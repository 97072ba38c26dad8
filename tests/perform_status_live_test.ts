/**
 * perform's status line on a real terminal: tmux (a server of our own,
 * `-L v3-<pid>`) runs `perform` in a 120x30 pane against a JACK dummy
 * server of our own ("v3-..."), both stopped at the end. Checked from the
 * pane's text: the bottom row is the status line (cycle, tempo, parts,
 * voices, DSP, the output and orbit 2's meters, late, xruns) and it is
 * redrawn (the cycle moves on); input typed at the prompt stays on the
 * prompt's row while the line is redrawn, and the command runs; quit clears
 * the row; the piano roll of a `.pianoroll()` tune prints above the line, also
 * after a reload while the line runs. `--quiet` and a stdout that is no terminal have no status line.
 * No timing assertions: waits are for text to appear. Skipped, with the
 * reason in the test's name, when tmux or jackd is missing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { hasCommand, startJackDummy } from "../scripts/live_support.ts";

const MISSING = ["tmux", "jackd", "jack_wait"].filter((c) => !hasCommand(c));
const SKIP = MISSING.length ? ` (skipped: ${MISSING.join(", ")} not installed)` : "";

const SET = `setcps(0.5)
$: s("bd*4").room(.4).orbit(2)
hats: s("hh*8").gain(.6).pianoroll()
`;

/** A tmux server of our own and one 120x30 pane running `command`. */
class Tmux implements AsyncDisposable {
  readonly socket = `v3-${Deno.pid}-${Math.floor(Math.random() * 1e6)}`;
  #run(args: string[]): string {
    const r = new Deno.Command("tmux", { args: ["-L", this.socket, ...args] }).outputSync();
    if (!r.success) {
      throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(r.stderr)}`);
    }
    return new TextDecoder().decode(r.stdout);
  }
  start(command: string, env: Record<string, string>): void {
    const exports = Object.entries(env).map(([k, v]) => `export ${k}='${v}';`).join(" ");
    this.#run([
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-x",
      "120",
      "-y",
      "30",
      "-s",
      "v3",
      `${exports} cd '${PROJECT_ROOT}' && ${command}; echo "EXIT=$?"; sleep 600`,
    ]);
  }
  /** The pane's 30 rows, as text. */
  rows(): string[] {
    const text = this.#run(["capture-pane", "-p", "-t", "v3"]);
    const rows = text.split("\n");
    if (rows.at(-1) === "") rows.pop();
    while (rows.length < 30) rows.push("");
    return rows;
  }
  keys(...keys: string[]): void {
    this.#run(["send-keys", "-t", "v3", ...keys]);
  }
  async waitFor(what: string, ok: (rows: string[]) => boolean, ms = 30000): Promise<string[]> {
    const end = Date.now() + ms;
    let rows = this.rows();
    while (Date.now() < end) {
      rows = this.rows();
      if (ok(rows)) return rows;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`tmux pane: no ${what} within ${ms} ms; pane:\n${rows.join("\n")}`);
  }
  [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#run(["kill-server"]);
    } catch {
      // already gone
    }
    return Promise.resolve();
  }
}

const STATUS =
  /^cycle (\d+\.\d) \| 120\.0 bpm \| parts \$0 hats \| voices \d+ \| DSP \d+% \| out .{4} (-?\d+|-inf) dB \| (.*)\| late \d+ \| xruns \d+$/;

function perform(file: string, extra: string): string {
  return `'${Deno.execPath()}' run -A scripts/perform.ts '${file}' --backend jack --rt-priority 0 ${extra}`;
}

Deno.test({
  name:
    `perform on a terminal (tmux): a status line on the bottom row, the prompt stays usable${SKIP}`,
  ignore: MISSING.length > 0,
  async fn() {
    await using jack = await startJackDummy({ periodFrames: 256, prefix: "v3" });
    const dir = await Deno.makeTempDir();
    const file = join(dir, "status.strudel");
    await Deno.writeTextFile(file, SET);
    const env = { JACK_DEFAULT_SERVER: jack.name, JACK_NO_START_SERVER: "1", NO_COLOR: "1" };
    try {
      {
        await using tmux = new Tmux();
        tmux.start(perform(file, ""), env);
        let rows = await tmux.waitFor("status line", (r) => STATUS.test(r[29]!));
        // the piano roll (printed once after the load) sits above it: hh's row of 8 notes a cycle
        rows = await tmux.waitFor("the piano roll", (r) => r.some((l) => /^\s*hh │.*█/.test(l)));
        assert.ok(STATUS.test(rows[29]!), rows.join("\n"));
        const first = Number(rows[29]!.match(STATUS)![1]);
        // orbit 2 (the kick's room) has a meter; the hats play dry on orbit 1: none
        rows = await tmux.waitFor("orbit 2's meter", (r) => /\bo2 /.test(r[29]!));
        assert.doesNotMatch(rows[29]!, /\bo1 /);
        assert.match(rows[29]!, /\| out .{4} -?\d+ dB \|/); // the output meter reads a level
        await tmux.waitFor("the prompt", (r) => r.some((l) => l.trimEnd() === ">"));
        // type half a command: it stays on the prompt's row while the line is redrawn
        tmux.keys("tem");
        rows = await tmux.waitFor(
          "a later cycle with the typed input in place",
          (r) =>
            STATUS.test(r[29]!) && Number(r[29]!.match(STATUS)![1]) >= first + 0.5 &&
            r.some((l) => l === "> tem"),
        );
        assert.equal(rows.filter((l) => l.endsWith("tem")).length, 1, rows.join("\n"));
        assert.ok(
          rows.slice(0, 29).every((l) => !STATUS.test(l)),
          "a status line above the bottom",
        );
        tmux.keys("po 130", "Enter");
        rows = await tmux.waitFor(
          "the tempo command's answer and the new tempo on the line",
          (r) =>
            r.some((l) => /^tempo 130 bpm from beat/.test(l)) && /\| 130\.0 bpm \|/.test(r[29]!),
        );
        // a reload while the line runs: its report and the new piano roll scroll above it
        await Deno.writeTextFile(file, SET + `keys: note("c4 e4").s("sine").gain(.3)\n`);
        rows = await tmux.waitFor(
          "the reload, its piano roll, and the new part on the line",
          (r) =>
            r.some((l) => /^reload v2 at cycle .*added keys/.test(l)) &&
            r.some((l) => /^\s*E4 │.*█/.test(l)) && /\| parts \$0 hats keys \|/.test(r[29]!),
        );
        assert.ok(rows.slice(0, 29).every((l) => !/^cycle \d+\.\d \|/.test(l)), rows.join("\n"));
        tmux.keys("quit", "Enter");
        rows = await tmux.waitFor("the summary", (r) => r.some((l) => l.startsWith("EXIT=")));
        assert.ok(rows.some((l) => /^played \d+\.\d+ s: v2,/.test(l)), rows.join("\n"));
        assert.ok(rows.some((l) => l === "EXIT=0"), rows.join("\n"));
        assert.ok(rows.every((l) => !/^cycle \d+\.\d \|/.test(l)), "the status line is cleared");
      }
      {
        await using tmux = new Tmux();
        tmux.start(perform(file, "--quiet --seconds 3"), env);
        const rows = await tmux.waitFor("the end", (r) => r.some((l) => l.startsWith("EXIT=")));
        assert.ok(rows.some((l) => l === "EXIT=0"), rows.join("\n"));
        assert.ok(rows.every((l) => !/^cycle \d+\.\d \|/.test(l)), rows.join("\n"));
      }
      // stdout no terminal: no status line, no escape sequences
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "scripts/perform.ts", file, "--backend", "jack", "--rt-priority", "0"]
          .concat(["--seconds", "2"]),
        cwd: PROJECT_ROOT,
        env,
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(text, /^played /m);
      assert.ok(!text.includes("\x1b"), JSON.stringify(text));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
