/**
 * Measuring rendered audio in tests: shared so every test reads pitch,
 * spectra and files the same way; and the small sampler fixture the MIDI tests share.
 *
 * @module
 */

import { Sampler } from "../lib/engine/sampler.ts";

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

/**
 * The chunks of a RIFF WAVE file after its 12-byte header, in order.
 *
 * @param bytes The whole file.
 * @returns Each chunk's id, its data's offset in `bytes`, its declared size, and a
 *   DataView over the whole file.
 */
export function* wavChunks(
  bytes: Uint8Array,
): Generator<{ id: string; at: number; size: number; view: DataView }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 12;
  while (p + 8 <= bytes.length) {
    const id = new TextDecoder().decode(bytes.subarray(p, p + 4));
    const size = view.getUint32(p + 4, true);
    yield { id, at: p + 8, size, view };
    p += 8 + size + (size & 1);
  }
}

/** Interleaved float samples of a 32-bit float WAV file. */
export function readWavF32(bytes: Uint8Array): Float32Array {
  for (const { id, at, size } of wavChunks(bytes)) {
    if (id === "data") return new Float32Array(bytes.slice(at, at + size).buffer);
  }
  throw new Error("no data chunk");
}

/** In-place radix-2 FFT (re, im of a power-of-two length). */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = -2 * Math.PI / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k), wi = Math.sin(ang * k);
        const a = i + k, b = a + len / 2;
        const xr = re[b]! * wr - im[b]! * wi, xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

/**
 * A sampler with two instruments on one looped 440 Hz sine: "a" plays key 69
 * at 440 Hz, "b" plays key 57 at 440 Hz (so a mapping's transposition shows as
 * a frequency).
 */
export function twoSineInstruments(rate: number): Sampler {
  const sampler = Sampler.open({ sampleRate: rate });
  const sine = new Float32Array(rate).map((_, i) => 0.5 * Math.sin(i / rate * 2 * Math.PI * 440));
  const sample = sampler.createSample(sine);
  const zone = {
    loop: { mode: "forward" },
    envelope: { attack: 0, decay: 0, sustain: 1, release: 0.01 },
  } as const;
  sampler.createInstrument("a").addZone(sample, { ...zone, rootKey: 69 });
  sampler.createInstrument("b").addZone(sample, { ...zone, rootKey: 57 });
  return sampler;
}
