/*
 * test_live_conformance.c — one conformance suite for every output backend:
 * the offline file renderer (ms_render_file_*), ALSA through the `file` PCM
 * of asound_test.conf (not paced), and JACK against a dummy server this test
 * starts and stops by PID (paced, in real time). Every backend runs the same
 * case with the same assertions:
 *
 *   (1) format: it delivers the sampler's rate and channel count;
 *   (2) content (effects on: orbit delay and reverb): every frame it delivered equals the engine's offline render
 *       (ms_process on a second sampler with the same events) at the engine
 *       frame it was rendered for, byte for byte, across a stop and a start
 *       in the middle of the phrase; nothing is lost where the backend is not
 *       paced (a paced one may miss the cycles before its capture connects
 *       and those lost at xruns: at least half must arrive, the rest is
 *       printed);
 *   (3) stop and start: stop freezes the engine's clock, start resumes it
 *       from there, and the clock only ever moves in whole periods; close
 *       leaves no render thread behind;
 *   (4) counters: frames rendered = the clock, every event received, none
 *       dropped or late, voices overlapped and all ended once the phrase has
 *       died away. Xruns are printed, never asserted (the host stalls).
 *
 * A backend that cannot run here is skipped with its reason (exit 77).
 *
 *   test_live_conformance offline|alsa-file|jack
 *
 * JACK: the server is named by MS_TEST_JACK_NAME when set, else
 * "ms-live-<pid>"; a second client in this process captures the engine's
 * ports and, in each cycle, reads the engine's clock (ms_sampler_now), which
 * tells the engine frame of every captured cycle.
 *
 * Thread: the test's main thread is CT; the live backends' render threads
 * and the capture client's process thread run beside it.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <jack/jack.h>
#include <sndfile.h>
#include <stdatomic.h>

#include "live_util.h"

/* A note's controls travel ahead of it in records of 4 (the engine's
 * MS_CMD_CONTROLS_PER_RECORD), each counted as an event received. */
#define CONTROLS_PER_RECORD 4u

#define RATE 48000u
#define CH 2u
#define BLOCK 128u                    /* the sampler's internal block */
#define LEAD (RATE / 2)               /* silence first: a paced capture connects meanwhile */
#define PHRASE (RATE * 2)             /* notes over [LEAD, LEAD + PHRASE) */
#define HALF (LEAD + PHRASE / 2)      /* stop and start again here (an unpaced backend: a little later) */
#define END (LEAD + PHRASE + RATE / 2) /* every release has ended by then */
#define DRONE_KEY 60                  /* held from LEAD until a quarter second after the stop */

/* ----------------------------------------------------------- the case -- */
typedef struct piece {
  uint64_t engine_frame; /* the engine frame its first frame was rendered for */
  uint64_t frames;
  const float *data;     /* interleaved CH */
} piece_t;

typedef struct conf {
  ms_sampler_t *s;
  ms_instrument_t *inst, *drone;
  uint32_t events;       /* pushed */
  /* backend state */
  ms_output_t *out;
  ms_render_file_t *file;
  char *path;
  float *frames;         /* what a file-backed backend delivered */
  piece_t *pieces;
  uint32_t piece_count;
} conf_t;

typedef struct backend {
  const char *name;
  bool paced;
  uint32_t period;                       /* frames per render call it makes */
  const char *(*unavailable)(void);      /* why it cannot run here, or NULL */
  bool (*open)(conf_t *c);
  bool (*start)(conf_t *c);
  bool (*stop)(conf_t *c);
  void (*close)(conf_t *c);
  bool (*run_to)(conf_t *c, uint64_t frame); /* until the engine's clock reaches frame */
  bool (*format)(conf_t *c, uint32_t *rate, uint32_t *channels);
  bool (*delivered)(conf_t *c);          /* fills c->pieces after close */
} backend_t;

/* The phrase: notes over [LEAD, LEAD + PHRASE), overlapping, across the
 * keyboard, with pitch bends, a third of them sending to an orbit's delay and
 * reverb; the same for the backend and the reference. */
