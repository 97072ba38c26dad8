/**
 * The SFZ parser's rules, each on its own snippet, as sfizz's Parser.cpp
 * reads them: directives mid-line, `$VAR` expansion (first defined prefix,
 * undefined names, recursion, scope across includes, in names and include
 * paths), where a value ends, and recovery after a bad token with file:line.
 */

import assert from "node:assert/strict";
import { parseSfz, type SfzParse } from "./parse.ts";

function parse(main: string, files: Record<string, string> = {}): SfzParse {
  const tree: Record<string, string> = { "/lib/main.sfz": main };
  for (const [name, text] of Object.entries(files)) tree[`/lib/${name}`] = text;
  return parseSfz("/lib/main.sfz", (p) => {
    const t = tree[p];
    if (t === undefined) throw new Deno.errors.NotFound(`no file ${p}`);
    return t;
  });
}

/** Each header as `<name> op=value op=value`, values quoted. */
function flat(r: SfzParse): string[] {
  return r.headers.map((h) =>
    [`<${h.name}>`, ...h.opcodes.map((o) => `${o.name}=${JSON.stringify(o.value)}`)].join(" ")
  );
}

function problems(r: SfzParse): string[] {
  return r.errors.map((e) => `${e.file.replace("/lib/", "")}:${e.line}: ${e.message}`);
}

Deno.test("SFZ parse: a directive mid-line; the line goes on after it", () => {
  const r = parse('<region> #define $KEY 21 lokey=$KEY #include "Data/x.txt" hikey=$KEY', {
    "Data/x.txt": "sample=x.wav pitch_keycenter=$KEY",
  });
  assert.deepEqual(flat(r), [
    '<region> lokey="21" sample="x.wav" pitch_keycenter="21" hikey="21"',
  ]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.files, ["/lib/main.sfz", "/lib/Data/x.txt"]);
});

Deno.test("SFZ parse: values end where the next name= begins; sample paths keep their blanks", () => {
  const r = parse(
    [
      "<region> sample=My Piano C4 soft.wav lokey=60 hikey=61",
      "<region> sample=Kick #1.wav   \t",
      "<region> sample=a.wav<region>sample=b.wav",
      "<control> label_cc64=Sustain Pedal set_cc64=0 label_cc1=Mod=Wheel // c",
      "<region> sample=c.wav /* x */ key=62",
      "<region> sample=d.wav #include_not=1",
      "<region> sample=e.wav <group>",
      "<region> sample=  f g.wav key=\t63",
    ].join("\n"),
  );
  assert.deepEqual(flat(r), [
    '<region> sample="My Piano C4 soft.wav" lokey="60" hikey="61"',
    '<region> sample="Kick #1.wav"',
    '<region> sample="a.wav"',
    '<region> sample="b.wav"',
    '<control> label_cc64="Sustain Pedal" set_cc64="0" label_cc1="Mod=Wheel"',
    '<region> sample="c.wav" key="62"',
    '<region> sample="d.wav #include_not=1"',
    '<region> sample="e.wav"',
    "<group>",
    '<region> sample="f g.wav" key="63"',
  ]);
  assert.deepEqual(r.errors, []);
});

Deno.test("SFZ parse: $VAR takes the first defined prefix (sfizz, ARIA); undefined names expand to nothing", () => {
  const r = parse(`#define $K 60
#define $KEY 72
<region> key=$KEY lokey=$K hikey=$KEYS sample=$NOPE.wav tune=$ amp_velcurve_$K=1`);
  assert.deepEqual(flat(r), [
    // $KEY: "$K" is defined, so it is $K then "EY"; $KEYS likewise
    '<region> key="60EY" lokey="60" hikey="60EYS" sample=".wav" tune="" amp_velcurve_60="1"',
  ]);
  assert.deepEqual(problems(r), [
    "main.sfz:3: $NOPE is not defined (#define $NOPE value): it expands to nothing",
    "main.sfz:3: a $ is not followed by a variable name (dropped)",
  ]);
});

