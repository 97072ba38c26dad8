/*
 * test_midi_parser.c — the MIDI byte parser against a table of tricky
 * streams (running status, real-time bytes inside messages, SysEx of any
 * length, velocity-0 note-on, garbage and resynchronisation), byte-at-a-time
 * and split at every point, plus the clock tempo estimator.
 * Thread: main only. The parser is a header of src/shared, tested directly.
 */
#include <stdlib.h>

#include "shared/midi_parser.h"
#include "test_util.h"

typedef struct {
  const char *name;
  uint8_t in[48];
  size_t in_len;
  uint8_t out[16][3]; /* status, d1, d2 of each expected message */
  size_t out_len;
} case_t;

#define B(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})

static const case_t CASES[] = {
    {"note on", B(0x90, 60, 100), {{0x90, 60, 100}}, 1},
    {"running status", B(0x91, 60, 100, 62, 90, 64, 80), {{0x91, 60, 100}, {0x91, 62, 90}, {0x91, 64, 80}}, 3},
    {"velocity 0 is note-off", B(0x92, 60, 100, 60, 0), {{0x92, 60, 100}, {0x82, 60, 0}}, 2},
    {"clock inside a note", B(0x90, 0xF8, 60, 0xFE, 100), {{0xF8, 0, 0}, {0xFE, 0, 0}, {0x90, 60, 100}}, 3},
    {"start/stop between running-status notes", B(0x90, 60, 100, 0xFA, 61, 100, 0xFC),
     {{0x90, 60, 100}, {0xFA, 0, 0}, {0x90, 61, 100}, {0xFC, 0, 0}}, 4},
    {"program change and channel pressure take one byte", B(0xC3, 5, 7, 0xD0, 64),
     {{0xC3, 5, 0}, {0xC3, 7, 0}, {0xD0, 64, 0}}, 3},
    {"pitch bend", B(0xE0, 0x00, 0x40, 0x7F, 0x7F), {{0xE0, 0, 64}, {0xE0, 127, 127}}, 2},
    {"sysex skipped, running status cleared", B(0x90, 60, 100, 0xF0, 1, 2, 3, 4, 5, 0xF7, 61, 100, 0x80, 60, 0),
     {{0x90, 60, 100}, {0x80, 60, 0}}, 2},
    {"clock inside sysex", B(0xF0, 0x7E, 0xF8, 0x01, 0xF7), {{0xF8, 0, 0}}, 1},
    {"sysex ended by a status byte", B(0xF0, 1, 2, 0x90, 60, 100), {{0x90, 60, 100}}, 1},
    {"garbage before the first status", B(1, 2, 3, 0x90, 60, 100), {{0x90, 60, 100}}, 1},
    {"truncated message resynchronises", B(0x90, 60, 0xB0, 7, 100), {{0xB0, 7, 100}}, 1},
    {"song position, then no running status", B(0xF2, 0x10, 0x20, 0x30, 0x90, 1, 2), {{0xF2, 0x10, 0x20}, {0x90, 1, 2}},
     2},
    {"undefined status bytes are dropped", B(0xF4, 1, 0xF9, 0xFD, 0x90, 1, 2), {{0x90, 1, 2}}, 1},
    {"tune request", B(0xF6), {{0xF6, 0, 0}}, 1},
    {"stray F7", B(0xF7, 60, 0x90, 60, 1), {{0x90, 60, 1}}, 1},
};

static size_t run(const uint8_t *in, size_t n, midi_msg_t *out, size_t cap, size_t split) {
  midi_parser_t p;
  midi_parser_init(&p);
  size_t k = 0;
  midi_msg_t m;
  for (size_t i = 0; i < n; i++) {
    (void)split; /* the parser has no buffer: a split anywhere is the same as byte-at-a-time */
    if (midi_parser_feed(&p, in[i], &m) && k < cap) out[k++] = m;
  }
  return k;
}