static int32_t phrase(ms_instrument_t *inst, uint32_t *events) {
  tu_rng_t r = {0xC0FFu};
  uint64_t f = LEAD + 17;
  int32_t rc = MS_OK;
  *events = 0;
  while (f + 12000 < LEAD + PHRASE && rc == MS_OK) {
    int note = 36 + (int)tu_rng_below(&r, 48);
    int vel = 30 + (int)tu_rng_below(&r, 97);
    uint64_t len = 500 + tu_rng_below(&r, 9000);
    if (tu_rng_below(&r, 3) == 0) {
      /* effects on: the orbit's delay and reverb are part of what every
       * backend must deliver byte for byte */
      ms_controls_t fx;
      memset(&fx, 0, sizeof fx);
      ms_controls_set(&fx, MS_CONTROL_ORBIT, 2.0f);
      ms_controls_set(&fx, MS_CONTROL_ROOM, 0.4f);
      ms_controls_set(&fx, MS_CONTROL_ROOMSIZE, 1.0f);
      ms_controls_set(&fx, MS_CONTROL_DELAY, 0.3f);
      ms_controls_set(&fx, MS_CONTROL_DELAYTIME, 0.09f);
      ms_controls_set(&fx, MS_CONTROL_DELAYFEEDBACK, 0.5f);
      rc = ms_note_on_controls_at(inst, f, note, vel, NULL, &fx);
      *events += (6 + CONTROLS_PER_RECORD - 1) / CONTROLS_PER_RECORD; /* the controls' records */
    } else {
      rc = ms_note_on_at(inst, f, note, vel, NULL);
    }
    if (rc == MS_OK) rc = ms_note_off_at(inst, f + len, note);
    *events += 2;
    if (rc == MS_OK && tu_rng_below(&r, 4) == 0) {
      rc = ms_pitch_bend_at(inst, f + 301, (int32_t)tu_rng_below(&r, 16000) - 8000);
      *events += 1;
    }
    f += 211 + tu_rng_below(&r, 2400);
  }
  return rc;
}

/* A sampler with the phrase on "keys" and a looped drone on "drone" that
 * sounds through the stop and start, wherever the stop lands: its note-off
 * is scheduled once the stop frame is known (drone_off). */
static ms_sampler_t *make_sampler(ms_instrument_t **inst, ms_instrument_t **drone, uint32_t *events) {
  ms_sampler_t *s = tu_sampler(RATE, CH, BLOCK);
  if (!s) return NULL;
  *inst = lu_instrument(s, "keys", false);
  *drone = lu_instrument(s, "drone", true);
  if (!*inst || !*drone) return NULL;
  if (phrase(*inst, events) != MS_OK || ms_note_on_at(*drone, LEAD + 5, DRONE_KEY, 70, NULL) != MS_OK) {
    tu_fail(__FILE__, __LINE__, "scheduling the phrase failed: %s", tu_msg(s));
    return NULL;
  }
  *events += 1;
  return s;
}

static int32_t drone_off(ms_instrument_t *drone, uint64_t stopped) {
  return ms_note_off_at(drone, stopped + RATE / 4, DRONE_KEY);
}

/* Wait (live backends) until the engine's clock reaches frame. */
static bool wait_clock(conf_t *c, uint64_t frame) {
  double t0 = lu_now_s();
  while (ms_sampler_now(c->s) < frame) {
    if (lu_now_s() - t0 > 30.0) {
      tu_fail(__FILE__, __LINE__, "the engine's clock stayed at %llu, short of %llu, for 30 s",
              (unsigned long long)ms_sampler_now(c->s), (unsigned long long)frame);
      return false;
    }
    sched_yield(); /* an unpaced backend renders a period in microseconds: look often */
  }
  return true;
}

