import assert from "node:assert/strict";
import { checkAlsa, checkJack, jackSockets, parseCards } from "./devices.ts";
import { fakeFacts } from "./fake_facts.ts";
import type { CommandResult } from "./facts.ts";

const CARDS = " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n" +
  "                      HDA Intel PCH at 0xf7f10000 irq 32\n" +
  " 1 [USB            ]: USB-Audio - Scarlett 2i2 USB\n" +
  "                      Focusrite Scarlett 2i2 USB at usb-0000:00:14.0-2, high speed\n";

Deno.test("parseCards reads /proc/asound/cards; none for 'no soundcards'", () => {
  assert.deepEqual(parseCards(CARDS), [
    { index: 0, id: "PCH", name: "HDA Intel PCH" },
    { index: 1, id: "USB", name: "Scarlett 2i2 USB" },
  ]);
  assert.deepEqual(parseCards("--- no soundcards ---\n"), []);
});

Deno.test("alsa: no sound card fails, fix points to render and to a JACK dummy server", () => {
  const r = checkAlsa(fakeFacts());
  assert.equal(r.status, "FAIL");
  assert.equal(
    r.finding,
    "no sound card: /proc/asound does not exist (no ALSA driver loaded), no /dev/snd",
  );
  assert.match(r.fix!, /^for offline work: deno task render <script\.ts> <out\.wav>; /);
  assert.match(r.fix!, /jackd -n test -R -P 80 -d dummy -r 48000/);
  const empty = checkAlsa(
    fakeFacts({ files: { "/proc/asound/cards": "--- no soundcards ---\n" } }),
  );
  assert.equal(empty.status, "FAIL");
  assert.match(empty.finding, /^no sound card: \/proc\/asound\/cards lists none/);
});

Deno.test("alsa: cards with playback devices pass; a card without one fails", () => {
  const ok = checkAlsa(fakeFacts({
    files: { "/proc/asound/cards": CARDS },
    dirs: { "/dev/snd": ["controlC0", "pcmC0D0c", "pcmC0D0p", "pcmC1D0p", "timer"] },
  }));
  assert.equal(ok.status, "PASS");
  assert.equal(
    ok.finding,
    '2 cards (0 "HDA Intel PCH", 1 "Scarlett 2i2 USB"), playback devices pcmC0D0p, pcmC1D0p',
  );
  const capture = checkAlsa(fakeFacts({
    files: { "/proc/asound/cards": CARDS },
    dirs: { "/dev/snd": ["controlC0", "pcmC0D0c"] },
  }));
  assert.equal(capture.status, "FAIL");
  assert.match(capture.fix!, /ls -l \/dev\/snd/);
});

function lsp(servers: Record<string, string[] | "hang">) {
  return (args: string[]): CommandResult => {
    const name = args[args.indexOf("-s") + 1]!;
    const s = servers[name];
    if (s === "hang") return { code: undefined, stdout: "", stderr: "" };
    if (!s) return { code: 1, stdout: "", stderr: "jack server is not running" };
    return { code: 0, stdout: s.join("\n") + "\n", stderr: "" };
  };
}

Deno.test("jack: the default server running passes with its port count", async () => {
  const r = await checkJack(fakeFacts({
    commands: {
      jack_lsp: lsp({ default: ["system:playback_1", "system:playback_2", "system:capture_1"] }),
    },
  }));
  assert.equal(r.status, "PASS");
  assert.equal(r.finding, 'server "default" is running: 3 ports, 2 system playback');
});

Deno.test("jack: JACK_DEFAULT_SERVER is the one asked; another server warns with the export", async () => {
  const named = await checkJack(fakeFacts({
    env: { JACK_DEFAULT_SERVER: "test" },
    commands: { jack_lsp: lsp({ test: ["system:playback_1"] }) },
  }));
  assert.equal(named.status, "PASS");
  assert.equal(named.data?.server, "test");
  const other = await checkJack(fakeFacts({
    dirs: {
      "/dev/shm": ["jack-0-0", "jack_db-0", "jack_sem.0_studio_system", "jack_studio_1000_0"],
    },
    commands: { jack_lsp: lsp({ studio: ["system:playback_1"] }) },
  }));
  assert.equal(other.status, "WARN");
  assert.match(other.finding, /^no server "default", but server "studio" is running/);
  assert.equal(other.fix, "export JACK_DEFAULT_SERVER=studio");
});

Deno.test("jack: none warns without a card (dummy fix), passes with one; a hung server warns", async () => {
  const none = await checkJack(fakeFacts({ commands: { jack_lsp: lsp({}) } }));
  assert.equal(none.status, "WARN");
  assert.equal(
    none.finding,
    'no JACK server "default" is running, and there is no sound card for one',
  );
  assert.match(none.fix!, /-d dummy/);
  const alsa = await checkJack(fakeFacts({
    files: { "/proc/asound/cards": CARDS },
    commands: { jack_lsp: lsp({}) },
  }));
  assert.equal(alsa.status, "PASS");
  assert.match(alsa.finding, /--backend auto will use ALSA$/);
  const hung = await checkJack(fakeFacts({ commands: { jack_lsp: lsp({ default: "hang" }) } }));
  assert.equal(hung.status, "WARN");
  assert.match(hung.finding, /did not answer jack_lsp within 3 s/);
});

Deno.test("jack: without jack_lsp, the sockets in /dev/shm decide", async () => {
  assert.deepEqual(jackSockets(fakeFacts({ dirs: { "/dev/shm": ["jack_default_1000_0"] } })), [
    { name: "default", uid: 1000 },
  ]);
  const sock = await checkJack(fakeFacts({ dirs: { "/dev/shm": ["jack_default_1000_0"] } }));
  assert.equal(sock.status, "PASS");
  assert.match(sock.finding, /jack_lsp is not installed/);
  const none = await checkJack(fakeFacts({ dirs: { "/dev/shm": [] } }));
  assert.equal(none.status, "WARN");
  assert.match(none.finding, /^no JACK server socket in \/dev\/shm \(jack_lsp is not installed\)/);
});
