/**
 * SFZ import without the engine: a table of snippets and the model each must
 * give (inheritance, note names, #define, #include, comments, paths with
 * spaces and backslashes, opcode mapping), warnings listed once, malformed
 * lines as file:line errors, and a deterministic fuzz loop over mutated SFZ
 * text that must never crash the importer.
 */

import assert from "node:assert/strict";
import { InstrumentDefinitionError } from "../../errors.ts";
import type { ZoneDefinition } from "../schema.ts";
import { convertSfzFile, importSfz } from "./import.ts";

const ROOT = "/sfz";

/** Import `main` (and other files of `files`) from an in-memory tree. */
function load(main: string, files: Record<string, string> = {}) {
  const tree: Record<string, string> = { [`${ROOT}/main.sfz`]: main };
  for (const [name, text] of Object.entries(files)) tree[`${ROOT}/${name}`] = text;
  return importSfz(`${ROOT}/main.sfz`, {
    read: (p) => {
      const t = tree[p];
      if (t === undefined) throw new Deno.errors.NotFound(`no file ${p}`);
      return t;
    },
  });
}

function zones(main: string, files: Record<string, string> = {}): ZoneDefinition[] {
  return load(main, files).definition.zones;
}

function errorOf(main: string, files: Record<string, string> = {}): string {
  try {
    load(main, files);
  } catch (err) {
    assert.ok(err instanceof InstrumentDefinitionError, `not a definition error: ${err}`);
    return err.message;
  }
  assert.fail("the SFZ was accepted");
}

/** Zone fields every SFZ region gets: SFZ chokes only through off_by. */
const BASE = { offBy: "none" } as const;

