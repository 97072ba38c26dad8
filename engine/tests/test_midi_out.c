/*
 * test_midi_out.c — MIDI out on offline renders through a capture output:
 * messages scheduled at frames leave on exactly those frames however
 * ms_process is sliced; a late message leaves on the next frame rendered;
 * running status sizes (program change: 2 bytes, clock: 1); a panic answers
 * every sounding note (twice-struck keys twice) and nothing else; argument
 * checks and their messages; a full ring drops and counts; MS_EV_MIDI_OUT
 * records through ms_push_events. With the argument
 * "seq": the ALSA sequencer output, which skips (exit 77) with the reason
 * when /dev/snd/seq cannot be opened (it checks the message names it).
 * Thread: main (CT and, through ms_process, RT).
 */
#include <stdlib.h>
#include <unistd.h>

#include "test_util.h"

#define RATE 48000u
#define CH 2u

static uint32_t read_all(ms_midi_out_t *o, ms_midi_out_event_t *out, uint32_t cap) {
  uint32_t n = 0, k;
  while (n < cap && (k = ms_midi_out_read(o, out + n, cap - n)) > 0) n += k;
  return n;
}

/* The same messages rendered in slices of `chunk` frames leave on the same frames. */
static void test_exact_frames(uint32_t chunk) {
  tu_section(chunk == 1 ? "exact frames, 1-frame slices" : "exact frames");
  ms_sampler_t *s = tu_sampler(RATE, CH, 128);
  REQUIRE(s, TU_NOTHING);
  ms_midi_out_t *o = NULL;
  CHECK_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "synth", NULL, &o));
  static const uint64_t at[] = {0, 1, 63, 64, 127, 128, 1000, 1001, 4799, 12345};
  const size_t n = sizeof at / sizeof at[0];
  /* pushed out of order: the render thread orders them by frame */
  for (size_t i = n; i-- > 0;) CHECK_MS(s, ms_midi_out_send_at(o, at[i], 0x91, (uint8_t)(40 + i), 100));
  CHECK_MS(s, ms_midi_out_send_at(o, 500, 0xC2, 7, 99));  /* program change: 2 bytes, data2 dropped */
  CHECK_MS(s, ms_midi_out_send_at(o, 501, 0xF8, 1, 2));   /* clock: 1 byte */
  float *buf = calloc((size_t)13000 * CH, sizeof(float));
  CHECK_MS(s, tu_render(s, buf, 13000, CH, chunk));
  ms_midi_out_event_t ev[64];
  uint32_t got = read_all(o, ev, 64);
  CHECK_EQ_INT(got, (int)n + 2);
  uint32_t k = 0;
  for (size_t i = 0; i < n && k < got; i++, k++) {
    if (at[i] == 1000) { /* the two at 500 and 501 come before 1000 */
      CHECK_EQ_U64(ev[k].frame, 500);
      CHECK_EQ_INT(ev[k].size, 2);
      CHECK_EQ_INT(ev[k].bytes[0], 0xC2);
      CHECK_EQ_INT(ev[k].bytes[1], 7);
      k++;
      CHECK_EQ_U64(ev[k].frame, 501);
      CHECK_EQ_INT(ev[k].size, 1);
      CHECK_EQ_INT(ev[k].bytes[0], 0xF8);
      k++;
    }
    CHECK_EQ_U64(ev[k].frame, at[i]);
    CHECK_EQ_INT(ev[k].size, 3);
    CHECK_EQ_INT(ev[k].bytes[0], 0x91);
    CHECK_EQ_INT(ev[k].bytes[1], (int)(40 + i));
    CHECK_EQ_INT(ev[k].bytes[2], 100);
  }
  uint64_t sent, dropped, sounding;
  ms_midi_out_counts(o, &sent, &dropped, &sounding);
  CHECK_EQ_U64(sent, n + 2);
  CHECK_EQ_U64(dropped, 0);
  CHECK_EQ_U64(sounding, n);
  /* a message for a frame already rendered leaves on the next frame rendered */
  CHECK_MS(s, ms_midi_out_send_at(o, 10, 0x81, 40, 0));
  CHECK_MS(s, tu_render(s, buf, 100, CH, chunk));
  CHECK_EQ_INT(read_all(o, ev, 64), 1);
  CHECK_EQ_U64(ev[0].frame, 13000);
  free(buf);
  ms_sampler_destroy(s);
}

