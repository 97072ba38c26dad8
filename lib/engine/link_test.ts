import assert from "node:assert/strict";
import { linkAvailable } from "./link.ts";
import { Sampler } from "./sampler.ts";
import { UnsupportedError } from "../errors.ts";

// A Link session is never created here: Link's multicast would leave the machine.
// tests/link_live_test.ts and engine/tests/link run sessions in a private network namespace.

Deno.test("joinLink: a quantum out of 1..64 is refused before any session exists", () => {
  using sampler = Sampler.open({});
  for (const quantum of [0, 0.5, 65, NaN]) {
    assert.throws(() => sampler.joinLink({ quantum }), RangeError);
  }
  assert.equal(sampler.link, undefined);
});

Deno.test({
  name: "joinLink without Link in the engine: UnsupportedError saying what to install",
  ignore: linkAvailable(),
  fn() {
    using sampler = Sampler.open({});
    assert.throws(
      () => sampler.joinLink(),
      (e: unknown) => e instanceof UnsupportedError && /ableton-link-dev/.test(e.message),
    );
  },
});
