/**
 * OSC packets from bytes: one UDP datagram to its messages, each with the
 * time tag of the bundle it came in, or a located error.
 *
 * Thread: CT. Pure: no I/O, no state; never throws for any input (a fuzzer
 * may call {@linkcode decodeOsc} with arbitrary bytes: every failure comes
 * back as `{ error }`). The OSC 1.0 codec itself is osc-js (npm, MIT; the
 * codec Strudel's own OSC output uses), not a hand-written one: this module
 * only bounds what reaches it (size, alignment, nesting), flattens bundles
 * and turns its exceptions into {@linkcode OscDecodeError}s that say where
 * the packet broke. liblo would have meant an FFI binding and a C callback
 * thread into JavaScript for the same work; decoding on the control thread
 * in JavaScript costs microseconds per packet (scripts/bench.ts `osc`).
 *
 * @module
 */
import oscModule from "osc-js";

/** An OSC time tag: NTP seconds since 1900 and a 32-bit binary fraction. */
export interface NtpTime {
  /** Whole seconds since 1900-01-01 00:00 UTC (0..2^32-1). */
  seconds: number;
  /** Fraction of a second in units of 2^-32 (0..2^32-1). */
  fraction: number;
}

/** One argument: OSC's types as JavaScript values. */
export type OscArg = number | string | boolean | null | bigint | Uint8Array;

/** One decoded message. */
export interface OscMessage {
  /** The address pattern, e.g. "/dirt/play". */
  address: string;
  /** The type tag string without its comma, e.g. "sfsi". */
  types: string;
  /** Arguments: i f d as numbers, h t as bigint, s as strings, b as bytes, T F N I as true, false, null, Infinity. */
  args: OscArg[];
  /** The time tag of the innermost bundle it came in; absent for a bare message or "immediately". */
  time?: NtpTime;
}

/** Why a packet could not be decoded, and where. */
export interface OscDecodeError {
  /** Byte offset in the packet of the element that failed (0: the packet itself). */
  offset: number;
  /** The message's address when it could be read. */
  address?: string;
  /** What was wrong, in the project's message shape (action first, values quoted). */
  message: string;
}

/** The largest packet decoded (a UDP datagram over IPv4 carries at most 65,507 bytes). */
export const MAX_PACKET_BYTES = 65_507;
/** Bundles nested deeper than this are refused (OSC sets no limit; senders use 1-2). */
export const MAX_BUNDLE_DEPTH = 8;

/** The OSC time tag "immediately" (seconds 0, fraction 1). */
const IMMEDIATE: NtpTime = { seconds: 0, fraction: 1 };

/** osc-js's class: Deno types its CommonJS export as the module, runs it as the class itself. */
type OscJs = typeof import("osc-js").default;
/** The codec (osc-js's Packet, Bundle, Message, TypedMessage); also what tests encode with. */
export const OSC: OscJs = ((oscModule as unknown as { default?: OscJs }).default ??
  oscModule) as unknown as OscJs;
type Packet = InstanceType<OscJs["Packet"]>;

/**
 * Decode one OSC packet (a message or a bundle, as one datagram carries it).
 *
 * @param bytes The datagram.
 * @returns The messages in order, bundles flattened (each message keeps its
 *   bundle's time tag), or the error with the byte offset where it was found.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOsc } from "./decode.ts";
 * const bytes = new Uint8Array([
 *   ...new TextEncoder().encode("/dirt/handshake\0,\0\0\0"),
 * ]);
 * const r = decodeOsc(bytes);
 * assert("messages" in r && r.messages[0]!.address === "/dirt/handshake");
 * assert("error" in decodeOsc(new Uint8Array([1, 2, 3])));
 * ```
 */
export function decodeOsc(
  bytes: Uint8Array,
): { messages: OscMessage[] } | { error: OscDecodeError } {
  if (bytes.length === 0) return fail(0, "the packet is empty");
  if (bytes.length > MAX_PACKET_BYTES) {
    return fail(0, `the packet has "${bytes.length}" bytes, more than ${MAX_PACKET_BYTES}`);
  }
  if (bytes.length % 4 !== 0) {
    return fail(0, `the packet has "${bytes.length}" bytes, not a multiple of 4`);
  }
  if (bytes[0] !== 0x2f && bytes[0] !== 0x23) { // "/" a message, "#" a bundle
    return fail(0, `the packet starts with byte "${bytes[0]}", neither "/" nor "#bundle"`);
  }
  const framing = checkFraming(bytes);
  if (framing) return { error: framing };
  // a buffer of its own: osc-js reads a bundle's elements through the underlying buffer
  const own = bytes.slice();
  const view = new DataView(own.buffer);
  let packet: Packet;
  try {
    packet = new OSC.Packet();
    const end = packet.unpack(view);
    if (end !== bytes.length && !(packet.value instanceof OSC.Bundle)) {
      return fail(end, `"${bytes.length - end}" bytes follow the message's last argument`);
    }
  } catch (err) {
    return failAt(own, err);
  }
  const messages: OscMessage[] = [];
  // deno-lint-ignore no-explicit-any
  const walk = (item: any, time: NtpTime | undefined): string | undefined => {
    if (item instanceof OSC.Bundle) {
      const tag = item.timetag.value;
      const t: NtpTime = { seconds: tag.seconds, fraction: tag.fractions };
      const inner = t.seconds === IMMEDIATE.seconds && t.fraction === IMMEDIATE.fraction
        ? undefined
        : t;
      for (const el of item.bundleElements) {
        const why = walk(el, inner);
        if (why) return why;
      }
      return undefined;
    }
    if (item instanceof OSC.Message || item instanceof OSC.TypedMessage) {
      const m = item as InstanceType<OscJs["TypedMessage"]>;
      if (!m.types.startsWith(",")) {
        return `message "${m.address}" has the type tag string "${m.types}", not starting with ","`;
      }
      const types = m.types.slice(1);
      const args = m.args.map((a: unknown, i: number) => argValue(types[i]!, a));
      messages.push({ address: m.address, types, args, ...(time ? { time } : {}) });
      return undefined;
    }
    return "the bundle holds an element that is neither a message nor a bundle";
  };
  const why = walk(packet.value, undefined);
  if (why) return fail(0, why);
  return { messages };
}

