/*
 * test_midi.c — MIDI maps on offline renders (MS_EV_MIDI records pushed with
 * frames through ms_push_events): splits with transpose, layers by velocity,
 * velocity tables, sustain, pitch bend with range, program change, controller
 * mappings, hot map swaps; map validation messages; raw MIDI through a FIFO
 * read by the "ms-midi" thread (latency stamps, poll ring). With the argument
 * "seq": the ALSA sequencer input, which skips (exit 77) with the reason
 * when /dev/snd/seq cannot be opened.
 * Thread: main (CT and, through ms_process, RT) plus the engine's MIDI thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

#define RATE 48000u
#define CH 2u

static ms_sampler_t *S;
static ms_instrument_t *A, *B; /* A: key 69 = 440 Hz; B: key 57 = 440 Hz (an octave and a bit higher per key) */

static ms_event_t midi(uint64_t frame, uint8_t st, uint8_t d1, uint8_t d2) {
  ms_event_t e;
  memset(&e, 0, sizeof e);
  e.frame = frame;
  e.type = MS_EV_MIDI;
  e.number = (uint32_t)st | (uint32_t)d1 << 8 | (uint32_t)d2 << 16;
  return e;
}

static void push(const ms_event_t *ev, uint32_t n) {
  int32_t rc = ms_push_events(S, ev, n, NULL);
  if (rc != MS_OK) tu_fail_ms(__FILE__, __LINE__, "ms_push_events", S, rc, MS_OK);
}

static float *render(uint64_t frames) {
  float *buf = calloc(frames * CH, sizeof(float));
  tu_render(S, buf, frames, CH, 128);
  return buf;
}

static ms_midi_layer_t layer(ms_instrument_t *inst, uint8_t lo, uint8_t hi, int32_t transpose) {
  ms_midi_layer_t l;
  ms_midi_layer_init(&l);
  l.instrument = ms_instrument_id(inst);
  l.lo_key = lo;
  l.hi_key = hi;
  l.transpose = transpose;
  return l;
}

static void set_map(const ms_midi_layer_t *l, uint32_t n, const ms_midi_cc_map_t *c, uint32_t nc,
                    const ms_midi_channel_t *ch) {
  int32_t rc = ms_midi_map_set(S, l, n, c, nc, ch);
  if (rc != MS_OK) tu_fail_ms(__FILE__, __LINE__, "ms_midi_map_set", S, rc, MS_OK);
}

static uint64_t voices(void) { return ms_sampler_stats_ptr(S)->voices_active; }

static void silence(void) {
  ms_all_sound_off_at(S, MS_FRAME_NOW);
  free(render(4800));
}

static void setup(void) {
  S = tu_sampler(RATE, CH, 128);
  float *sine = tu_sine(RATE, 0.5, 440.0, RATE);
  ms_sample_t *smp = NULL;
  ms_sample_create(S, sine, RATE, 1, RATE, &smp);
  free(sine);
  ms_instrument_create(S, "A", &A);
  ms_instrument_create(S, "B", &B);
  ms_zone_t z = tu_zone_flat(69, MS_LOOP_FORWARD, 0.01f);
  ms_instrument_add_zone(A, smp, &z, NULL);
  z.root_key = 57;
  ms_instrument_add_zone(B, smp, &z, NULL);
  ms_sample_destroy(smp);
}

static double key_hz(int root, int key) { return 440.0 * pow(2.0, (key - root) / 12.0); }

static void test_split_transpose(void) {
  tu_section("split: keys below 60 play A an octave up, from 60 B");
  ms_midi_layer_t l[2] = {layer(A, 0, 59, 12), layer(B, 60, 127, 0)};
  set_map(l, 2, NULL, 0, NULL);
  uint64_t t0 = ms_sampler_now(S);
  ms_event_t ev[] = {midi(t0 + 480, 0x90, 57, 100), midi(t0 + 9600, 0x80, 57, 0), midi(t0 + 19200, 0x90, 60, 100),
                     midi(t0 + 28800, 0x90, 60, 0)};
  push(ev, 4);
  float *b = render(38400);
  uint64_t onset = tu_first_above(b, 0, 38400, CH, 0.01);
  CHECKF(onset >= 480 && onset <= 482, "onset at %llu, pushed for 480", (unsigned long long)onset); /* on its frame */
  CHECK_NEAR(tu_freq_zc(b, 1000, 9000, CH, 0, RATE), key_hz(69, 69), 1.0);      /* 57 + 12 on A */
  CHECK_NEAR(tu_freq_zc(b, 20000, 28000, CH, 0, RATE), key_hz(57, 60), 1.0);    /* 60 on B */
  CHECK(tu_peak(b + 31000 * CH, 7000, CH, 0) < 1e-4); /* velocity-0 note-on released it */
  free(b);
}