static void run_case(const backend_t *b) {
  char title[128];
  snprintf(title, sizeof title, "%s: the offline render's bytes, stop/start, counters", b->name);
  tu_section(title);
  conf_t c;
  memset(&c, 0, sizeof c);
  c.s = make_sampler(&c.inst, &c.drone, &c.events);
  REQUIRE(c.s, TU_NOTHING);
  REQUIRE(b->open(&c), TU_NOTHING);

  /* (1) format */
  uint32_t rate = 0, channels = 0;
  CHECK(b->format(&c, &rate, &channels));
  CHECK_EQ_INT(rate, RATE);
  CHECK_EQ_INT(channels, CH);

  /* (3) stop and start in the middle of the phrase */
  REQUIRE(b->start(&c), TU_NOTHING);
  REQUIRE(b->run_to(&c, HALF), TU_NOTHING);
  CHECK(b->stop(&c));
  const uint64_t stopped = ms_sampler_now(c.s);
  printf("  %s: stopped at frame %llu (asked for %u)\n", b->name, (unsigned long long)stopped, HALF);
  CHECK_LE(HALF, stopped);
  CHECK_EQ_U64(stopped % b->period, 0);
  lu_sleep_ms(30);
  CHECK_EQ_U64(ms_sampler_now(c.s), stopped); /* stopped means stopped */
  REQUIRE_MS(c.s, drone_off(c.drone, stopped), TU_NOTHING);
  c.events += 1;
  const uint64_t end = stopped + RATE / 2 > END ? stopped + RATE / 2 : END;
  REQUIRE(b->start(&c), TU_NOTHING);
  REQUIRE(b->run_to(&c, end), TU_NOTHING);
  CHECK(b->stop(&c));
  const uint64_t total = ms_sampler_now(c.s);
  CHECK_LE(end, total);
  CHECK_EQ_U64(total % b->period, 0);
  ms_sampler_collect(c.s);

  /* (4) counters */
  ms_stats_t st = stat_now(c.s);
  CHECK_EQ_U64(st.frames_rendered, total);
  CHECK_EQ_U64(st.events_received, c.events);
  CHECK_EQ_U64(st.events_dropped, 0);
  CHECK_EQ_U64(st.events_late, 0);
  CHECKF(st.voices_peak >= 2, "voices peak %llu: the phrase overlaps notes", (unsigned long long)st.voices_peak);
  CHECK_EQ_U64(st.voices_active, 0);
  /* the effects ran: orbit 2's delay still holds the phrase's echoes (it sleeps
   * only after its 4 s memory has been quiet) */
  CHECKF(ms_orbits_awake(c.s) == 1u << 2, "orbits awake 0x%x, want orbit 2's", ms_orbits_awake(c.s));
  CHECK_LE(total / b->period, st.blocks_rendered); /* render calls of at most a period */
  b->close(&c);
  CHECK_EQ_INT(lu_threads_settle("ms-render", 0), 0); /* (3) close leaves no render thread */

  /* (2) content */
  ms_instrument_t *inst2 = NULL, *drone2 = NULL;
  uint32_t events2 = 0;
  ms_sampler_t *s2 = make_sampler(&inst2, &drone2, &events2);
  REQUIRE(s2, TU_NOTHING);
  REQUIRE_MS(s2, drone_off(drone2, stopped), TU_NOTHING);
  float *ref = calloc((size_t)total * CH, sizeof(float));
  REQUIRE(ref, TU_NOTHING);
  REQUIRE_MS(s2, tu_render(s2, ref, total, CH, b->period), TU_NOTHING);
  CHECK(tu_peak(ref, total, CH, 0) > 0.05);
  REQUIRE(b->delivered(&c), TU_NOTHING);
  uint64_t compared = 0, sounding = 0;
  bool same = true;
  for (uint32_t i = 0; i < c.piece_count && same; i++) {
    const piece_t *p = &c.pieces[i];
    if (p->engine_frame + p->frames > total) {
      CHECKF(false, "%llu frames at engine frame %llu: past the %llu frames the engine rendered",
             (unsigned long long)p->frames, (unsigned long long)p->engine_frame, (unsigned long long)total);
      break;
    }
    const float *want = ref + p->engine_frame * CH;
    for (uint64_t k = 0; k < p->frames * CH; k++) {
      if (memcmp(&p->data[k], &want[k], sizeof(float)) != 0) {
        CHECKF(false, "frame %llu (engine frame %llu) differs from the offline render: %.9g, want %.9g",
               (unsigned long long)(k / CH), (unsigned long long)(p->engine_frame + k / CH), p->data[k], want[k]);
        same = false;
        break;
      }
      if (want[k] != 0.0f && k % CH == 0) sounding++;
    }
    compared += p->frames;
  }
  printf("  %s: %llu of %llu frames rendered compared (%llu sounding) in %u pieces; xruns %llu\n", b->name,
         (unsigned long long)compared, (unsigned long long)total, (unsigned long long)sounding, c.piece_count,
         (unsigned long long)st.xruns);
  if (b->paced)
    CHECKF(2 * compared >= total, "only %llu of %llu frames arrived", (unsigned long long)compared,
           (unsigned long long)total);
  else
    CHECK_EQ_U64(compared, total);
  CHECKF(sounding > PHRASE / 4, "the compared frames hold %llu sounding ones", (unsigned long long)sounding);

  free(ref);
  ms_sampler_destroy(s2);
  free(c.pieces);
  free(c.frames);
  if (c.path) remove(c.path);
  free(c.path);
  ms_sampler_destroy(c.s);
}

