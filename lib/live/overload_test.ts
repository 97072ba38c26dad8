import assert from "node:assert/strict";
import { OverloadNotes } from "./overload.ts";

Deno.test("overload notes: said when a count first rises, then once per interval with the count since", () => {
  const n = new OverloadNotes({ voices: 8, ringCapacity: 64 }, 1000);
  assert.deepEqual(n.check({ eventsDropped: 0, eventsLate: 0, voicesStolen: 0 }, 0), []);
  const [v] = n.check({ eventsDropped: 0, eventsLate: 0, voicesStolen: 3 }, 10);
  assert.equal(
    v,
    "Cannot give every note a voice: all 8 voices were busy, so 3 sounding notes faded out early " +
      "(stolen, oldest and released first); thin the parts, shorten releases, or raise --voices",
  );
  // within the interval: counted, not said
  assert.deepEqual(n.check({ eventsDropped: 0, eventsLate: 0, voicesStolen: 7 }, 500), []);
  // after it: the steals since the last note
  assert.match(
    n.check({ eventsDropped: 0, eventsLate: 0, voicesStolen: 9 }, 1010)[0]!,
    /so 6 sounding notes/,
  );
  assert.deepEqual(n.check({ eventsDropped: 0, eventsLate: 0, voicesStolen: 9 }, 5000), []);
  const [d] = n.check({ eventsDropped: 1, eventsLate: 0, voicesStolen: 9 }, 5001);
  assert.equal(
    d,
    'Cannot play 1 event: the event ring (64 records) was full, so they were dropped (counted in "dropped"); ' +
      "thin the densest part, or shorten --lookahead-ms",
  );
  const [l] = n.check({ eventsDropped: 1, eventsLate: 2, voicesStolen: 9 }, 5002);
  assert.equal(
    l,
    'Cannot play 2 events on time: they reached the engine after their frame and sounded late (counted in "late"); ' +
      "the set takes longer to schedule than the look-ahead: raise --lookahead-ms, or thin the parts",
  );
  // all at once: three lines
  assert.equal(n.check({ eventsDropped: 5, eventsLate: 3, voicesStolen: 10 }, 9000).length, 3);
});
