/**
 * Ableton Link end to end: a live session (what `perform --link
 * --link-start-stop` runs) and a Link peer program in one private network
 * namespace (`unshare -n`, loopback only: Link's multicast never leaves the
 * machine). The checks run in tests/link_child.ts, inside the namespace:
 * late join (tempo within 0.01 bpm, phase within 1 ms), notes on the
 * shared beat, tempo both ways, start/stop both ways. Skipped, with the
 * reason, when the engine was built without Link, jackd is missing, the
 * peer program was not built, or no namespace can be created.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { locateLibrary } from "../lib/ffi/build.ts";
import { linkAvailable } from "../lib/engine/link.ts";
import { runLinkChild } from "../scripts/live_support.ts";
import { HAVE_JACK } from "./perform_live_support.ts";

/** The Link peer built beside the engine library (engine/tests/link/link_peer.cpp). */
export const LINK_PEER: string = join(dirname(locateLibrary().path), "tests", "link", "link_peer");

/** Why the Link tests cannot run here, or "" when they can. */
export function linkSkipReason(): string {
  if (!linkAvailable()) {
    return "the engine was built without Ableton Link (ableton-link-dev, libasio-dev)";
  }
  try {
    Deno.statSync(LINK_PEER);
  } catch {
    return `no Link peer program at ${LINK_PEER} (built with the engine's tests)`;
  }
  const probe = new Deno.Command("unshare", { args: ["-n", "true"], stderr: "null" }).outputSync();
  if (!probe.success) return "cannot create a private network namespace (unshare -n)";
  return "";
}

const skip = HAVE_JACK ? linkSkipReason() : "jackd or jack_wait not installed";

Deno.test({
  name: `Link: a live session joins a running session, follows and leads tempo and start/stop${
    skip ? ` (skipped: ${skip})` : ""
  }`,
  ignore: skip !== "",
  async fn() {
    const r = await runLinkChild(LINK_PEER, []);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const line = r.out.split("\n").find((l) => l.startsWith('{"link"'));
    assert.ok(line, r.out);
    const figures = JSON.parse(line!);
    assert.equal(figures.failed, false);
    assert.ok(figures.joinPhaseMs < 1 && figures.afterTempoPhaseMs < 1 && figures.placementMs < 1);
  },
});
