/**
 * A SuperDirt-compatible OSC input: TidalCycles (or Strudel's OSC output)
 * sends its events here instead of to SuperDirt, and the session plays them
 * on the frames their bundles' time tags name.
 *
 * Thread: CT. One UDP socket (Deno.listenDatagram, loopback unless told
 * otherwise) read in a loop on the JavaScript thread; each datagram is
 * decoded (lib/osc/decode.ts), its `/dirt/play` events translated
 * (lib/osc/dirt.ts) and queued on the session (Session.playAt: the same
 * resolution as a set's events), then released to the engine's ring at once
 * (Session.releaseDue + the output's pump), so a packet reaches the ring in
 * the same turn of the event loop that received it. A sound not played
 * before loads first (its events wait, in order). Never prints and never
 * throws for what arrives: malformed packets, unknown addresses, events
 * that cannot play are counted in {@linkcode DirtInputStats} and reported
 * once per cause through `onWarning`.
 *
 * @module
 */
import type { Session } from "../live/session.ts";
import { decodeOsc, type NtpTime, type OscMessage } from "./decode.ts";
import { dirtEvent, dirtParams, FrameTimeMap, handshakeReply, helloReply, ntpNow } from "./dirt.ts";

export type { NtpTime };

/** SuperDirt's port, where Tidal and Strudel's OSC bridge send by default. */
export const DIRT_PORT = 57120;

/** What the input received and did. */
export interface DirtInputStats {
  /** Datagrams received. */
  packets: number;
  /** `/dirt/play` events queued to play. */
  played: number;
  /** Of those, events whose time tag had already passed (played at once). */
  late: number;
  /** Packets that did not decode, and `/dirt/play` messages whose arguments were malformed. */
  malformed: number;
  /** Messages to addresses this input does not handle. */
  unknown: number;
  /** `/dirt/play` events that could not play (no such sound, a bad value): warned once each. */
  skipped: number;
  /** Handshakes answered. */
  handshakes: number;
  /** The last cycle a sender named (Tidal's `cycle`). */
  cycle?: number;
  /** Times the time-tag-to-frame map moved to follow the audio clock. */
  clockAdjustments: number;
}

/** Options of {@linkcode DirtInput}. */
export interface DirtInputOptions {
  /** The session whose sounds and engine play the events. */
  session: Session;
  /** Time tags to frames. @default anchored at the first packet: now ↔ `renderFrame()` */
  map?: FrameTimeMap;
  /** The engine's render position. @default session.sampler.now() */
  renderFrame?: () => number;
  /**
   * The frame an event without a time tag (or "immediately") plays on.
   * @default renderFrame()
   */
  immediateFrame?: () => number;
  /** Hand queued notes to the engine (the live output's pump). @default none */
  pump?: () => void;
  /** Host named in the handshake reply. @default "127.0.0.1" */
  host?: string;
  /** Problems, once per cause. */
  onWarning?: (text: string) => void;
}

/** A reply to send back to a packet's sender. */
export interface Reply {
  bytes: Uint8Array;
}

/** Events kept waiting while a sound loads; more are skipped (a flood cannot grow memory). */
const MAX_WAITING = 10_000;
/** Distinct OSC warnings printed before the rest are only counted. */
const MAX_WARNINGS = 50;

/** The part name OSC events carry (warnings, recorded notes). */
export const OSC_PART = "osc";

/** Receives SuperDirt's OSC protocol and plays it through a session. */
export class DirtInput {
  readonly #opts: DirtInputOptions;
  readonly #session: Session;
  #map: FrameTimeMap | undefined;
  readonly #warned = new Set<string>();
  /** Instruments that failed to load: their events are skipped. */
  readonly #failed = new Set<string>();
  #busy: Promise<void> | undefined;
  #waiting: { messages: OscMessage[] }[] = [];
  #waitingCount = 0;
  readonly stats: DirtInputStats = {
    packets: 0,
    played: 0,
    late: 0,
    malformed: 0,
    unknown: 0,
    skipped: 0,
    handshakes: 0,
    clockAdjustments: 0,
  };

  constructor(options: DirtInputOptions) {
    this.#opts = options;
    this.#session = options.session;
    this.#map = options.map;
  }