/** osc-js's value for one type tag as the plain value {@linkcode OscArg} promises. */
function argValue(type: string, v: unknown): OscArg {
  switch (type) {
    case "T":
      return true;
    case "F":
      return false;
    case "N":
      return null;
    case "I":
      return Infinity;
    default:
      return v as OscArg;
  }
}

/**
 * Check how bundles frame their elements, before the codec walks them: every
 * element size positive, a multiple of 4 and inside its bundle, bundles
 * nested at most {@linkcode MAX_BUNDLE_DEPTH} deep (osc-js trusts the sizes).
 */
function checkFraming(bytes: Uint8Array): OscDecodeError | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const walk = (start: number, end: number, level: number): OscDecodeError | undefined => {
    if (!isBundleHead(bytes, start)) return undefined;
    if (level >= MAX_BUNDLE_DEPTH) {
      return fail(start, `bundles are nested more than ${MAX_BUNDLE_DEPTH} deep`).error;
    }
    if (end - start < 16) return fail(start, "the bundle ends inside its time tag").error;
    for (let at = start + 16; at < end;) {
      if (at + 4 > end) return fail(at, "the bundle ends inside an element size").error;
      const size = view.getInt32(at);
      if (size <= 0 || size % 4 !== 0) {
        return fail(at, `the element size "${size}" is not a positive multiple of 4`).error;
      }
      if (at + 4 + size > end) {
        return fail(
          at,
          `the element of "${size}" bytes ends past its bundle (truncated at byte ${end})`,
        ).error;
      }
      const inner = walk(at + 4, at + 4 + size, level + 1);
      if (inner) return inner;
      at += 4 + size;
    }
    return undefined;
  };
  return walk(0, bytes.length, 0);
}

const BUNDLE_HEAD = [0x23, 0x62, 0x75, 0x6e, 0x64, 0x6c, 0x65, 0]; // "#bundle\0"

function isBundleHead(bytes: Uint8Array, at: number): boolean {
  return BUNDLE_HEAD.every((b, i) => bytes[at + i] === b);
}

function fail(offset: number, what: string, address?: string): { error: OscDecodeError } {
  return {
    error: {
      offset,
      ...(address !== undefined ? { address } : {}),
      message: `Cannot decode OSC packet${
        address !== undefined ? ` for "${address}"` : ""
      } at byte ${offset}: ${what}`,
    },
  };
}

/**
 * The error osc-js threw, located: the message whose decoding failed (the
 * packet's own, or the first element of a bundle that does not decode alone).
 */
function failAt(bytes: Uint8Array, err: unknown): { error: OscDecodeError } {
  const what = err instanceof Error ? err.message : String(err);
  const reason = what.startsWith("Offset is outside") || err instanceof RangeError
    ? "the packet ends inside an element (truncated)"
    : what.replace(/^OSC /, "").replace(/\.$/, "");
  const { offset, address } = locate(bytes, 0, bytes.length);
  return fail(offset, reason, address);
}

/** The first message in [start, end) that does not decode on its own. */
function locate(
  bytes: Uint8Array,
  start: number,
  end: number,
): { offset: number; address?: string } {
  if (!isBundleHead(bytes, start)) return { offset: start, ...addressAt(bytes, start, end) };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = start + 16; at < end;) {
    if (at + 4 > end) return { offset: at };
    const size = view.getInt32(at);
    if (size <= 0 || size % 4 !== 0 || at + 4 + size > end) return { offset: at };
    if (!decodesAlone(bytes, at + 4, size)) return locate(bytes, at + 4, at + 4 + size);
    at += 4 + size;
  }
  return { offset: start };
}

function decodesAlone(bytes: Uint8Array, at: number, size: number): boolean {
  try {
    new OSC.Packet().unpack(new DataView(bytes.buffer, bytes.byteOffset + at, size));
    return true;
  } catch {
    return false;
  }
}

/** The address string at `at`, when it is a readable, terminated "/..." string. */
function addressAt(bytes: Uint8Array, at: number, end: number): { address?: string } {
  if (bytes[at] !== 0x2f) return {};
  const stop = bytes.subarray(at, end).indexOf(0);
  if (stop < 0) return {};
  return { address: new TextDecoder().decode(bytes.subarray(at, at + stop)) };
}