const CASES: { name: string; sfz: string; files?: Record<string, string>; want: unknown[] }[] = [
  {
    name: "a bare region: SFZ's root key 60, all keys and velocities",
    sfz: "<region> sample=a.wav",
    want: [{ ...BASE, sample: "a.wav", rootKey: 60 }],
  },
  {
    name: "key sets both ends and the root; note names with sharps and flats, c4 = 60",
    sfz:
      "<region> sample=a.wav key=c#4\n<region> sample=b.wav lokey=Db2 hikey=e2 pitch_keycenter=d2",
    want: [
      { ...BASE, sample: "a.wav", keys: [61, 61], rootKey: 61 },
      { ...BASE, sample: "b.wav", keys: [37, 40], rootKey: 38 },
    ],
  },
  {
    name: "inheritance: global < master < group < region, later wins; headers reset lower levels",
    sfz: `<global> volume=-6 pan=50
<master> tune=10 ampeg_release=1
<group> lovel=64 tune=20
<region> sample=a.wav
<region> sample=b.wav tune=30 pan=-100
<group> hivel=63
<region> sample=c.wav
<master>
<region> sample=d.wav`,
    want: [
      {
        ...BASE,
        sample: "a.wav",
        rootKey: 60,
        velocities: [64, 127],
        tuneCents: 20,
        gainDb: -6,
        pan: 0.5,
        envelope: { release: 1 },
      },
      {
        ...BASE,
        sample: "b.wav",
        rootKey: 60,
        velocities: [64, 127],
        tuneCents: 30,
        gainDb: -6,
        pan: -1,
        envelope: { release: 1 },
      },
      {
        ...BASE,
        sample: "c.wav",
        rootKey: 60,
        velocities: [1, 63],
        tuneCents: 10,
        gainDb: -6,
        pan: 0.5,
        envelope: { release: 1 },
      },
      { ...BASE, sample: "d.wav", rootKey: 60, gainDb: -6, pan: 0.5 },
    ],
  },
  {
    name: "#define substitutes $NAME; comments of both kinds",
    sfz: `#define $LO 60
#define $KEY 72
// a line comment <region> sample=not.wav
<region> sample=a.wav key=$KEY /* key=1
still a comment */ lovel=$LO // trailing`,
    want: [{ ...BASE, sample: "a.wav", keys: [72, 72], rootKey: 72, velocities: [60, 127] }],
  },
  {
    name: "sample paths with spaces and backslashes; default_path joins them",
    sfz: `<control> default_path=My Samples\\Piano\\
<region> sample=soft C4.wav key=60 volume=-3
<region> sample=..\\other dir\\x.flac key=61`,
    want: [
      { ...BASE, sample: "My Samples/Piano/soft C4.wav", keys: [60, 60], rootKey: 60, gainDb: -3 },
      { ...BASE, sample: "My Samples/Piano/../other dir/x.flac", keys: [61, 61], rootKey: 61 },
    ],
  },
  {
    name: "#include is read relative to the root file, in place; note_offset shifts notes",
    sfz: `<control> note_offset=12
#include "parts/regions.sfz"
<region> sample=b.wav key=48`,
    files: { "parts/regions.sfz": "<group> hivel=100\n<region> sample=a.wav key=c3" },
    want: [
      { ...BASE, sample: "a.wav", keys: [60, 60], rootKey: 60, velocities: [1, 100] },
      { ...BASE, sample: "b.wav", keys: [60, 60], rootKey: 60, velocities: [1, 100] },
    ],
  },
  {
    name: "loops: modes, loop_end inclusive becomes exclusive, one point alone, offset",
    sfz: `<region> sample=a.wav loop_mode=loop_continuous loop_start=100 loop_end=199 offset=10
<region> sample=b.wav loop_mode=one_shot
<region> sample=c.wav loop_mode=loop_sustain loop_start=5
<region> sample=d.wav loopmode=no_loop`,
    want: [
      {
        ...BASE,
        sample: "a.wav",
        rootKey: 60,
        loop: { mode: "forward", start: 100, end: 200 },
        offset: 10,
      },
      { ...BASE, sample: "b.wav", rootKey: 60, loop: { mode: "one-shot" } },
      { ...BASE, sample: "c.wav", rootKey: 60, loop: { mode: "sustain", start: 5 } },
      { ...BASE, sample: "d.wav", rootKey: 60, loop: { mode: "none" } },
    ],
  },
  {
    name: "round robin: seq_length groups by ranges, zones ordered by seq_position",
    sfz: `<group> key=38 seq_length=3
<region> sample=s3.wav seq_position=3
<region> sample=s1.wav seq_position=1
<region> sample=s2.wav seq_position=2`,
    want: ["s1.wav", "s2.wav", "s3.wav"].map((sample) => ({
      ...BASE,
      sample,
      keys: [38, 38],
      rootKey: 38,
      altGroup: 1,
    })),
  },
  {
    name: "groups and chokes: off_by its own group, another group, off_mode; random ranges",
    sfz: `<region> sample=closed.wav key=42 group=1 off_by=1 lorand=0 hirand=0.5
<region> sample=open.wav key=46 group=2 off_by=1 off_mode=normal
<region> sample=pedal.wav key=44 group=1`,
    want: [
      {
        sample: "closed.wav",
        keys: [42, 42],
        rootKey: 42,
        exclusiveGroup: 1,
        offBy: "own",
        random: [0, 0.5],
      },
      {
        sample: "open.wav",
        keys: [46, 46],
        rootKey: 46,
        exclusiveGroup: 2,
        offBy: 1,
        offMode: "normal",
      },
      { sample: "pedal.wav", keys: [44, 44], rootKey: 44, exclusiveGroup: 1, offBy: "none" },
    ],
  },
  {
    name: "triggers, channels 1..16 to 0..15, keyswitches and sw_default, pitch_keytrack",
    sfz: `<global> sw_lokey=c1 sw_hikey=d1 sw_default=d1
<region> sample=a.wav sw_last=c1 trigger=release lochan=2 hichan=3 pitch_keytrack=0
<region> sample=b.wav sw_last=37`,
    want: [
      {
        ...BASE,
        sample: "a.wav",
        rootKey: 60,
        trigger: "release",
        midiChannels: [1, 2],
        keyswitch: 24,
        keyswitchRange: [24, 26],
        pitchKeytrack: 0,
      },
      { ...BASE, sample: "b.wav", rootKey: 60, keyswitch: 37, keyswitchRange: [24, 26] },
    ],
  },
  {
    name: "velocity: amp_veltrack percent, amp_velcurve_N points replace it",
    sfz: `<region> sample=a.wav amp_veltrack=50
<region> sample=b.wav amp_veltrack=50 amp_velcurve_100=1 amp_velcurve_1=0.2`,
    want: [
      { ...BASE, sample: "a.wav", rootKey: 60, velocityTrack: 0.5 },
      { ...BASE, sample: "b.wav", rootKey: 60, velocityCurve: [[1, 0.2], [100, 1]] },
    ],
  },
  {
    name: "envelope: seconds, sustain in percent; transpose adds to tune; amplitude to volume",
    sfz:
      "<region> sample=a.wav ampeg_delay=0.2 ampeg_attack=0.01 ampeg_hold=0.02 ampeg_decay=1 ampeg_sustain=50 transpose=-12 tune=5 amplitude=50",
    want: [
      {
        ...BASE,
        sample: "a.wav",
        rootKey: 60,
        tuneCents: -1195,
        gainDb: 20 * Math.log10(0.5),
        envelope: { delay: 0.2, attack: 0.01, hold: 0.02, decay: 1, sustain: 0.5 },
      },
    ],
  },
  {
    name:
      "pitch envelope: depth in cents to penv semitones, times and sustain to the penv controls, delay and hold to the zone",
    sfz:
      `<region> sample=a.wav pitcheg_depth=1200 pitcheg_delay=0.1 pitcheg_attack=0.02 pitcheg_hold=0.05
 pitcheg_decay=0.3 pitcheg_sustain=25 pitcheg_release=0.4
<region> sample=b.wav pitcheg_depth=-20000 pitcheg_decay=1
<region> sample=c.wav pitcheg_decay=1`,
    want: [
      {
        ...BASE,
        sample: "a.wav",
        rootKey: 60,
        controls: { penv: 12, pattack: 0.02, pdecay: 0.3, psustain: 0.25, prelease: 0.4 },
        penvDelay: 0.1,
        penvHold: 0.05,
      },
      {
        ...BASE,
        sample: "b.wav",
        rootKey: 60,
        controls: { penv: -96, pattack: 0, pdecay: 1, psustain: 1, prelease: 0 },
      },
      { ...BASE, sample: "c.wav", rootKey: 60 },
    ],
  },
  {
    name: "filter: only with a cutoff; type, resonance, tracking, envelope and CC",
    sfz: `<region> sample=a.wav fil_type=hpf_2p cutoff=500 resonance=3 fil_veltrack=1200
 fil_keytrack=100 fil_keycenter=c3 fileg_depth=2400 fileg_delay=0.05 fileg_attack=0.1 fileg_hold=0.2 fileg_sustain=25 cutoff_cc74=1200
<region> sample=b.wav fil_type=bpf_2p
<region> sample=c.wav cutoff=20000 cutoff_oncc1=-600`,
    want: [
      {
        ...BASE,
        sample: "a.wav",
        rootKey: 60,
        filter: {
          type: "highpass",
          cutoffHz: 500,
          resonanceDb: 3,
          velocityTrackCents: 1200,
          keyTrackCents: 100,
          keyCenter: 48,
          envelope: { depthCents: 2400, delay: 0.05, attack: 0.1, hold: 0.2, sustain: 0.25 },
          cc: { controller: 74, cents: 1200 },
        },
      },
      { ...BASE, sample: "b.wav", rootKey: 60 },
      {
        ...BASE,
        sample: "c.wav",
        rootKey: 60,
        filter: { type: "lowpass", cutoffHz: 20000, cc: { controller: 1, cents: -600 } },
      },
    ],
  },
  {
    name: "regions that cannot play are skipped: no sample, key -1, hivel 0, unknown generators",
    sfz: `<region> key=60
<region> sample=a.wav hikey=-1
<region> sample=b.wav hivel=0
<region> sample=*wobble key=60
<region> sample=ok.wav`,
    want: [{ ...BASE, sample: "ok.wav", rootKey: 60 }],
  },
  {
    name:
      "generator regions (*sine, *saw, *square, *triangle, *noise, *silence) are zones of no file",
    sfz: `<region> sample=*sine key=60
<region> sample=*Saw lokey=61 hikey=62 pitch_keycenter=61
<region> sample=*tri key=63
<region> sample=*noise key=64`,
    want: [
      { ...BASE, sample: "*sine", rootKey: 60, keys: [60, 60] },
      { ...BASE, sample: "*saw", rootKey: 61, keys: [61, 62] },
      { ...BASE, sample: "*tri", rootKey: 63, keys: [63, 63] },
      { ...BASE, sample: "*noise", rootKey: 64, keys: [64, 64] },
    ],
  },
];