Deno.test("SFZ parse: definitions expand recursively, hold across includes, not before they are made", () => {
  const r = parse(
    `<region> key=$LATE
#define $A $B
#define $B 61
#define $DIR Data
#include "$DIR\\keys.sfz"
<region> key=$A hikey=$INNER
#define $LOOP $LOOP
<region> key=$LOOP`,
    { "Data/keys.sfz": "#define $INNER 64\n<region> lokey=$INNER\n#define $LATE 1" },
  );
  assert.deepEqual(flat(r), [
    '<region> key=""',
    '<region> lokey="64"',
    '<region> key="61" hikey="64"',
    '<region> key="LOOP"',
  ]);
  assert.deepEqual(problems(r), [
    "main.sfz:1: $LATE is not defined (#define $LATE value): it expands to nothing",
    'main.sfz:8: $ is left in "$LOOP" after 16 expansions (a definition refers to itself?): the $ are dropped',
  ]);
});

Deno.test("SFZ parse: a #define value is its first word; the rest of the line is read on", () => {
  const r = parse("#define $V 100 <region> lovel=$V\n#define $W\n<region> hivel=$W1");
  assert.deepEqual(flat(r), ['<region> lovel="100"', '<region> hivel="1"']);
});

Deno.test("SFZ parse: bad tokens skip the rest of their line with file:line; parsing goes on", () => {
  const r = parse(
    `# shell comment <region> sample=lost.wav
<region> sample=a.wav
echo "stray line" key=1
<group lovel=1
<a-b> key=2
<region> sample=b.wav lokey
#pragma once
=5 <region> sample=lost2.wav
#include missing-quotes.sfz
#include "none.sfz"
<region> sample=c.wav`,
    { "none.sfz": undefined as unknown as string },
  );
  assert.deepEqual(flat(r), [
    '<region> sample="a.wav"',
    '<region> sample="b.wav lokey"', // no "=": part of the value, as in sfizz
    '<region> sample="c.wav"',
  ]);
  assert.deepEqual(problems(r), [
    'main.sfz:1: "# shell comment <region> sample=lost.wav" is not a directive (a shell-style comment?): line skipped',
    'main.sfz:3: "echo" is not a <header>, an opcode=value or a #directive: line skipped',
    'main.sfz:4: malformed header "<group lovel=1": line skipped',
    'main.sfz:5: malformed header "<a-b>": line skipped',
    'main.sfz:7: unknown directive "#pragma" (only #define and #include): line skipped',
    'main.sfz:8: "=5" is not a <header>, an opcode=value or a #directive: line skipped',
    'main.sfz:9: malformed #include (write: #include "file.sfz"): line skipped',
    'main.sfz:10: #include "/lib/none.sfz" cannot be read (no file /lib/none.sfz)',
  ]);
  assert.deepEqual(r.includeFailures.map((f) => [f.line, f.path]), [[10, "/lib/none.sfz"]]);
});

Deno.test("SFZ parse: opcodes before any header are kept apart; CRLF and CR lines count right", () => {
  const r = parse("sample=x.wav\r\n\r\n<region> key=1\rfoo\r<region> key=2");
  assert.deepEqual(r.orphans.map((o) => [o.name, o.line]), [["sample", 1]]);
  assert.deepEqual(r.headers.map((h) => h.line), [3, 5]);
  assert.deepEqual(problems(r), [
    'main.sfz:4: "foo" is not a <header>, an opcode=value or a #directive: line skipped',
  ]);
});

Deno.test("SFZ parse: undefined variables are one warning, with the count (a tuning file that is missing)", () => {
  const region = "<region> tune=$T1 key=1\n<region> tune=$T2 key=2\n<region> tune=$T3 key=3";
  const r = parse('#include "tune.txt"\n#include "r.txt"\n#include "r.txt"', { "r.txt": region });
  assert.equal(r.headers.length, 6);
  assert.deepEqual(problems(r), [
    'main.sfz:1: #include "/lib/tune.txt" cannot be read (no file /lib/tune.txt)',
    "r.txt:1: $T1 and 2 more variables are not defined (#define $NAME value): they expand to nothing (6 uses)",
  ]);
});
