/**
 * Device checks: ALSA sound cards and playback devices, a running JACK server.
 *
 * Thread: CT. Reads /proc/asound, /dev/snd and /dev/shm through a
 * SystemFacts and asks `jack_lsp` (a subprocess with a timeout: this is the
 * CLI, not the render thread). Never prints.
 *
 * @module
 */
import type { SystemFacts } from "./facts.ts";
import { type CheckResult, result } from "./result.ts";

/** How long `jack_lsp` may take before the server counts as not answering. */
export const JACK_TIMEOUT_MS = 3000;

/** Starting a JACK server with no sound hardware, for testing live output. */
export const JACK_DUMMY_COMMAND =
  "JACK_NO_AUDIO_RESERVATION=1 jackd -n test -R -P 80 -d dummy -r 48000 -p 128 & export JACK_DEFAULT_SERVER=test";

/** Offline work needs no device. */
export const RENDER_COMMAND = "deno task render <script.ts> <out.wav>";

/** A sound card line of /proc/asound/cards. */
export interface SoundCard {
  index: number;
  id: string;
  name: string;
}

/**
 * Parse /proc/asound/cards (" 0 [PCH            ]: HDA-Intel - HDA Intel PCH").
 *
 * @param text The file's text.
 * @returns The cards; none for "--- no soundcards ---".
 */
export function parseCards(text: string): SoundCard[] {
  const out: SoundCard[] = [];
  for (const m of text.matchAll(/^\s*(\d+)\s+\[(\S+)\s*\]:\s*(.*?)\s*$/gm)) {
    const desc = m[3]!;
    const dash = desc.indexOf(" - ");
    out.push({ index: Number(m[1]), id: m[2]!, name: dash >= 0 ? desc.slice(dash + 3) : desc });
  }
  return out;
}

/** ALSA playback devices in /dev/snd (pcmC<card>D<device>p). */
function playbackDevices(facts: SystemFacts): string[] {
  return (facts.listDir("/dev/snd") ?? []).filter((n) => /^pcmC\d+D\d+p$/.test(n));
}

/**
 * ALSA: sound cards in /proc/asound/cards and playback devices in /dev/snd.
 * None is a FAIL whose fix points to offline rendering and a JACK dummy server.
 *
 * @param facts Where to read.
 * @returns One result named "alsa".
 */
export function checkAlsa(facts: SystemFacts): CheckResult {
  const cardsText = facts.readText("/proc/asound/cards");
  const cards = parseCards(cardsText ?? "");
  const snd = facts.listDir("/dev/snd");
  const playback = playbackDevices(facts);
  const data = {
    cards: cards.map((c) => ({ index: c.index, id: c.id, name: c.name })),
    playback_devices: playback,
  };
  const fix =
    `for offline work: ${RENDER_COMMAND}; to test live output without hardware: ${JACK_DUMMY_COMMAND}`;
  if (cards.length === 0) {
    const where = cardsText === undefined
      ? "/proc/asound does not exist (no ALSA driver loaded)"
      : "/proc/asound/cards lists none";
    const dev = snd === undefined ? "no /dev/snd" : `/dev/snd has ${snd.length} entries`;
    return result("alsa", "FAIL", `no sound card: ${where}, ${dev}`, fix, data);
  }
  const names = cards.map((c) => `${c.index} "${c.name}"`).join(", ");
  if (playback.length === 0) {
    return result(
      "alsa",
      "FAIL",
      `card ${names} but no playback device in /dev/snd (pcmC*D*p)`,
      `check the device permissions (ls -l /dev/snd) and the card's driver; meanwhile: ${fix}`,
      data,
    );
  }
  return result(
    "alsa",
    "PASS",
    `${cards.length} card${cards.length > 1 ? "s" : ""} (${names}), playback devices ${
      playback.join(", ")
    }`,
    undefined,
    data,
  );
}