static void test_layers_by_velocity(void) {
  tu_section("layers: a hard note (vel >= 100) adds A under B");
  ms_midi_layer_t l[2] = {layer(B, 0, 127, 0), layer(A, 0, 127, -12)};
  l[1].lo_vel = 100;
  set_map(l, 2, NULL, 0, NULL);
  uint64_t t0 = ms_sampler_now(S);
  ms_event_t soft = midi(t0, 0x90, 64, 50);
  push(&soft, 1);
  free(render(4800));
  CHECK_EQ_U64(voices(), 1);
  ms_event_t off = midi(MS_FRAME_NOW, 0x80, 64, 0), hard = midi(MS_FRAME_NOW, 0x90, 64, 110);
  push(&off, 1);
  push(&hard, 1);
  float *b = render(9600);
  CHECK_EQ_U64(voices(), 2);
  push(&off, 1);
  free(render(4800));
  CHECK_EQ_U64(voices(), 0); /* the note-off found both voices the layers started */
  free(b);
}

static double peak_of_note(uint8_t vel) {
  uint64_t t0 = ms_sampler_now(S);
  ms_event_t ev[] = {midi(t0, 0x90, 60, vel), midi(t0 + 4800, 0x80, 60, 0)};
  push(ev, 2);
  float *b = render(9600);
  double p = tu_peak(b, 4800, CH, 0);
  free(b);
  return p;
}

static void test_velocity_table(void) {
  tu_section("velocity tables: fixed 127 makes a soft note as loud as a hard one");
  ms_midi_layer_t l = layer(B, 0, 127, 0);
  set_map(&l, 1, NULL, 0, NULL);
  double soft = peak_of_note(20), hard = peak_of_note(127);
  CHECKF(soft < hard * 0.2, "linear: soft %g hard %g", soft, hard);
  for (int v = 1; v < 128; v++) l.velocity[v] = 127;
  set_map(&l, 1, NULL, 0, NULL); /* a hot swap between blocks */
  double fixed = peak_of_note(20);
  CHECK_NEAR(fixed, hard, hard * 0.01);
}

static void test_sustain_and_bend(void) {
  tu_section("sustain (CC64 passes through) and pitch bend with a 12-semitone range");
  ms_midi_layer_t l = layer(B, 0, 127, 0);
  ms_midi_channel_t ch[16];
  for (int i = 0; i < 16; i++) ch[i] = (ms_midi_channel_t){-1.0f, 0, 1, {0, 0}};
  ch[0].bend_range = 12.0f;
  set_map(&l, 1, NULL, 0, ch);
  uint64_t t0 = ms_sampler_now(S);
  ms_event_t ev[] = {midi(t0, 0xB0, 64, 127), midi(t0 + 10, 0x90, 60, 100), midi(t0 + 2400, 0x80, 60, 0)};
  push(ev, 3);
  float *b = render(24000);
  CHECKF(tu_rms(b + 20000 * CH, 4000, CH, 0) > 0.05, "sustained note died");
  free(b);
  ms_event_t up = midi(MS_FRAME_NOW, 0xB0, 64, 0);
  push(&up, 1);
  b = render(9600);
  CHECK(tu_peak(b + 4800 * CH, 4800, CH, 0) < 1e-4);
  free(b);

  t0 = ms_sampler_now(S);
  ms_event_t bend[] = {midi(t0, 0x90, 60, 100), midi(t0 + 9600, 0xE0, 0x7F, 0x7F), midi(t0 + 24000, 0x80, 60, 0)};
  push(bend, 3);
  b = render(24000);
  double f0 = tu_freq_zc(b, 1000, 9000, CH, 0, RATE), f1 = tu_freq_zc(b, 12000, 23000, CH, 0, RATE);
  CHECK_NEAR(f0, key_hz(57, 60), 1.0);
  CHECK_NEAR(f1, key_hz(57, 72) * pow(2.0, (8191.0 / 8192.0 - 1.0)), 2.0); /* +8191/8192 of an octave */
  free(b);
  ms_event_t centre = midi(MS_FRAME_NOW, 0xE0, 0, 0x40);
  push(&centre, 1);
  silence();
}

