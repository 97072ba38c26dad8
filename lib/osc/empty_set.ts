/**
 * The set `perform --osc` plays when no set file is given: no parts, the
 * shipped sound names. Everything heard comes over OSC (lib/osc/input.ts).
 *
 * @module
 */
import { defineSet } from "../live/set.ts";

export default defineSet(() => {});
