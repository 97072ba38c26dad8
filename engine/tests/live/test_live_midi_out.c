/*
 * test_live_midi_out.c — MIDI out through a JACK MIDI port, recorded by a
 * second JACK client: on a dummy server (64-frame periods), a sampler opens
 * a MIDI output "synth" connected (at start) to the recorder's input, which
 * stamps each message with its absolute JACK frame (the cycle's first frame
 * plus the event's offset). Every message must arrive exactly as many frames
 * after the first as it was scheduled after the first (mid-period offsets,
 * period edges, one frame apart); a panic answers the sounding notes on its
 * frame; a port to connect to that does not exist is refused with the fix.
 *
 * Thread: main (CT) schedules; the JACK process threads (the sampler's
 * callback and the recorder's) render and record.
 */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "live_util.h"

#define RATE 48000u
#define CH 2u
#define MAX_REC 256u

typedef struct rec_event {
  uint64_t frame;
  uint8_t size, bytes[3];
} rec_event_t;

static jack_port_t *rec_port;
static rec_event_t rec[MAX_REC];
static _Atomic uint32_t rec_count;
static jack_client_t *rec_client;

/* The recorder's process callback: each event's absolute frame. */
static int rec_process(jack_nframes_t n, void *arg) {
  (void)arg;
  void *buf = jack_port_get_buffer(rec_port, n);
  const uint64_t base = jack_last_frame_time(rec_client);
  uint32_t count = jack_midi_get_event_count(buf);
  for (uint32_t i = 0; i < count; i++) {
    jack_midi_event_t e;
    if (jack_midi_event_get(&e, buf, i) != 0) continue;
    uint32_t k = atomic_load_explicit(&rec_count, memory_order_relaxed);
    if (k >= MAX_REC) break;
    rec[k].frame = base + e.time;
    rec[k].size = (uint8_t)(e.size < 3 ? e.size : 3);
    memcpy(rec[k].bytes, e.buffer, rec[k].size);
    /* release pairs with the main thread's acquire: the record is written first */
    atomic_store_explicit(&rec_count, k + 1, memory_order_release);
  }
  return 0;
}

static bool rec_open(void) {
  jack_status_t st;
  rec_client = jack_client_open("ms-midi-rec", JackNoStartServer, &st);
  if (!rec_client) return false;
  rec_port = jack_port_register(rec_client, "in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
  jack_set_process_callback(rec_client, rec_process, NULL);
  return rec_port && jack_activate(rec_client) == 0;
}

static void sleep_ms(unsigned ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* Wait (up to 5 s) until n messages were recorded. */
static uint32_t wait_for(uint32_t n) {
  for (int i = 0; i < 500; i++) {
    uint32_t k = atomic_load_explicit(&rec_count, memory_order_acquire);
    if (k >= n) return k;
    sleep_ms(10);
  }
  return atomic_load_explicit(&rec_count, memory_order_acquire);
}

static void test_jack_midi_out(void) {
  tu_section("JACK MIDI out: every message on its frame");
  REQUIRE(rec_open(), TU_NOTHING);
  ms_sampler_t *s = tu_sampler(RATE, CH, 0);
  REQUIRE(s, TU_NOTHING);
  ms_output_config_t oc = lu_output_config(MS_BACKEND_JACK, "ms-midi-out", 0, MS_PCM_AUTO);
  oc.flags = MS_OUTPUT_NO_CONNECT;
  ms_output_t *out = NULL;
  REQUIRE_MS(s, ms_output_open(s, &oc, &out), TU_NOTHING);
  ms_midi_out_t *synth = NULL;
  /* opened before start: the connection is made when the client activates */
  REQUIRE_MS(s, ms_midi_out_open(s, MS_MIDI_OUT_JACK, "synth", "ms-midi-rec:in", &synth), TU_NOTHING);
  ms_midi_out_t *dup = NULL;
  CHECK_MS_CODE(s, ms_midi_out_open(s, MS_MIDI_OUT_JACK, "synth", NULL, &dup), MS_ERR_INVALID_ARGUMENT);
  ms_midi_out_t *bad = NULL;
  CHECK_MS_CODE(s, ms_midi_out_open(s, MS_MIDI_OUT_JACK, "other", "nosuch:port", &bad), MS_ERR_DEVICE);
  CHECKF(tu_contains_ci(tu_msg(s), "\"nosuch:port\": no such port"), "message: %s", tu_msg(s));
  CHECK_MS(s, ms_output_start(out));
  const char **conn = jack_port_get_all_connections(rec_client, rec_port);
  CHECKF(conn && conn[0] && strstr(conn[0], "ms-midi-out:synth"), "connected to %s", conn && conn[0] ? conn[0] : "nothing");
  if (conn) jack_free((void *)conn);

  /* well ahead of the render position: 200 ms */
  const uint64_t t0 = ms_sampler_now(s) + RATE / 5;
  static const uint64_t at[] = {0, 1, 63, 64, 65, 127, 128, 1000, 1001, 4799, 9600, 9601, 12345};
  const uint32_t n = sizeof at / sizeof at[0];
  for (uint32_t i = 0; i < n; i++) CHECK_MS(s, ms_midi_out_send_at(synth, t0 + at[i], 0x90, (uint8_t)(40 + i), 100));
  /* two notes are answered, the rest by the panic */
  CHECK_MS(s, ms_midi_out_send_at(synth, t0 + 13000, 0x80, 40, 0));
  CHECK_MS(s, ms_midi_out_send_at(synth, t0 + 13000, 0x80, 41, 0));
  CHECK_MS(s, ms_midi_out_panic_at(synth, t0 + 14000));
  const uint32_t want = n + 2 + (n - 2);
  uint32_t got = wait_for(want);
  CHECK_EQ_INT(got, want);
  REQUIRE(got >= n, TU_NOTHING);
  for (uint32_t i = 0; i < n; i++) {
    CHECKF(rec[i].frame - rec[0].frame == at[i], "message %u arrived %llu frames after the first, sent %llu after", i,
           (unsigned long long)(rec[i].frame - rec[0].frame), (unsigned long long)at[i]);
    CHECK_EQ_INT(rec[i].bytes[0], 0x90);
    CHECK_EQ_INT(rec[i].bytes[1], 40 + (int)i);
  }
  for (uint32_t i = n; i < got; i++) {
    const uint64_t rel = rec[i].frame - rec[0].frame;
    CHECK_EQ_INT(rec[i].bytes[0], 0x80);
    CHECKF(rel == (i < n + 2 ? 13000u : 14000u), "note-off %u at +%llu", i, (unsigned long long)rel);
  }
  /* the panic's note-offs: keys 42.. in key order */
  if (got == want)
    for (uint32_t i = n + 2; i < got; i++) CHECK_EQ_INT(rec[i].bytes[1], 42 + (int)(i - n - 2));
  uint64_t sent, dropped, sounding;
  ms_midi_out_counts(synth, &sent, &dropped, &sounding);
  CHECK_EQ_U64(sent, want);
  CHECK_EQ_U64(dropped, 0);
  CHECK_EQ_U64(sounding, 0);
  ms_output_close(out);
  ms_sampler_destroy(s);
  jack_client_close(rec_client);
}

int main(void) {
  if (access("/usr/bin/jackd", X_OK) != 0 && system("command -v jackd >/dev/null 2>&1") != 0) {
    printf("skip: jackd is not installed\n");
    return TU_SKIP_CODE;
  }
  if (!lu_jackd_start(64)) return 1;
  test_jack_midi_out();
  lu_jackd_stop();
  return tu_finish();
}