static void test_panic(void) {
  tu_section("panic answers every sounding note");
  ms_sampler_t *s = tu_sampler(RATE, CH, 128);
  REQUIRE(s, TU_NOTHING);
  ms_midi_out_t *o = NULL, *other = NULL;
  CHECK_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "a", NULL, &o));
  CHECK_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "b", NULL, &other));
  CHECK_MS(s, ms_midi_out_send_at(o, 10, 0x90, 60, 100));
  CHECK_MS(s, ms_midi_out_send_at(o, 11, 0x90, 60, 90));  /* struck twice: two note-offs */
  CHECK_MS(s, ms_midi_out_send_at(o, 12, 0x93, 64, 80));
  CHECK_MS(s, ms_midi_out_send_at(o, 13, 0x90, 67, 80));
  CHECK_MS(s, ms_midi_out_send_at(o, 20, 0x80, 67, 0));   /* answered: not in the panic */
  CHECK_MS(s, ms_midi_out_send_at(o, 21, 0x93, 65, 0));   /* note-on velocity 0 = off of a silent key: no effect */
  CHECK_MS(s, ms_midi_out_send_at(other, 15, 0x95, 70, 1)); /* another output's notes are its own */
  CHECK_MS(s, ms_midi_out_panic_at(o, 300));
  CHECK_MS(s, ms_midi_out_panic_at(o, 400)); /* nothing sounds any more: sends nothing */
  float buf[512 * CH];
  CHECK_MS(s, tu_render(s, buf, 512, CH, 100));
  ms_midi_out_event_t ev[32];
  uint32_t n = read_all(o, ev, 32);
  CHECK_EQ_INT(n, 6 + 3);
  /* the panic's note-offs: channel 0 key 60 twice, channel 3 key 64, in channel then key order */
  const uint8_t want[3][2] = {{0x80, 60}, {0x80, 60}, {0x83, 64}};
  for (uint32_t i = 0; i < 3 && 6 + i < n; i++) {
    CHECK_EQ_U64(ev[6 + i].frame, 300);
    CHECK_EQ_INT(ev[6 + i].bytes[0], want[i][0]);
    CHECK_EQ_INT(ev[6 + i].bytes[1], want[i][1]);
    CHECK_EQ_INT(ev[6 + i].bytes[2], 0);
  }
  uint64_t sounding = 9;
  ms_midi_out_counts(o, NULL, NULL, &sounding);
  CHECK_EQ_U64(sounding, 0);
  ms_midi_out_counts(other, NULL, NULL, &sounding);
  CHECK_EQ_U64(sounding, 1);
  CHECK_EQ_INT(read_all(other, ev, 32), 1);
  ms_sampler_destroy(s);
}

static void test_errors_and_full_ring(void) {
  tu_section("argument checks, a full ring");
  ms_sampler_t *s = tu_sampler(RATE, CH, 128);
  REQUIRE(s, TU_NOTHING);
  ms_midi_out_t *o = NULL;
  CHECK_MS_CODE(s, ms_midi_out_open(s, 7, "x", NULL, &o), MS_ERR_INVALID_ARGUMENT);
  CHECKF(tu_contains_ci(tu_msg(s), "kind 7"), "message: %s", tu_msg(s));
  CHECK_MS_CODE(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "", NULL, &o), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "a:b", NULL, &o), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(s, ms_midi_out_open(s, MS_MIDI_OUT_JACK, "synth", NULL, &o), MS_ERR_STATE);
  CHECKF(tu_contains_ci(tu_msg(s), "open it on JACK first"), "message: %s", tu_msg(s));
  CHECK_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "synth", NULL, &o));
  ms_midi_out_t *dup = NULL;
  CHECK_MS_CODE(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "synth", NULL, &dup), MS_ERR_INVALID_ARGUMENT);
  CHECK_MS_CODE(s, ms_midi_out_send_at(o, 0, 0x40, 1, 2), MS_ERR_INVALID_ARGUMENT);
  CHECKF(tu_contains_ci(tu_msg(s), "0x40") && tu_contains_ci(tu_msg(s), "\"synth\""), "message: %s", tu_msg(s));
  CHECKF(strncmp(tu_msg(s), "Cannot send MIDI on output", 26) == 0, "message: %s", tu_msg(s));
  CHECK_MS_CODE(s, ms_midi_out_send_at(o, 0, 0xF0, 1, 2), MS_ERR_INVALID_ARGUMENT); /* sysex is not sent */
  CHECK_MS_CODE(s, ms_midi_out_send_at(o, 0, 0x90, 128, 2), MS_ERR_OUT_OF_RANGE);
  CHECK_MS_CODE(s, ms_midi_out_send_at(NULL, 0, 0x90, 1, 2), MS_ERR_INVALID_ARGUMENT);
  /* fifteen more fit, the seventeenth does not */
  char name[8];
  ms_midi_out_t *more = NULL;
  for (int i = 1; i < (int)MS_MIDI_MAX_OUTS; i++) {
    snprintf(name, sizeof name, "o%d", i);
    CHECK_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, name, NULL, &more));
  }
  CHECK_MS_CODE(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "last", NULL, &more), MS_ERR_LIMIT);
  /* more messages than the capture ring holds, rendered without reading: the rest are dropped and counted */
  for (uint32_t i = 0; i < MS_MIDI_OUT_RING + 10; i++) {
    int32_t rc = ms_midi_out_send_at(o, i / 4, 0xB0, 1, (uint8_t)(i % 128));
    if (rc == MS_ERR_RING_FULL) { /* the command ring (4096) fills first: render some */
      float buf[64 * CH];
      CHECK_MS(s, ms_process(s, buf, 1));
      i--;
      continue;
    }
    CHECK_MS(s, rc);
  }
  float buf[4096 * CH];
  CHECK_MS(s, tu_render(s, buf, 4096, CH, 512));
  uint64_t sent, dropped;
  ms_midi_out_counts(o, &sent, &dropped, NULL);
  CHECK_EQ_U64(sent, MS_MIDI_OUT_RING);
  CHECK_EQ_U64(dropped, 10);
  ms_midi_out_event_t ev[256];
  CHECK_EQ_INT(read_all(o, ev, 256), 256);
  CHECK_EQ_INT(ev[0].bytes[2], 0);
  ms_sampler_destroy(s);
}