for (const c of CASES) {
  Deno.test(`SFZ snippet: ${c.name}`, () => {
    assert.deepEqual(zones(c.sfz, c.files), c.want);
  });
}

Deno.test("SFZ: the instrument is named after the file; sw_default becomes keyswitchDefault", () => {
  const def = load("<global> sw_lokey=c1 sw_hikey=d1 sw_default=c1\n<region> sample=a.wav")
    .definition;
  assert.equal(def.name, "main");
  assert.equal(def.keyswitchDefault, 24);
});

Deno.test("SFZ: each unknown opcode is reported once, at its first place, with its count; its regions still load", () => {
  const r = load(`<group> unknown_one=1 pitcheg_vel2depth=100
<region> sample=a.wav unknown_one=2
<region> sample=b.wav unknown_two=3 unknown_one=4
<curve> v000=0
<effect> type=lofi
<effect> type=other
<region> sample=c.wav fil_type=lpf_4p cutoff=100
<region> sample=d.wav fil_type=lpf_4p cutoff=200`);
  assert.equal(r.definition.zones.length, 4);
  assert.deepEqual(r.warnings.map((w) => `${w.line}: ${w.message}`), [
    '1: opcode "unknown_one" is not supported (ignored; 3 uses)',
    '1: opcode "pitcheg_vel2depth" is not supported (ignored)',
    '3: opcode "unknown_two" is not supported (ignored)',
    "5: <effect> is not supported (its opcodes are ignored; 2 headers)",
    "7: fil_type=lpf_4p is approximated by the engine's 12 dB/octave lowpass",
  ]);
});