static void test_program_and_cc_map(void) {
  tu_section("program change picks a layer; CC7 mapped to volume with a range");
  ms_midi_layer_t l[2] = {layer(A, 0, 127, 0), layer(B, 0, 127, 0)};
  l[0].program = 0;
  l[1].program = 5;
  ms_midi_cc_map_t cc;
  memset(&cc, 0, sizeof cc);
  cc.channel_mask = 0xffff;
  cc.controller = 7;
  cc.param = MS_PARAM_VOLUME_DB;
  for (int v = 0; v < 128; v++) cc.values[v] = -40.0f + 40.0f * (float)v / 127.0f; /* -40..0 dB */
  set_map(l, 2, &cc, 1, NULL);
  uint64_t t0 = ms_sampler_now(S);
  ms_event_t ev[] = {midi(t0, 0x90, 69, 127), midi(t0 + 4800, 0x80, 69, 0), midi(t0 + 9600, 0xC0, 5, 0),
                     midi(t0 + 9600, 0x90, 57, 127), midi(t0 + 14400, 0x80, 57, 0)};
  push(ev, 5);
  float *b = render(19200);
  CHECK_NEAR(tu_freq_zc(b, 500, 4500, CH, 0, RATE), 440.0, 1.0);         /* program 0: A, key 69 */
  CHECK_NEAR(tu_freq_zc(b, 10100, 14000, CH, 0, RATE), 440.0, 1.0);      /* program 5: B, key 57 */
  double loud = tu_peak(b + 10100 * CH, 4000, CH, 0);
  free(b);
  t0 = ms_sampler_now(S);
  ms_event_t quiet[] = {midi(t0, 0xB0, 7, 0), midi(t0 + 4800, 0x90, 57, 127), midi(t0 + 9600, 0x80, 57, 0)};
  push(quiet, 3);
  b = render(14400);
  double soft = tu_peak(b + 6000 * CH, 3000, CH, 0);
  CHECKF(fabs(20.0 * log10(soft / loud) + 40.0) < 1.0, "CC7 0 gave %g dB, expected -40",
         20.0 * log10(soft / loud));
  free(b);
  ms_event_t restore = midi(MS_FRAME_NOW, 0xB0, 7, 127);
  push(&restore, 1);
  ms_event_t prog0 = midi(MS_FRAME_NOW, 0xC0, 0, 0);
  push(&prog0, 1);
  silence();
}

static void test_map_errors(void) {
  tu_section("a malformed map fails naming the record and field");
  ms_midi_layer_t l[2] = {layer(A, 0, 127, 0), layer(B, 0, 127, 0)};
  l[1].instrument = 12345;
  int32_t rc = ms_midi_map_set(S, l, 2, NULL, 0, NULL);
  CHECK_EQ_INT(rc, MS_ERR_INVALID_ARGUMENT);
  CHECKF(strstr(tu_msg(S), "layer 1: instrument id") != NULL, "message: %s", tu_msg(S));
  l[1] = layer(B, 70, 60, 0);
  CHECK_EQ_INT(ms_midi_map_set(S, l, 2, NULL, 0, NULL), MS_ERR_OUT_OF_RANGE);
  CHECKF(strstr(tu_msg(S), "layer 1: keys 70..60") != NULL, "message: %s", tu_msg(S));
  ms_event_t bad = midi(0, 0xF8, 0, 0);
  CHECK_EQ_INT(ms_push_events(S, &bad, 1, NULL), MS_ERR_OUT_OF_RANGE);
}