/* MS_EV_MIDI_OUT records through ms_push_events (what the TypeScript queue sends) */
static void test_event_records(void) {
  tu_section("MS_EV_MIDI_OUT records");
  ms_sampler_t *s = tu_sampler(RATE, CH, 128);
  REQUIRE(s, TU_NOTHING);
  ms_midi_out_t *a = NULL, *b = NULL;
  CHECK_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "a", NULL, &a));
  CHECK_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_CAPTURE, "b", NULL, &b));
  CHECK_EQ_INT(ms_midi_out_index(a), 0);
  CHECK_EQ_INT(ms_midi_out_index(b), 1);
  ms_event_t ev[4];
  memset(ev, 0, sizeof ev);
  for (int i = 0; i < 4; i++) ev[i].type = MS_EV_MIDI_OUT;
  ev[0].frame = 33, ev[0].note = 1, ev[0].number = 0x90 | 62 << 8 | 90 << 16;
  ev[1].frame = 34, ev[1].note = 0, ev[1].number = 0xB5 | 7 << 8 | 100 << 16;
  ev[2].frame = 200, ev[2].note = 1, ev[2].number = 0; /* panic: the note-off of 62 */
  ev[3].frame = 201, ev[3].note = 1, ev[3].number = 0xFC;
  uint32_t pushed = 0;
  CHECK_MS(s, ms_push_events(s, ev, 4, &pushed));
  CHECK_EQ_INT(pushed, 4);
  /* a bad record fails the whole call, with its index and the fix */
  ms_event_t bad = ev[0];
  bad.note = 9;
  CHECK_MS_CODE(s, ms_push_events(s, &bad, 1, NULL), MS_ERR_INVALID_ARGUMENT);
  CHECKF(tu_contains_ci(tu_msg(s), "event 0") && tu_contains_ci(tu_msg(s), "index 9"), "message: %s", tu_msg(s));
  bad = ev[0];
  bad.number = 0x90 | 200u << 8;
  CHECK_MS_CODE(s, ms_push_events(s, &bad, 1, NULL), MS_ERR_OUT_OF_RANGE);
  float buf[256 * CH];
  CHECK_MS(s, tu_render(s, buf, 256, CH, 256));
  ms_midi_out_event_t got[8];
  CHECK_EQ_INT(read_all(a, got, 8), 1);
  CHECK_EQ_U64(got[0].frame, 34);
  CHECK_EQ_INT(got[0].bytes[0], 0xB5);
  CHECK_EQ_INT(read_all(b, got, 8), 3);
  CHECK_EQ_U64(got[0].frame, 33);
  CHECK_EQ_U64(got[1].frame, 200);
  CHECK_EQ_INT(got[1].bytes[0], 0x80);
  CHECK_EQ_INT(got[1].bytes[1], 62);
  CHECK_EQ_U64(got[2].frame, 201);
  CHECK_EQ_INT(got[2].size, 1);
  CHECK_EQ_INT(got[2].bytes[0], 0xFC);
  ms_sampler_destroy(s);
}

static int seq_test(void) {
  tu_section("ALSA sequencer output");
  ms_sampler_t *s = tu_sampler(RATE, CH, 128);
  REQUIRE(s, tu_finish());
  ms_midi_out_t *o = NULL;
  int32_t rc = ms_midi_out_open(s, MS_MIDI_OUT_ALSA_SEQ, "out", NULL, &o);
  int skip = tu_skip_without_seq(s, rc);
  if (skip >= 0) return skip;
  if (rc != MS_OK) tu_fail_ms(__FILE__, __LINE__, "ms_midi_out_open(ALSA_SEQ)", s, rc, MS_OK);
  /* messages leave through the helper thread; the render thread only fills the ring */
  CHECK_MS(s, ms_midi_out_send_at(o, 10, 0x90, 60, 100));
  float buf[256 * CH];
  CHECK_MS(s, tu_render(s, buf, 256, CH, 64));
  uint64_t sent;
  ms_midi_out_counts(o, &sent, NULL, NULL);
  CHECK_EQ_U64(sent, 1);
  ms_midi_out_t *bad = NULL;
  CHECK_EQ_INT(ms_midi_out_open(s, MS_MIDI_OUT_ALSA_SEQ, "out2", "nosuchclient:0", &bad), MS_ERR_DEVICE);
  ms_sampler_destroy(s);
  return tu_finish();
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "seq") == 0) return seq_test();
  test_exact_frames(128);
  test_exact_frames(1);
  test_exact_frames(77);
  test_panic();
  test_errors_and_full_ring();
  test_event_records();
  return tu_finish();
}
