/**
 * Measuring rendered audio in tests: shared so every test reads pitch the
 * same way.
 *
 * @module
 */

/**
 * Frequency of the left channel of interleaved stereo over frames
 * [from, to), from its rising zero crossings (interpolated within a frame).
 *
 * @param audio Interleaved stereo samples.
 * @param from First frame.
 * @param to Frame after the last.
 * @param rate Sample rate in Hz.
 * @returns Hz, or 0 when fewer than three crossings were found.
 */
export function risingCrossingHz(
  audio: Float32Array,
  from: number,
  to: number,
  rate: number,
): number {
  let first = -1, last = -1, n = 0;
  for (let i = from + 1; i < to; i++) {
    const a = audio[2 * (i - 1)]!, b = audio[2 * i]!;
    if (a < 0 && b >= 0) {
      const t = i - 1 + a / (a - b);
      if (first < 0) first = t;
      last = t;
      n++;
    }
  }
  return n > 2 ? (n - 1) * rate / (last - first) : 0;
}
