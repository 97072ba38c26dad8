/**
 * An offline session for tests (lib/live/session_test.ts,
 * lib/live/strudel_file_test.ts, tests/perform_test.ts): a Session on a
 * 48 kHz sampler that collects its notes and warnings, sets applied to it,
 * and playing it up to a frame.
 *
 * @module
 */
import { Sampler } from "../lib/engine/sampler.ts";
import { InstrumentCache } from "../lib/live/instruments.ts";
import {
  type ReloadReport,
  type ScheduledNote,
  Session,
  type SessionOptions,
} from "../lib/live/session.ts";
import { evaluateSet, type SetFunction, type SwapMode } from "../lib/live/set.ts";
import { TICKS_PER_CYCLE } from "../lib/live/source.ts";

/** A session on an offline sampler at 48 kHz, collecting notes and warnings. */
export function openSession(extra: Partial<SessionOptions> = {}): {
  sampler: Sampler;
  session: Session;
  notes: ScheduledNote[];
  warnings: string[];
} {
  const sampler = Sampler.open({ sampleRate: 48000 });
  const notes: ScheduledNote[] = [];
  const warnings: string[] = [];
  const session = new Session(sampler, {
    instruments: new InstrumentCache(sampler),
    onNote: (x) => notes.push(x),
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  return { sampler, session, notes, warnings };
}

/** Schedule and release everything before `frame`. */
export function playTo(session: Session, frame: number): void {
  session.advance(frame);
  session.flush(frame);
}

/** Evaluate a set (seed 1) and apply it to the session. */
export async function applySet(
  session: Session,
  fn: SetFunction,
  mode?: SwapMode,
): Promise<ReloadReport> {
  return await session.apply(await evaluateSet(fn, 1), mode);
}

/** Notes a set schedules for `cycles` cycles at 48 kHz. */
export async function notesOf(fn: SetFunction, cycles: number, seed = 1): Promise<ScheduledNote[]> {
  const { sampler, session, notes } = openSession({ seed });
  using _ = sampler;
  await session.apply(await evaluateSet(fn, seed));
  playTo(session, session.frameOfTick(cycles * TICKS_PER_CYCLE));
  return notes;
}
