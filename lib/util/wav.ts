/**
 * The canonical 44-byte WAV header (RIFF, a 16-byte `fmt ` chunk, then the
 * `data` chunk's header), for writers that stream their samples after it.
 *
 * Thread: CT. Pure: builds bytes, no I/O.
 *
 * @module
 */

/** What a WAV header says about the samples that follow it. */
export interface WavFormat {
  /** Channels, interleaved. */
  channels: number;
  /** Sample rate in Hz. */
  rate: number;
  /** Bits per sample: 16, 24 or 32. */
  bits: number;
  /** IEEE float samples (format tag 3) instead of PCM (1). @default false */
  float?: boolean;
}

/**
 * A 44-byte WAV header for `dataBytes` of samples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const h = wavHeader(400, { channels: 2, rate: 48000, bits: 16 });
 * assert.equal(new TextDecoder().decode(h.subarray(0, 4)), "RIFF");
 * assert.equal(h.length, 44);
 * ```
 */
export function wavHeader(dataBytes: number, format: WavFormat): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(44);
  const v = new DataView(b.buffer);
  const tag = (o: number, s: string) => {
    for (let i = 0; i < 4; i++) v.setUint8(o + i, s.charCodeAt(i));
  };
  const block = format.channels * format.bits / 8;
  tag(0, "RIFF");
  v.setUint32(4, 36 + dataBytes, true);
  tag(8, "WAVE");
  tag(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, format.float ? 3 : 1, true);
  v.setUint16(22, format.channels, true);
  v.setUint32(24, format.rate, true);
  v.setUint32(28, format.rate * block, true);
  v.setUint16(32, block, true);
  v.setUint16(34, format.bits, true);
  tag(36, "data");
  v.setUint32(40, dataBytes, true);
  return b;
}