/* ------------------------------------------- offline (ms_render_file) -- */
static const char *offline_unavailable(void) { return NULL; }

static bool offline_open(conf_t *c) {
  c->path = tu_path("conformance.wav");
  REQUIRE_MS(c->s, ms_render_file_open(c->s, c->path, MS_FILE_WAV, MS_SAMPLE_FLOAT32, &c->file), false);
  return true;
}
/* The offline backend renders only while it is written to: start and stop
 * are the caller's. */
static bool offline_start(conf_t *c) { return c->file != NULL; }
static bool offline_stop(conf_t *c) { return c->file != NULL; }
static bool offline_run_to(conf_t *c, uint64_t frame) {
  while (ms_sampler_now(c->s) < frame) REQUIRE_MS(c->s, ms_render_file_write(c->file, 128), false);
  return true;
}
static void offline_close(conf_t *c) {
  CHECK_MS(c->s, ms_render_file_close(c->file));
  c->file = NULL;
}
/* The file is written at the sampler's format; its header is read back in
 * offline_delivered, after close. */
static bool offline_format(conf_t *c, uint32_t *rate, uint32_t *channels) {
  ms_audio_config_t cfg;
  REQUIRE_MS(c->s, ms_sampler_get_config(c->s, &cfg), false);
  *rate = cfg.sample_rate;
  *channels = cfg.channels;
  return true;
}
static bool offline_delivered(conf_t *c) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *sf = sf_open(c->path, SFM_READ, &info);
  REQUIRE(sf, false);
  CHECK_EQ_INT(info.samplerate, RATE);
  CHECK_EQ_INT(info.channels, CH);
  CHECK_EQ_INT(info.format, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  c->frames = malloc(sizeof(float) * (size_t)info.frames * CH);
  REQUIRE(c->frames, false);
  sf_count_t got = sf_readf_float(sf, c->frames, info.frames);
  sf_close(sf);
  CHECK_EQ_U64((uint64_t)got, (uint64_t)info.frames);
  c->pieces = calloc(1, sizeof(piece_t));
  c->pieces[0] = (piece_t){0, (uint64_t)got, c->frames};
  c->piece_count = 1;
  return true;
}

static const backend_t OFFLINE = {"offline", false, 128, offline_unavailable, offline_open, offline_start,
                                  offline_stop, offline_close, offline_run_to, offline_format, offline_delivered};

/* -------------------------------------------- ALSA through the file PCM -- */
#define ALSA_PERIOD 128u

static const char *alsa_unavailable(void) {
  return access("/usr/share/alsa/alsa.conf", R_OK) == 0 ? NULL
                                                         : "no /usr/share/alsa/alsa.conf (apt-get install libasound2)";
}