  /** The time-tag-to-frame map (created at the first packet when not given). */
  get map(): FrameTimeMap {
    if (!this.#map) {
      this.#map = new FrameTimeMap(this.#session.sampler.sampleRate, ntpNow(), this.#render());
    }
    return this.#map;
  }

  #render(): number {
    return this.#opts.renderFrame ? this.#opts.renderFrame() : this.#session.sampler.now();
  }

  /**
   * Warn once per cause: the key drops numbers (a flood of garbage differing in
   * sizes and offsets is one cause), and after MAX_WARNINGS causes the rest are
   * only counted.
   */
  #warn(key: string, text: string): void {
    const cause = key.replace(/\d+/g, "#");
    if (this.#warned.has(cause)) return;
    if (this.#warned.size >= MAX_WARNINGS) {
      if (this.#warned.size === MAX_WARNINGS) {
        this.#warned.add("");
        this.#opts.onWarning?.(
          `OSC input: ${MAX_WARNINGS} kinds of problem reported: further ones are only counted`,
        );
      }
      return;
    }
    this.#warned.add(cause);
    this.#opts.onWarning?.(text);
  }

  /**
   * Handle one datagram: answer handshakes, play events. Never throws for
   * what the bytes hold.
   *
   * @param bytes The datagram.
   * @returns Replies to send back to its sender.
   */
  handle(bytes: Uint8Array): Reply[] {
    this.stats.packets++;
    const decoded = decodeOsc(bytes);
    if ("error" in decoded) {
      this.stats.malformed++;
      this.#warn(`decode:${decoded.error.message}`, `${decoded.error.message}: ignored`);
      return [];
    }
    const replies: Reply[] = [];
    const plays: OscMessage[] = [];
    for (const m of decoded.messages) {
      if (m.address === "/dirt/play") plays.push(m);
      else if (m.address === "/dirt/handshake") {
        this.stats.handshakes++;
        replies.push({ bytes: handshakeReply(this.#opts.host ?? "127.0.0.1", DIRT_PORT) });
      } else if (m.address === "/dirt/hello") replies.push({ bytes: helloReply() });
      else {
        this.stats.unknown++;
        this.#warn(
          `address:${m.address}`,
          `Cannot handle OSC address "${m.address}": only /dirt/play, /dirt/handshake and /dirt/hello are understood: ignored`,
        );
      }
    }
    if (plays.length) {
      if (!this.#busy) this.#play(plays);
      else if (this.#waitingCount < MAX_WAITING) { // a sound is loading: keep the order
        this.#waiting.push({ messages: plays });
        this.#waitingCount += plays.length;
      } else {
        this.stats.skipped += plays.length;
        this.#warn(
          "waiting",
          `Cannot play "/dirt/play": ${MAX_WAITING} events wait for a sound to load: skipped`,
        );
      }
    }
    return replies;
  }

  /** Play `/dirt/play` messages in order; stop at one whose sound must load first. */
  #play(messages: OscMessage[]): void {
    const session = this.#session;
    // notes before this frame are within what the scheduler already released: hand them over now
    const scheduled = session.frameOfTick(session.cursorTicks) - 1;
    let due = false;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const params = dirtParams(m);
      if (typeof params === "string") {
        this.stats.malformed++;
        this.#warn(`params:${params}`, `${params}: ignored`);
        continue;
      }
      const ev = dirtEvent(
        params,
        (s) => session.isPitchedSound(s),
        (s) => session.hasSound(s),
      );
      if (typeof ev === "string") {
        this.stats.skipped++;
        this.#warn(`event:${ev}`, `Cannot play "/dirt/play": ${ev}: skipped`);
        continue;
      }
      if (ev.cycle !== undefined) this.stats.cycle = ev.cycle;
      const name = ev.value.s ?? ev.value.sound;
      if (typeof name === "string" && ev.value.bank === undefined && !session.hasSound(name)) {
        // said here, where warnings are bounded: a flood of made-up names stays quiet
        this.stats.skipped++;
        this.#warn(
          `nosound:${name}`,
          `Cannot play "/dirt/play": no sound "${name}" (not shipped, not in the set or its packs): skipped`,
        );
        continue;
      }
      const missing = session.soundToLoad(ev.value);
      if (missing !== undefined && this.#failed.has(missing)) {
        this.stats.skipped++;
        continue;
      }
      if (missing !== undefined) {
        this.#load(missing, ev.value, messages.slice(i));
        return;
      }
      const frame = m.time ? this.map.frameOf(m.time) : this.#immediate();
      const now = this.#render();
      const note = session.playAt(OSC_PART, ev.value, Math.max(0, frame), ev.seconds, ev.cps);
      if (!note) {
        this.stats.skipped++;
        continue;
      }
      this.stats.played++;
      if (frame < now) this.stats.late++;
      if (note.frame < scheduled) due = true;
    }
    if (!due) return; // later notes go with the scheduler's next advance
    session.releaseDue();
    this.#opts.pump?.();
  }

  #immediate(): number {
    return this.#opts.immediateFrame ? this.#opts.immediateFrame() : this.#render();
  }

  /** Load the sound `value` plays, then go on with `rest` and what arrived meanwhile. */
  #load(instrument: string, value: Record<string, unknown>, rest: OscMessage[]): void {
    this.#busy = (async () => {
      try {
        const why = await this.#session.loadSoundOf(value);
        if (why) this.#warn(`load:${why}`, `Cannot play "/dirt/play": ${why}: skipped`);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        this.#warn(`load:${text}`, `${text}: its events are skipped`);
        this.#failed.add(instrument);
      }
      this.#busy = undefined;
      const queued = [rest, ...this.#waiting.map((w) => w.messages)];
      this.#waiting = [];
      this.#waitingCount = 0;
      for (const q of queued) {
        if (this.#busy) {
          this.#waiting.push({ messages: q });
          this.#waitingCount += q.length;
        } else this.#play(q);
      }
    })();
  }

  /** Resolves when no sound is loading. */
  async idle(): Promise<void> {
    while (this.#busy) await this.#busy;
  }

  /**
   * Follow the audio clock (call it now and then, e.g. from the scheduler's tick).
   */
  observeClock(): void {
    if (!this.#map) return;
    this.#map.observe(ntpNow(), this.#render());
    this.stats.clockAdjustments = this.#map.adjustments;
  }
}

/** Options of {@linkcode listenDirt}. */
export interface ListenOptions extends DirtInputOptions {
  /** UDP port. @default 57120 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" (loopback only) */
  hostname?: string;
  /**
   * Called after each datagram with the milliseconds from its arrival in
   * JavaScript to its events in the ring (decode, resolve, queue, pump).
   */
  onHandled?: (ms: number) => void;
}

/** A listening input. */
export interface DirtListener {
  readonly input: DirtInput;
  /** The address bound (the port chosen when 0 was asked). */
  readonly addr: Deno.NetAddr;
  /** Stop listening. Idempotent. */
  close(): void;
  /** Resolves when the receive loop has ended. */
  readonly closed: Promise<void>;
}

/**
 * Listen for SuperDirt's protocol on a UDP port.
 *
 * @param options The session, the port (default 57120) and host (default loopback).
 * @returns The listener.
 * @throws {Deno.errors.AddrInUse} when the port is taken (SuperDirt itself runs?).
 */
export function listenDirt(options: ListenOptions): DirtListener {
  const input = new DirtInput(options);
  const sock = Deno.listenDatagram({
    transport: "udp",
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? DIRT_PORT,
  });
  let open = true;
  const closed = (async () => {
    while (open) {
      let got: [Uint8Array, Deno.Addr];
      try {
        got = await sock.receive();
      } catch (err) {
        if (!open) break;
        options.onWarning?.(`OSC input stopped: ${err instanceof Error ? err.message : err}`);
        break;
      }
      let replies: Reply[] = [];
      const t0 = performance.now();
      try {
        replies = input.handle(got[0]);
        options.onHandled?.(performance.now() - t0);
      } catch (err) {
        // the engine closed under a packet (the session is ending): nothing left to play into
        if (!open) break;
        options.onWarning?.(`OSC packet dropped: ${err instanceof Error ? err.message : err}`);
      }
      for (const r of replies) sock.send(r.bytes, got[1]).catch(() => {});
    }
  })();
  return {
    input,
    addr: sock.addr as Deno.NetAddr,
    close() {
      if (!open) return;
      open = false;
      try {
        sock.close();
      } catch {
        // already closed
      }
    },
    closed,
  };
}