static void test_fifo(void) {
  tu_section("raw MIDI through a FIFO, read by the ms-midi thread");
  ms_midi_layer_t l = layer(B, 0, 127, 0);
  set_map(&l, 1, NULL, 0, NULL);
  char *path = tu_path("midi.fifo");
  REQUIRE(mkfifo(path, 0600) == 0, );
  ms_midi_in_t *in = NULL;
  int32_t rc = ms_midi_in_open(S, MS_MIDI_IN_RAW, path, &in);
  if (rc != MS_OK) tu_fail_ms(__FILE__, __LINE__, "ms_midi_in_open", S, rc, MS_OK);
  REQUIRE(in != NULL, );
  ms_midi_message_t msgs[8];
  CHECK_EQ_INT(ms_midi_poll(S, msgs, 8), 0); /* starts the poll ring */
  int w = open(path, O_WRONLY);
  REQUIRE(w >= 0, );
  /* garbage, a SysEx, a clock tick inside a note-on, then running status */
  const uint8_t bytes[] = {0x12, 0xF0, 1, 2, 3, 0xF7, 0x90, 60, 0xF8, 100};
  REQUIRE(write(w, bytes, sizeof bytes) == (ssize_t)sizeof bytes, );
  float buf[256 * CH];
  uint64_t waited = 0;
  while (voices() == 0 && waited < 400) { /* 2 s of 5 ms renders: the thread needs a moment */
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
    ms_process(S, buf, 256);
    waited++;
  }
  CHECK_EQ_U64(voices(), 1);
  CHECK(ms_midi_wait(S, 1000) == 1);
  uint32_t n = ms_midi_poll(S, msgs, 8);
  CHECK_EQ_INT(n, 1);
  CHECK(n >= 1 && msgs[0].status == 0x90 && msgs[0].data1 == 60 && msgs[0].data2 == 100 &&
        msgs[0].source == MS_MIDI_SOURCE_RAW && msgs[0].arrival_ns > 0);
  const ms_midi_stats_t *st = ms_midi_stats_ptr(S);
  CHECK_EQ_U64(st->messages, 1);
  CHECK_EQ_U64(st->clock_ticks, 1);
  CHECK_EQ_U64(st->latency_count, 1);
  CHECK(st->latency_ns_max > 0 && st->latency_ns_max < 2000000000ull);
  const uint8_t off[] = {60, 0}; /* running status: a velocity-0 note-on */
  REQUIRE(write(w, off, sizeof off) == 2, );
  waited = 0;
  while (voices() != 0 && waited < 400) {
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
    ms_process(S, buf, 256);
    waited++;
  }
  CHECK_EQ_U64(voices(), 0);
  close(w);
  ms_midi_in_close(in);
  unlink(path);
  free(path);
  CHECK_EQ_INT(ms_midi_in_open(S, MS_MIDI_IN_RAW, "/nonexistent/midi", &in), MS_ERR_FILE_NOT_FOUND);
}

static int seq_test(void) {
  ms_sampler_t *s = tu_sampler(RATE, CH, 128);
  if (!s) return tu_finish();
  ms_midi_in_t *in = NULL;
  int32_t rc = ms_midi_in_open(s, MS_MIDI_IN_ALSA_SEQ, "", &in);
  int skip = tu_skip_without_seq(s, rc);
  if (skip >= 0) return skip;
  if (rc != MS_OK) tu_fail_ms(__FILE__, __LINE__, "ms_midi_in_open(ALSA_SEQ)", s, rc, MS_OK);
  /* connecting from a port that does not exist fails with the fix */
  ms_midi_in_t *bad = NULL;
  CHECK_EQ_INT(ms_midi_in_open(s, MS_MIDI_IN_ALSA_SEQ, "nosuchclient:0", &bad), MS_ERR_DEVICE);
  ms_midi_in_close(in);
  ms_sampler_destroy(s);
  return tu_finish();
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "seq") == 0) return seq_test();
  setup();
  REQUIRE(S != NULL, tu_finish());
  test_split_transpose();
  test_layers_by_velocity();
  test_velocity_table();
  test_sustain_and_bend();
  test_program_and_cc_map();
  test_map_errors();
  test_fifo();
  ms_sampler_collect(S);
  ms_sampler_destroy(S);
  return tu_finish();
}