static bool alsa_open(conf_t *c) {
  c->path = tu_path("conformance.raw");
  char device[sizeof(((ms_output_config_t *)0)->device)];
  REQUIRE((size_t)snprintf(device, sizeof device, "testraw:FILE=%s", c->path) < sizeof device, false);
  ms_output_config_t oc = lu_output_config(MS_BACKEND_ALSA, device, ALSA_PERIOD, MS_PCM_FLOAT);
  REQUIRE_MS(c->s, ms_output_open(c->s, &oc, &c->out), false);
  return true;
}
static bool live_start(conf_t *c) {
  REQUIRE_MS(c->s, ms_output_start(c->out), false);
  return true;
}
static bool live_stop(conf_t *c) {
  REQUIRE_MS(c->s, ms_output_stop(c->out), false);
  return true;
}
static void live_close(conf_t *c) {
  ms_output_close(c->out);
  c->out = NULL;
}
static bool live_format(conf_t *c, uint32_t *rate, uint32_t *channels) {
  ms_output_info_t info;
  REQUIRE_MS(c->s, ms_output_get_info(c->out, &info), false);
  ms_audio_config_t cfg;
  REQUIRE_MS(c->s, ms_sampler_get_config(c->s, &cfg), false);
  *rate = info.sample_rate;
  *channels = cfg.channels;
  return true;
}
static bool alsa_delivered(conf_t *c) {
  size_t len = 0;
  uint8_t *bytes = tu_read_bytes(c->path, &len);
  REQUIRE(bytes, false);
  CHECKF(len % (sizeof(float) * CH) == 0, "the file holds %zu bytes: not whole frames", len);
  c->frames = (float *)bytes;
  c->pieces = calloc(1, sizeof(piece_t));
  c->pieces[0] = (piece_t){0, len / (sizeof(float) * CH), c->frames};
  c->piece_count = 1;
  return true;
}

static const backend_t ALSA_FILE = {"ALSA file PCM", false, ALSA_PERIOD, alsa_unavailable, alsa_open, live_start,
                                    live_stop, live_close, wait_clock, live_format, alsa_delivered};

/* --------------------------------------------------- JACK dummy server -- */
#define JACK_PERIOD 256u
#define CAP_FRAMES (RATE * 20u)
#define CAP_CYCLES (CAP_FRAMES / 16u)

/* The capture client: the engine's ports into preallocated buffers, and
 * per cycle the engine's clock after it (the engine's client runs first in
 * each cycle: the capture's inputs depend on its outputs). */
typedef struct capture {
  jack_client_t *client;
  jack_port_t *in[CH];
  ms_sampler_t *s;
  float *buf[CH];
  uint64_t *cycle_clock;   /* the engine's clock after the cycle */
  uint32_t *cycle_frames;
  uint8_t *cycle_connected;
  _Atomic uint32_t cycles; /* release: the cycle's record is written */
  uint64_t pos;            /* process thread only */
} capture_t;

static capture_t cap;

static int cap_process(jack_nframes_t n, void *arg) {
  capture_t *k = arg;
  uint32_t i = atomic_load_explicit(&k->cycles, memory_order_relaxed);
  if (i >= CAP_CYCLES || k->pos + n > CAP_FRAMES) return 0;
  for (uint32_t ch = 0; ch < CH; ch++) memcpy(k->buf[ch] + k->pos, jack_port_get_buffer(k->in[ch], n), sizeof(float) * n);
  k->cycle_clock[i] = ms_sampler_now(k->s);
  k->cycle_frames[i] = n;
  k->cycle_connected[i] = jack_port_connected(k->in[0]) > 0 && jack_port_connected(k->in[1]) > 0;
  k->pos += n;
  atomic_store_explicit(&k->cycles, i + 1, memory_order_release);
  return 0;
}

static const char *jack_unavailable(void) {
  if (system("command -v jackd >/dev/null 2>&1 && command -v jack_wait >/dev/null 2>&1") != 0)
    return "jackd or jack_wait is not installed (apt-get install jackd2)";
  return NULL;
}