Deno.test("SFZ: bad lines and values are warnings with file:line; the rest of the file imports", () => {
  const r = load(`<region> sample=a.wav lokey=foo
<region sample=b.wav
garbage <region> sample=c.wav
#define NOVAR 1
# a shell-style comment
<region> sample=d.wav loop_mode=pingpong
#include "missing.sfz"
#pragma once
<region> sample=e.wav key=64
/* never closed`);
  assert.deepEqual(r.definition.zones.map((z) => z.sample), ["a.wav", "d.wav", "e.wav"]);
  assert.deepEqual(r.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`), [
    '/sfz/main.sfz:1: lokey="foo": is not a note (give 0..127 or a name like "c#4") (ignored)',
    '/sfz/main.sfz:2: malformed header "<region sample=b.wav": line skipped',
    '/sfz/main.sfz:3: "garbage" is not a <header>, an opcode=value or a #directive: line skipped',
    "/sfz/main.sfz:4: malformed #define (write: #define $NAME value): line skipped",
    '/sfz/main.sfz:5: "# a shell-style comment" is not a directive (a shell-style comment?): line skipped',
    '/sfz/main.sfz:6: loop_mode="pingpong": is not one of no_loop, one_shot, loop_continuous, loop_sustain (ignored)',
    '/sfz/main.sfz:7: #include "/sfz/missing.sfz" cannot be read (no file /sfz/missing.sfz)',
    '/sfz/main.sfz:8: unknown directive "#pragma" (only #define and #include): line skipped',
    "/sfz/main.sfz:10: a /* comment is never closed with */",
  ]);
});

Deno.test("SFZ: an include cycle is a warning, not a hang", () => {
  const r = load('#include "a.sfz"\n<region> sample=x.wav', { "a.sfz": '#include "a.sfz"' });
  assert.equal(r.definition.zones.length, 1);
  assert.match(r.warnings[0]!.message, /^#include "\/sfz\/a\.sfz" includes itself/);
  assert.equal(r.warnings[0]!.file, "/sfz/a.sfz");
});

Deno.test("SFZ: a region the model rejects is skipped with its line; the others import", () => {
  const r = load("<region> sample=a.wav\n<region> sample=b.wav loop_start=50 loop_end=10");
  assert.deepEqual(r.definition.zones.map((z) => z.sample), ["a.wav"]);
  assert.deepEqual(r.warnings.map((w) => `${w.line}: ${w.message}`), [
    "2: <region> loop.end: 11 is not after the loop start 50 (region skipped)",
  ]);
});

Deno.test("SFZ: regions skipped for the same kind of reason are one warning with the count", () => {
  const r = load(`<region> key=60
<region> key=61
<region> sample=a.wav lokey=70 hikey=60
<region> sample=b.wav lokey=80 hikey=70
<region> sample=c.wav`);
  assert.deepEqual(r.warnings.map((w) => `${w.line}: ${w.message}`), [
    "1: <region> has no sample= (skipped) (2 times; the first shown)",
    "3: <region> plays no key (lokey 70 is above hikey 60) (skipped) (2 times; the first shown)",
  ]);
});

Deno.test("SFZ: a file without playable regions fails and says why", () => {
  assert.equal(
    errorOf("<group> key=60\n<region> key=61"),
    'Cannot import "/sfz/main.sfz": no playable <region> is left: 1 of 1 regions were skipped ' +
      "(first: /sfz/main.sfz:2: <region> has no sample=)",
  );
  assert.equal(
    errorOf('<control> label_cc64=Pedal#include "Data/regions.sfz"\n#include "Data/nope.sfz"', {
      "Data/regions.sfz": "<region> sample=a.wav",
    }),
    'Cannot import "/sfz/main.sfz": no playable <region> is left: 1 directive was swallowed by an ' +
      "opcode value (first: label_cc64= at /sfz/main.sfz:1; put a blank or a line break before #include); " +
      '1 #include could not be read (first: "/sfz/Data/nope.sfz" at /sfz/main.sfz:2); ' +
      "the file has no <region> header",
  );
});

Deno.test("SFZ: out-of-range numbers are clamped with a warning, once per opcode with the count", () => {
  const r = load(
    "<region> sample=a.wav lokey=200 hikey=300 pan=150\n<region> sample=b.wav hivel=128\n" +
      "<region> sample=c.wav hivel=129",
  );
  assert.deepEqual(r.definition.zones[0]?.keys, [127, 127]);
  assert.equal(r.definition.zones[0]?.pan, 1);
  assert.deepEqual(r.warnings.map((w) => `${w.line}: ${w.message}`), [
    "1: lokey=200 is outside 0..127: using 127",
    "1: hikey=300 is outside 0..127: using 127",
    "1: pan=150 is outside -100..100: using 100",
    "2: hivel=128 is outside 0..127: using 127 (2 times)",
  ]);
});

Deno.test("SFZ: unsupported opcodes are one warning per family, with counts and the first place", () => {
  // amplitude_onccN multiplies (silence at CC 0 to full at 127): the controllers start at 127
  const sets = Array.from({ length: 87 }, (_, i) => `set_cc${i + 1}=127`).join(" ");
  const ccs = Array.from({ length: 87 }, (_, i) => `amplitude_oncc${i + 1}=100`);
  const r = load(`<control> ${sets}
<global> ${ccs.slice(0, 40).join(" ")}
<region> sample=a.wav ${ccs.slice(40).join(" ")} frobnicate1=1 frobnicate2=2
<region> sample=b.wav ${ccs.slice(0, 3).join(" ")} lfo1_freq=3 lfo2_freq=5 lfo1_freq_oncc1=100 ${
    Array.from({ length: 40 }, (_, i) => `volume_smoothcc${i + 1}=10`).join(" ")
  } width_oncc3=50`);
  assert.equal(r.definition.zones.length, 2);
  assert.equal(r.definition.zones[0]!.gainDb, undefined);
  // lfoN_freq_onccN and width_onccN are played now; the 40 smoothing opcodes are one line
  assert.deepEqual(r.warnings.map((w) => `${w.line}: ${w.message}`), [
    '3: opcodes "frobnicate*" are not supported (ignored; 2 opcodes, 2 uses)',
    '4: opcodes "volume_smoothcc*" are read but not played yet (40 opcodes, 40 uses)',
  ]);
});

Deno.test("SFZ: set_ccN and label_ccN are kept for the instrument; CC ranges and triggers become zone rows", () => {
  const r = load(`<control> set_cc64=0 label_cc64=Sustain Pedal label_cc1=Mod set_hdcc11=0.5
<global> amp_veltrack=0
<master> hicc64=63
<region> sample=up.wav key=60
<master> locc64=64
<region> sample=down.wav key=60
<master>
<region> sample=pedal.wav on_locc64=64 on_hicc64=127
<region> sample=both.wav key=62 xfout_locc1=0 xfout_hicc1=127 ampeg_dynamic=1 locc300=5`);
  assert.deepEqual(
    r.definition.zones.map((z) => [z.sample, z.mods]),
    [
      ["up.wav", [{ source: 64, target: "range", lo: 0, hi: 63 }]],
      ["down.wav", [{ source: 64, target: "range", lo: 64, hi: 127 }]],
      ["pedal.wav", [{ source: 64, target: "trigger", lo: 64, hi: 127 }]],
      ["both.wav", [{ source: 1, target: "xfout", curve: "power", lo: 0, hi: 127 }]],
    ],
  );
  assert.deepEqual(r.controllers, [
    { cc: 1, label: "Mod" },
    { cc: 11, initial: 63.5 },
    { cc: 64, label: "Sustain Pedal", initial: 0 },
  ]);
  assert.deepEqual(r.definition.controllers, [{ cc: 11, initial: 63.5 }, { cc: 64, initial: 0 }]);
  // ampeg_dynamic is played (a zone without envelope CC rows has nothing to follow)
  assert.deepEqual(r.warnings.map((w) => `${w.line}: ${w.message}`), [
    '9: opcode "locc300" is read but not played yet',
  ]);
});

Deno.test("SFZ: crossfades become rows: velocity, key and CC, with their curves (power, or gain)", () => {
  const r = load(`<region> sample=in.wav xfin_locc1=0 xfin_hicc1=127
<region> sample=in_gain.wav xfin_locc1=10 xfin_hicc1=100 xf_cccurve=gain
<region> sample=out.wav xfout_locc1=0 xfout_hicc1=64
<region> sample=vel.wav xfin_lovel=20 xfin_hivel=60 xfout_lovel=100 xfout_hivel=127 xf_velcurve=gain
<region> sample=key.wav xfin_lokey=c4 xfin_hikey=e4
<region> sample=none.wav xfin_locc2=0 xfin_hicc2=0 xfout_locc2=127 xfout_hicc2=127`);
  const mods = Object.fromEntries(r.definition.zones.map((z) => [z.sample, z.mods]));
  assert.deepEqual(mods, {
    "in.wav": [{ source: 1, target: "xfin", curve: "power", lo: 0, hi: 127 }],
    "in_gain.wav": [{ source: 1, target: "xfin", curve: "gain", lo: 10, hi: 100 }],
    "out.wav": [{ source: 1, target: "xfout", curve: "power", lo: 0, hi: 64 }],
    "vel.wav": [
      { source: "velocity", target: "xfin", curve: "gain", lo: 20, hi: 60 },
      { source: "velocity", target: "xfout", curve: "gain", lo: 100, hi: 127 },
    ],
    "key.wav": [{ source: "key", target: "xfin", curve: "power", lo: 60, hi: 64 }],
    "none.wav": undefined,
  });
  assert.deepEqual(r.warnings, []);
});

Deno.test("SFZ: CC levels, pan and pitch become rows through their curves; pitch_veltrack and pitch_random; extended controllers at rest", () => {
  const r = load(`<control> set_hdcc300=0.5
<region> sample=extended.wav amplitude_oncc300=50
<region> sample=amp.wav amplitude_oncc7=100 amplitude_curvecc7=4
<region> sample=vol.wav volume_oncc20=-12 gain_cc21=6
<region> sample=pan.wav pan_oncc10=200 pan_curvecc10=1
<region> sample=pitch.wav pitch_oncc1=1200 tune_cc2=-50 pitch_random=30 pitch_veltrack=-40
<region> sample=user.wav amplitude_oncc20=100 amplitude_curvecc20=9
<curve> curve_index=9 v000=0 v064=0.25 v127=1`);
  const zones = Object.fromEntries(r.definition.zones.map((z) => [z.sample, z]));
  assert.equal(zones["extended.wav"]!.mods, undefined);
  assert.ok(Math.abs(zones["extended.wav"]!.gainDb! - 20 * Math.log10(0.25)) < 1e-9); // 50 % at 0.5
  assert.deepEqual(zones["amp.wav"]!.mods, [{
    source: 7,
    target: "amplitude",
    curve: "square",
    depth: 1,
  }]);
  assert.deepEqual(zones["vol.wav"]!.mods, [
    { source: 20, target: "volume", curve: "linear", depth: -12 },
    { source: 21, target: "volume", curve: "linear", depth: 6 },
  ]);
  assert.deepEqual(zones["pan.wav"]!.mods, [{
    source: 10,
    target: "pan",
    curve: "bipolar",
    depth: 2,
  }]);
  assert.deepEqual(zones["pitch.wav"]!.mods, [
    { source: 1, target: "pitch", curve: "linear", depth: 1200 },
    { source: 2, target: "pitch", curve: "linear", depth: -50 },
    { source: "velocity", target: "pitch", curve: "linear", depth: -40 },
    { source: "randomBipolar", target: "pitch", depth: 30 },
  ]);
  // <curve> curve_index=9: the instrument's curve 8, its 128 values from the header's points
  assert.deepEqual(zones["user.wav"]!.mods, [{
    source: 20,
    target: "amplitude",
    curve: 8,
    depth: 1,
  }]);
  const curve = r.definition.curves![0]!;
  assert.equal(curve.index, 8);
  assert.deepEqual([curve.values[0], curve.values[64], curve.values[127]], [0, 0.25, 1]);
  assert.ok(Math.abs(curve.values[32]! - 0.125) < 1e-12);
  assert.deepEqual(r.warnings.map((w) => `${w.line}: ${w.message}`), [
    '2: opcode "amplitude_oncc300" is read but not played yet',
  ]);
});

Deno.test("SFZ: 300 round-robin sets import as 300 alternative groups, each in seq_position order", () => {
  const lines: string[] = [];
  for (let key = 0; key < 100; key++) {
    for (const [lo, hi] of [[1, 40], [41, 90], [91, 127]]) {
      lines.push(`<group> key=${key} lovel=${lo} hivel=${hi} seq_length=4`);
      for (const pos of [3, 1, 4, 2]) {
        lines.push(`<region> sample=k${key}_${lo}_${pos}.wav seq_position=${pos}`);
      }
    }
  }
  const r = load(lines.join("\n"));
  const zones = r.definition.zones;
  assert.equal(zones.length, 1200);
  assert.equal(new Set(zones.map((z) => z.altGroup)).size, 300);
  assert.deepEqual(zones.slice(0, 4).map((z) => z.sample), [
    "k0_1_1.wav",
    "k0_1_2.wav",
    "k0_1_3.wav",
    "k0_1_4.wav",
  ]);
  assert.deepEqual(r.warnings, []);
});

Deno.test("SFZ: ARIA level opcodes add up (group_volume, master_amplitude, global_tune); labels are quiet", () => {
  const r = load(`<global> global_tune=10 global_label=all
<master> master_amplitude=50 master_label=m
<group> group_volume=-3 volume=-1 group_label=g
<region> sample=a.wav tune=5 region_label=r sw_label=x`);
  const z = r.definition.zones[0]!;
  assert.equal(z.tuneCents, 15);
  assert.ok(Math.abs(z.gainDb! - (-4 + 20 * Math.log10(0.5))) < 1e-9, `${z.gainDb}`);
  assert.deepEqual(r.warnings, []);
});

/** xorshift32: the fuzz loop is the same on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

const FUZZ_SEED_TEXT = `<control> default_path=s\\ note_offset=-3
#define $V 100
<global> ampeg_release=0.2 amp_velcurve_64=0.7 sw_lokey=c1 sw_hikey=d1
<master> sw_last=c1 fil_type=lpf_2p cutoff=1200 fileg_depth=1200 cutoff_cc74=600
<group> lovel=1 hivel=$V seq_length=2 group=3 off_by=3 trigger=attack
<region> sample=a b.wav lokey=c3 hikey=f#3 pitch_keycenter=d3 seq_position=1 loop_mode=loop_continuous loop_start=10 loop_end=400
<region> sample=c.wav key=61 seq_position=2 tune=-20 pan=30 lorand=0.2 hirand=0.8 // comment
/* block */ <region> sample=d.wav key=62 trigger=release lochan=2 hichan=9 offset=5`;

const PIECES = [
  "<",
  ">",
  "=",
  "<region>",
  "<group>",
  "<control>",
  "#define",
  "#include",
  '"',
  "/*",
  "*/",
  "//",
  "$V",
  "$",
  "\\",
  " ",
  "\n",
  "-1",
  "999999999999",
  "NaN",
  "1e400",
  "c#",
  "key=",
  "sample=",
  "loop_end=0",
  "seq_position=9",
  "lokey=g9",
  "\u0000",
  "é",
];

Deno.test("SFZ fuzz: 3000 mutated or truncated files never crash the importer", () => {
  const rand = rng(0x5f2);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let accepted = 0, rejected = 0;
  for (let i = 0; i < 3000; i++) {
    let text = FUZZ_SEED_TEXT;
    const edits = 1 + Math.floor(rand() * 6);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (text.length + 1));
      const kind = rand();
      if (kind < 0.3) text = text.slice(0, at); // truncate
      else if (kind < 0.6) text = text.slice(0, at) + pick(PIECES) + text.slice(at);
      else if (kind < 0.8) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 20));
      else {
        const from = Math.floor(rand() * text.length);
        text = text.slice(0, at) + text.slice(from, from + 30) + text.slice(at);
      }
    }
    const read = (p: string) => {
      if (p === `${ROOT}/main.sfz`) return text;
      if (p.endsWith(".sfz")) return text.slice(0, 200);
      throw new Deno.errors.NotFound(p);
    };
    try {
      const r = importSfz(`${ROOT}/main.sfz`, { read });
      assert.ok(r.definition.zones.length > 0);
      accepted++;
    } catch (err) {
      if (!(err instanceof InstrumentDefinitionError)) {
        throw new Error(`input ${i} crashed the importer:\n${text}`, { cause: err });
      }
      rejected++;
    }
    // the unvalidated conversion never throws at all
    convertSfzFile(`${ROOT}/main.sfz`, { read });
  }
  assert.ok(accepted > 100 && rejected > 100, `accepted ${accepted}, rejected ${rejected}`);
});
