/**
 * Percentiles of the engine's render-time histograms (ms_stats_t.render_ns_hist
 * and the MIDI input latency histogram), shared by the sampler's stats, the
 * MIDI input's stats and the benchmarks.
 *
 * @module
 */
/**
 * The render time below which a fraction q of calls fell, from the engine's
 * eighth-octave histogram (ms_stats_t.render_ns_hist): the upper edge of the
 * bucket holding the q-th call, 0 when nothing was rendered.
 *
 * @param hist Bucket counts; bucket 8*o + k starts at 1000 * 2^o * (1 + k/8) ns.
 * @param q Fraction, 0..1.
 * @returns Nanoseconds.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { histogramPercentile } from "./histogram.ts";
 * const hist = new Array(128).fill(0);
 * hist[8] = 10; // ten calls of 2..2.25 us
 * assert(histogramPercentile(hist, 0.5) === 2250);
 * ```
 */
export function histogramPercentile(hist: readonly number[], q: number): number {
  const total = hist.reduce((a, b) => a + b, 0);
  if (!total) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= rank) {
      const next = i + 1;
      return 1000 * 2 ** Math.floor(next / 8) * (1 + (next % 8) / 8);
    }
  }
  return 0;
}
