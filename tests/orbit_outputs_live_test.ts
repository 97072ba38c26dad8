/**
 * `play --orbit-outputs` on a JACK dummy server of our own (started and
 * stopped by PID): the client registers one port pair per orbit (16 pairs)
 * instead of one stereo pair. No timing assertions: the port list is polled
 * while the script plays. Skipped when jackd is not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/ffi/build.ts";
import { MAX_ORBITS } from "../lib/ffi/layout.ts";
import { hasCommand, startJackDummy } from "../scripts/live_support.ts";

const HAVE_JACK = hasCommand("jackd") && hasCommand("jack_wait") && hasCommand("jack_lsp");

/** The ports of clients whose name starts with `prefix`, as jack_lsp lists them. */
async function ports(server: string, prefix: string): Promise<string[]> {
  const out = await new Deno.Command("jack_lsp", {
    env: { JACK_DEFAULT_SERVER: server, JACK_NO_START_SERVER: "1" },
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.startsWith(prefix));
}

async function playPorts(extra: string[], script = "hello.ts"): Promise<string[]> {
  await using jack = await startJackDummy({ periodFrames: 256, prefix: "ms-orbits" });
  const client = `orbits-${Deno.pid}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "scripts/play.ts",
      join("examples", script),
      "--backend",
      "jack",
      "--device",
      client,
      "--rt-priority",
      "0",
      "--seconds",
      "4",
      ...extra,
    ],
    cwd: PROJECT_ROOT,
    env: { JACK_DEFAULT_SERVER: jack.name, JACK_NO_START_SERVER: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  // play prints "playing ... live: ..." once the client's ports are registered and active
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  while (!printed.includes("playing ")) {
    const { value, done } = await reader.read();
    if (done) break;
    printed += value;
  }
  const seen = await ports(jack.name, `${client}:`);
  while (!(await reader.read()).done) { /* drain until play exits */ }
  const out = await child.status;
  const err = await stderr;
  assert.equal(out.code, 0, err);
  assert.doesNotMatch(err, /warning/, err);
  return seen;
}

Deno.test({
  name: "play --orbit-outputs on JACK: one port pair per orbit; without it one stereo pair",
  ignore: !HAVE_JACK,
  async fn() {
    // the effects set live: its orbits' memory prepared on the control thread, no warning
    const orbitPorts = await playPorts(["--orbit-outputs"], "effects.ts");
    assert.equal(orbitPorts.length, 2 * MAX_ORBITS, orbitPorts.join("\n"));
    const plain = await playPorts([]);
    assert.equal(plain.length, 2, plain.join("\n"));
  },
});

Deno.test("--orbit-outputs with --backend alsa is a usage error", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "scripts/play.ts",
      "examples/hello.ts",
      "--backend",
      "alsa",
      "--orbit-outputs",
    ],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--orbit-outputs needs JACK/);
});
