/**
 * RIFF writing for test fixtures: the SoundFonts tests/fuzz/targets.ts and
 * lib/instrument/sf2/sf2_test.ts build byte by byte share these chunks.
 *
 * @module
 */
const enc = new TextEncoder();

/**
 * Byte arrays one after another.
 *
 * @param parts The arrays, in order.
 * @returns Their concatenation.
 */
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A RIFF chunk: id, little-endian size, data, pad byte.
 *
 * @param id Four ASCII characters.
 * @param data The chunk's data.
 * @returns The chunk's bytes.
 */
export function chunk(id: string, data: Uint8Array): Uint8Array {
  const pad = data.length & 1;
  const out = new Uint8Array(8 + data.length + pad);
  out.set(enc.encode(id), 0);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

/**
 * A LIST chunk: `kind`, then the chunks.
 *
 * @param kind Four ASCII characters (e.g. "INFO", "pdta").
 * @param chunks The chunks it holds.
 * @returns The LIST chunk's bytes.
 */
export function list(kind: string, ...chunks: Uint8Array[]): Uint8Array {
  return chunk("LIST", cat(enc.encode(kind), ...chunks));
}