static bool jack_conf_open(conf_t *c) {
  ms_output_config_t oc = lu_output_config(MS_BACKEND_JACK, "ms-conf", 0, MS_PCM_AUTO);
  oc.flags = MS_OUTPUT_NO_CONNECT;
  REQUIRE_MS(c->s, ms_output_open(c->s, &oc, &c->out), false);
  memset(&cap, 0, sizeof cap);
  cap.s = c->s;
  for (uint32_t ch = 0; ch < CH; ch++) cap.buf[ch] = calloc(CAP_FRAMES, sizeof(float));
  cap.cycle_clock = calloc(CAP_CYCLES, sizeof(uint64_t));
  cap.cycle_frames = calloc(CAP_CYCLES, sizeof(uint32_t));
  cap.cycle_connected = calloc(CAP_CYCLES, 1);
  REQUIRE(cap.buf[0] && cap.buf[1] && cap.cycle_clock && cap.cycle_frames && cap.cycle_connected, false);
  jack_status_t st;
  cap.client = jack_client_open("ms-conf-capture", JackNoStartServer, &st);
  REQUIRE(cap.client, false);
  cap.in[0] = jack_port_register(cap.client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  cap.in[1] = jack_port_register(cap.client, "in_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
  REQUIRE(cap.in[0] && cap.in[1], false);
  jack_set_process_callback(cap.client, cap_process, &cap);
  REQUIRE(jack_activate(cap.client) == 0, false);
  return true;
}

/* Start the engine's client, then connect it to the capture (a stopped
 * client loses its connections). */
static bool jack_conf_start(conf_t *c) {
  REQUIRE(live_start(c), false);
  REQUIRE(jack_connect(cap.client, "ms-conf:out_1", "ms-conf-capture:in_1") == 0, false);
  REQUIRE(jack_connect(cap.client, "ms-conf:out_2", "ms-conf-capture:in_2") == 0, false);
  return true;
}

static void jack_conf_close(conf_t *c) {
  live_close(c);
  jack_deactivate(cap.client); /* returns once cap_process can no longer run */
  jack_client_close(cap.client);
  cap.client = NULL;
}

/* A captured cycle is the engine's when its inputs were connected and the
 * engine's clock moved by exactly that cycle's frames (it ran this cycle). */
static bool jack_delivered(conf_t *c) {
  uint32_t n = atomic_load_explicit(&cap.cycles, memory_order_acquire);
  c->frames = malloc(sizeof(float) * CH * (size_t)(cap.pos ? cap.pos : 1));
  c->pieces = calloc(n ? n : 1, sizeof(piece_t));
  REQUIRE(c->frames && c->pieces, false);
  uint64_t pos = 0, prev = UINT64_MAX;
  uint32_t skipped = 0;
  for (uint32_t i = 0; i < n; i++) {
    const uint32_t f = cap.cycle_frames[i];
    const uint64_t clock = cap.cycle_clock[i];
    bool ran = prev != UINT64_MAX && clock == prev + f;
    if (ran && cap.cycle_connected[i]) {
      float *dst = c->frames + pos * CH;
      for (uint32_t k = 0; k < f; k++)
        for (uint32_t ch = 0; ch < CH; ch++) dst[k * CH + ch] = cap.buf[ch][pos + k];
      c->pieces[c->piece_count++] = (piece_t){clock - f, f, dst};
    } else if (ran) {
      skipped++;
    }
    prev = clock;
    pos += f;
  }
  printf("  JACK: %u cycles captured, %u of the engine's not yet connected\n", n, skipped);
  for (uint32_t ch = 0; ch < CH; ch++) free(cap.buf[ch]);
  free(cap.cycle_clock);
  free(cap.cycle_frames);
  free(cap.cycle_connected);
  return true;
}

static const backend_t JACK_DUMMY = {"JACK dummy server", true, JACK_PERIOD, jack_unavailable, jack_conf_open,
                                     jack_conf_start, live_stop, jack_conf_close, wait_clock, live_format,
                                     jack_delivered};

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "offline";
  const backend_t *b = strcmp(which, "offline") == 0     ? &OFFLINE
                       : strcmp(which, "alsa-file") == 0 ? &ALSA_FILE
                       : strcmp(which, "jack") == 0      ? &JACK_DUMMY
                                                         : NULL;
  if (!b) {
    fprintf(stderr, "usage: test_live_conformance offline|alsa-file|jack\n");
    return 2;
  }
  const char *why = b->unavailable();
  if (why) {
    printf("skip: %s: %s\n", b->name, why);
    return TU_SKIP_CODE;
  }
  lu_alsa_config();
  if (b == &JACK_DUMMY && !lu_jackd_start(JACK_PERIOD)) return 1;
  run_case(b);
  if (b == &JACK_DUMMY) lu_jackd_stop();
  return tu_finish();
}