static void test_table(void) {
  tu_section("table of byte streams");
  for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
    const case_t *t = &CASES[c];
    midi_msg_t got[32];
    size_t n = run(t->in, t->in_len, got, 32, 0);
    CHECKF(n == t->out_len, "%s: %zu messages, expected %zu", t->name, n, t->out_len);
    for (size_t i = 0; i < n && i < t->out_len; i++) {
      CHECKF(got[i].status == t->out[i][0] && got[i].data1 == t->out[i][1] && got[i].data2 == t->out[i][2],
             "%s: message %zu is %02x %d %d, expected %02x %d %d", t->name, i, got[i].status, got[i].data1,
             got[i].data2, t->out[i][0], t->out[i][1], t->out[i][2]);
    }
  }
}

static void test_long_sysex(void) {
  tu_section("SysEx of 1 MB is skipped whole");
  size_t n = 1u << 20;
  uint8_t *buf = malloc(n + 8);
  buf[0] = 0xF0;
  for (size_t i = 1; i < n; i++) buf[i] = (uint8_t)(i & 0x7f);
  buf[n] = 0xF7;
  buf[n + 1] = 0x90;
  buf[n + 2] = 10;
  buf[n + 3] = 20;
  midi_msg_t got[4];
  size_t k = run(buf, n + 4, got, 4, 0);
  CHECK_EQ_INT(k, 1);
  CHECK(k == 1 && got[0].status == 0x90 && got[0].data1 == 10 && got[0].data2 == 20);
  free(buf);
}

static void test_random_never_emits_invalid(void) {
  tu_section("random bytes: every message is well-formed");
  tu_rng_t r = {12345};
  midi_parser_t p;
  midi_parser_init(&p);
  size_t msgs = 0;
  for (int i = 0; i < 2000000; i++) {
    midi_msg_t m;
    if (!midi_parser_feed(&p, (uint8_t)tu_rng_next(&r), &m)) continue;
    msgs++;
    int need = midi_status_length(m.status);
    if (!(m.status & 0x80) || need < 0 || m.data1 > 127 || m.data2 > 127 || m.len != 1 + need ||
        ((m.status & 0xF0) == 0x90 && m.data2 == 0)) {
      CHECKF(false, "bad message %02x %d %d len %d", m.status, m.data1, m.data2, m.len);
      break;
    }
  }
  CHECK(msgs > 1000);
}

static void test_clock(void) {
  tu_section("clock: 24 PPQN at 120 BPM with jitter, then a tempo change");
  midi_clock_t c;
  memset(&c, 0, sizeof c);
  tu_rng_t r = {7};
  uint64_t t = 1000000000ull;
  const double tick120 = 60e9 / (120.0 * 24.0); /* 20.833 ms */
  double bpm = 0;
  for (int i = 0; i < 96; i++) {
    int64_t jitter = (int64_t)tu_rng_below(&r, 2000001) - 1000000; /* +-1 ms */
    bpm = midi_clock_tick(&c, (uint64_t)((int64_t)t + jitter));
    t += (uint64_t)tick120;
  }
  CHECK_NEAR(bpm, 120.0, 0.5);
  const double tick90 = 60e9 / (90.0 * 24.0);
  for (int i = 0; i < 96; i++) {
    bpm = midi_clock_tick(&c, t);
    t += (uint64_t)tick90;
  }
  CHECK_NEAR(bpm, 90.0, 0.2);
  /* a 2 s gap (stopped clock) restarts the window instead of averaging it in */
  t += 2000000000ull;
  for (int i = 0; i < 48; i++) {
    bpm = midi_clock_tick(&c, t);
    t += (uint64_t)tick90;
  }
  CHECK_NEAR(bpm, 90.0, 0.5);
}

int main(void) {
  test_table();
  test_long_sysex();
  test_random_never_emits_invalid();
  test_clock();
  return tu_finish();
}