/**
 * JACK servers that have a socket in /dev/shm (jack2 names it
 * jack_<server>_<uid>_0).
 *
 * @param facts Where to read.
 * @returns Server names and owner uids.
 */
export function jackSockets(facts: SystemFacts): { name: string; uid: number }[] {
  const out: { name: string; uid: number }[] = [];
  for (const n of facts.listDir("/dev/shm") ?? []) {
    const m = n.match(/^jack_(.+)_(\d+)_0$/);
    if (m && !m[1]!.startsWith("sem.")) out.push({ name: m[1]!, uid: Number(m[2]) });
  }
  return out;
}

type Probe = { state: "running"; ports: string[] } | { state: "down" | "timeout" | "no-tool" };

async function askJack(facts: SystemFacts, server: string): Promise<Probe> {
  const r = await facts.run("jack_lsp", ["-s", server], { timeoutMs: JACK_TIMEOUT_MS });
  if (!r) return { state: "no-tool" };
  if (r.code === undefined) return { state: "timeout" };
  if (r.code !== 0) return { state: "down" };
  return { state: "running", ports: r.stdout.split("\n").filter((l) => l.trim() !== "") };
}

/**
 * A running JACK server: the one the engine would use (JACK_DEFAULT_SERVER
 * or "default"), asked with `jack_lsp`; else other servers found by their
 * sockets. No server warns when there is no ALSA device either, else passes
 * (`--backend auto` then uses ALSA).
 *
 * @param facts Where to read and what to run.
 * @returns One result named "jack".
 */
export async function checkJack(facts: SystemFacts): Promise<CheckResult> {
  const wanted = facts.env("JACK_DEFAULT_SERVER") || "default";
  const sockets = jackSockets(facts);
  const data: Record<string, unknown> = { server: wanted, sockets: sockets.map((s) => s.name) };
  const asked = await askJack(facts, wanted);
  if (asked.state === "running") {
    const playback = asked.ports.filter((p) => /^system:playback_/.test(p)).length;
    data.ports = asked.ports.length;
    return result(
      "jack",
      "PASS",
      `server "${wanted}" is running: ${asked.ports.length} ports, ${playback} system playback`,
      undefined,
      data,
    );
  }
  if (asked.state === "no-tool") {
    data.jack_lsp = false;
    if (sockets.some((s) => s.name === wanted)) {
      return result(
        "jack",
        "PASS",
        `server "${wanted}" has a socket in /dev/shm (jack_lsp is not installed to ask it)`,
        undefined,
        data,
      );
    }
  }
  // another server may be running under a name the engine will not look for
  for (const s of sockets.filter((x) => x.name !== wanted).slice(0, 4)) {
    const other = asked.state === "no-tool"
      ? { state: "no-tool" as const }
      : await askJack(facts, s.name);
    if (other.state === "running" || other.state === "no-tool") {
      data.running = s.name;
      return result(
        "jack",
        "WARN",
        `no server "${wanted}", but server "${s.name}" is running: the engine connects to JACK_DEFAULT_SERVER (default "default")`,
        `export JACK_DEFAULT_SERVER=${s.name}`,
        data,
      );
    }
  }
  if (asked.state === "timeout") {
    return result(
      "jack",
      "WARN",
      `server "${wanted}" did not answer jack_lsp within ${JACK_TIMEOUT_MS / 1000} s`,
      "stop the hung server (pgrep -a jackd, then kill <pid>) and start it again",
      data,
    );
  }
  const why = asked.state === "no-tool"
    ? "no JACK server socket in /dev/shm (jack_lsp is not installed)"
    : `no JACK server "${wanted}" is running`;
  if (parseCards(facts.readText("/proc/asound/cards") ?? "").length > 0) {
    return result("jack", "PASS", `${why}: --backend auto will use ALSA`, undefined, data);
  }
  return result(
    "jack",
    "WARN",
    `${why}, and there is no sound card for one`,
    `to test live output without hardware, a dummy server: ${JACK_DUMMY_COMMAND}`,
    data,
  );
}
