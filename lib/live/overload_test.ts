import assert from "node:assert/strict";
import { OverloadNotes } from "./overload.ts";

Deno.test("overload notes: said when a count first rises, then once per interval with the count since", () => {
  const n = new OverloadNotes({ voices: 8, ringCapacity: 64 }, 1000);
  const q = { memoryBytes: 0, memoryLockedBytes: 0 };
  assert.deepEqual(n.check({ ...q, eventsDropped: 0, eventsLate: 0, voicesStolen: 0 }, 0), []);
  const [v] = n.check({ ...q, eventsDropped: 0, eventsLate: 0, voicesStolen: 3 }, 10);
  assert.equal(
    v,
    "Cannot give every note a voice: all 8 voices were busy, so 3 sounding notes faded out early " +
      "(stolen, oldest and released first); thin the parts, shorten releases, or raise --voices",
  );
  // within the interval: counted, not said
  assert.deepEqual(n.check({ ...q, eventsDropped: 0, eventsLate: 0, voicesStolen: 7 }, 500), []);
  // after it: the steals since the last note
  assert.match(
    n.check({ ...q, eventsDropped: 0, eventsLate: 0, voicesStolen: 9 }, 1010)[0]!,
    /so 6 sounding notes/,
  );
  assert.deepEqual(n.check({ ...q, eventsDropped: 0, eventsLate: 0, voicesStolen: 9 }, 5000), []);
  const [d] = n.check({ ...q, eventsDropped: 1, eventsLate: 0, voicesStolen: 9 }, 5001);
  assert.equal(
    d,
    'Cannot play 1 event: the event ring (64 records) was full, so they were dropped (counted in "dropped"); ' +
      "thin the densest part, or shorten --lookahead-ms",
  );
  const [l] = n.check({ ...q, eventsDropped: 1, eventsLate: 2, voicesStolen: 9 }, 5002);
  assert.equal(
    l,
    'Cannot play 2 events on time: they reached the engine after their frame and sounded late (counted in "late"); ' +
      "the set takes longer to schedule than the look-ahead: raise --lookahead-ms, or thin the parts",
  );
  // all at once: three lines
  assert.equal(
    n.check({ ...q, eventsDropped: 5, eventsLate: 3, voicesStolen: 10 }, 9000).length,
    3,
  );
});

Deno.test("overload notes: memory left unlocked by the lock limit is said once; none locked says nothing", () => {
  const n = new OverloadNotes({ voices: 8, ringCapacity: 64 }, 1000);
  const c = { eventsDropped: 0, eventsLate: 0, voicesStolen: 0 };
  // not locking at all (normal priority, or the start's warning said why): nothing here
  assert.deepEqual(n.check({ ...c, memoryBytes: 50e6, memoryLockedBytes: 0 }, 0), []);
  assert.deepEqual(n.check({ ...c, memoryBytes: 50e6, memoryLockedBytes: 50e6 }, 1), []);
  assert.deepEqual(n.check({ ...c, memoryBytes: 90e6, memoryLockedBytes: 64e6 }, 2), [
    "Cannot lock all the engine's memory in RAM: 64.0 MB of 90.0 MB locked, the memory-lock limit " +
    "reached: the rest may be paged out and glitch: raise the limit (ulimit -l, limits.conf " +
    "memlock) or give the process CAP_IPC_LOCK",
  ]);
  assert.deepEqual(n.check({ ...c, memoryBytes: 99e6, memoryLockedBytes: 64e6 }, 5000), []);
});
