/*
 * test_timing.c — sample-accurate event timing.
 *
 * A note scheduled at frame F (ms_note_on_at) must give its first non-zero
 * output sample exactly at F, whatever the internal block size, the
 * ms_process call size (1, 7, 128, 1000) and where F falls (mid-block, block
 * edges k*B and k*B-1, call edges), and whether it was pushed long before or
 * just before the call that renders F. Late events play at once and count in
 * stats.events_late; ms_note_off_at starts the release on its frame; events
 * pushed out of time order still land on their frames.
 * The sample is DC (non-zero from its first frame) and the zone has attack 0.
 * Thread: the test thread is both CT and RT (it calls ms_process itself).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>

#include "test_util.h"

#define RATE 48000u
#define CH 2u
#define DC 0.5f
#define SILENT 1e-7

typedef struct rig {
  ms_sampler_t *s;
  ms_instrument_t *inst;
} rig_t;

static bool rig_open(rig_t *r, uint32_t block, float release_s) {
  memset(r, 0, sizeof *r);
  r->s = tu_sampler(RATE, CH, block);
  REQUIRE(r->s, false);
  REQUIRE_MS(r->s, ms_instrument_create(r->s, "dc", &r->inst), false);
  float data[4096];
  for (int i = 0; i < 4096; i++) data[i] = DC;
  ms_sample_t *smp = NULL;
  REQUIRE_MS(r->s, ms_sample_create(r->s, data, 4096, 1, RATE, &smp), false);
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, release_s);
  REQUIRE_MS(r->s, ms_instrument_add_zone(r->inst, smp, &z, NULL), false);
  ms_sample_destroy(smp); /* the zone holds its own reference */
  REQUIRE_MS(r->s, ms_instrument_commit(r->inst), false);
  return true;
}

static void rig_close(rig_t *r) {
  if (r->s) ms_sampler_destroy(r->s);
  r->s = NULL;
}

/*
 * Render total frames in calls of cs frames. The note-on at F is pushed either
 * before anything is rendered (ahead) or right before the call that renders F.
 * Returns the first frame with non-zero output, or UINT64_MAX.
 */
static uint64_t onset_frame(uint32_t block, uint32_t cs, uint64_t F, bool ahead, float *level) {
  rig_t r;
  uint64_t total = F + 300;
  float *buf = calloc(total * CH, sizeof(float));
  uint64_t found = UINT64_MAX;
  if (!buf || !rig_open(&r, block, 0.05f)) goto out;
  if (ahead) CHECK_MS(r.s, ms_note_on_at(r.inst, F, 60, 127, NULL));
  for (uint64_t done = 0; done < total;) {
    uint32_t n = (uint32_t)((total - done) < cs ? (total - done) : cs);
    if (!ahead && F >= done && F < done + n) {
      CHECK_EQ_U64(ms_sampler_now(r.s), done);
      CHECK_MS(r.s, ms_note_on_at(r.inst, F, 60, 127, NULL));
    }
    int32_t rc = ms_process(r.s, buf + done * CH, n);
    if (rc != MS_OK) {
      tu_fail_ms(__FILE__, __LINE__, "ms_process", r.s, rc, MS_OK);
      break;
    }
    done += n;
  }
  found = tu_first_above(buf, 0, total, CH, SILENT);
  if (found != UINT64_MAX && level) *level = buf[found * CH];
  /* attack 0: full level from the first frame, then steady */
  if (found != UINT64_MAX && found + 200 < total)
    CHECKF(fabsf(buf[found * CH] - buf[(found + 200) * CH]) < 1e-5f,
           "onset at %llu is %.7f, 200 frames later %.7f (attack 0 must be instant)",
           (unsigned long long)found, buf[found * CH], buf[(found + 200) * CH]);
  ms_stats_t st;
  CHECK_MS(r.s, ms_get_stats_ex(r.s, &st));
  CHECK_EQ_U64(st.events_late, 0);
  rig_close(&r);
out:
  free(buf);
  return found;
}

static void test_onsets(void) {
  static const uint32_t blocks[] = {64, 100};
  static const uint32_t calls[] = {1, 7, 128, 1000};
  int cases = 0, wrong = 0;
  for (size_t bi = 0; bi < sizeof blocks / sizeof *blocks; bi++) {
    uint32_t B = blocks[bi];
    char name[64];
    snprintf(name, sizeof name, "note-on onsets, internal block %u", B);
    tu_section(name);
    uint64_t Fs[] = {0, 1, 5, B / 2, B - 1, B, B + 1, 2 * B - 1, 2 * B, 7 * B - 1, 7 * B,
                     7 * B + 3, 999, 1000, 1001, 20 * B - 1, 20 * B, 3333};
    for (size_t ci = 0; ci < sizeof calls / sizeof *calls; ci++) {
      for (size_t fi = 0; fi < sizeof Fs / sizeof *Fs; fi++) {
        for (int ahead = 0; ahead < 2; ahead++) {
          /* call size 1 makes thousands of calls: thin it out a little */
          if (calls[ci] == 1 && Fs[fi] > 1500 && !ahead) continue;
          float level = 0;
          uint64_t got = onset_frame(B, calls[ci], Fs[fi], ahead, &level);
          cases++;
          tu_checks++;
          if (got != Fs[fi]) {
            wrong++;
            tu_fail(__FILE__, __LINE__,
                    "block %u, call size %u, pushed %s: note-on at frame %llu sounded first at %lld",
                    B, calls[ci], ahead ? "ahead" : "just in time", (unsigned long long)Fs[fi],
                    got == UINT64_MAX ? -1LL : (long long)got);
          } else {
            CHECKF(level > 0.1f, "onset level %.6f too low", level);
          }
        }
      }
    }
  }
  printf("    %d onset cases, %d wrong\n", cases, wrong);
}

/* An event for a frame already rendered plays at the start of the next call
 * and counts as late; MS_FRAME_NOW plays there too but is not late. */
static void test_late(void) {
  tu_section("late events and MS_FRAME_NOW");
  for (int use_now = 0; use_now < 2; use_now++) {
    rig_t r;
    if (!rig_open(&r, 128, 0.05f)) return;
    float buf[2000 * CH];
    CHECK_MS(r.s, tu_render(r.s, buf, 1000, CH, 128));
    CHECK_EQ_U64(tu_first_above(buf, 0, 1000, CH, SILENT), UINT64_MAX);
    uint64_t now = ms_sampler_now(r.s);
    CHECK_EQ_U64(now, 1000);
    ms_stats_t st0, st1;
    CHECK_MS(r.s, ms_get_stats_ex(r.s, &st0));
    if (use_now)
      CHECK_MS(r.s, ms_note_on(r.inst, 60, 127, NULL));
    else
      CHECK_MS(r.s, ms_note_on_at(r.inst, 500, 60, 127, NULL));
    CHECK_MS(r.s, tu_render(r.s, buf, 1000, CH, 77));
    uint64_t on = tu_first_above(buf, 0, 1000, CH, SILENT);
    CHECKF(on == 0, "%s event sounded at offset %lld into the next call, expected 0",
           use_now ? "MS_FRAME_NOW" : "late", on == UINT64_MAX ? -1LL : (long long)on);
    CHECK_MS(r.s, ms_get_stats_ex(r.s, &st1));
    if (use_now)
      CHECK_EQ_U64(st1.events_late, st0.events_late);
    else
      CHECK_EQ_U64(st1.events_late, st0.events_late + 1);
    CHECK_EQ_U64(st1.events_received, st0.events_received + 1);
    /* the live stats block agrees with the copy and with ms_sampler_now */
    const ms_stats_t *live = ms_sampler_stats_ptr(r.s);
    CHECK(live != NULL);
    if (live) {
      CHECK_EQ_U64(live->struct_size, sizeof(ms_stats_t));
      CHECK_EQ_U64(live->sample_rate, RATE);
      CHECK_EQ_U64(live->frames_rendered, 2000);
      CHECK_EQ_U64(live->frames_rendered, ms_sampler_now(r.s));
      CHECK_EQ_U64(live->events_late, st1.events_late);
    }
    uint64_t fr = 0;
    uint32_t xr = 99;
    CHECK_MS(r.s, ms_get_stats(r.s, &fr, &xr));
    CHECK_EQ_U64(fr, 2000);
    CHECK_EQ_INT(xr, 0);
    rig_close(&r);
  }
}

/* Events pushed out of time order still land on their own frames. */
static void test_out_of_order(void) {
  tu_section("events pushed out of time order");
  rig_t r;
  if (!rig_open(&r, 128, 0.0f)) return;
  enum { N = 4000 };
  float *buf = calloc(N * CH, sizeof(float));
  CHECK_MS(r.s, ms_note_on_at(r.inst, 3000, 62, 127, NULL));
  CHECK_MS(r.s, ms_note_on_at(r.inst, 1000, 60, 127, NULL));
  CHECK_MS(r.s, ms_note_off_at(r.inst, 2000, 60));
  CHECK_MS(r.s, tu_render(r.s, buf, N, CH, 512));
  uint64_t on = tu_first_above(buf, 0, N, CH, SILENT);
  CHECKF(on == 1000, "first sound at %lld, expected 1000", on == UINT64_MAX ? -1LL : (long long)on);
  /* release 0: silent soon after the note-off (allowing a declick of up to
   * 4 ms) until the second note */
  uint64_t again = tu_first_above(buf, 2000 + 192, N, CH, SILENT);
  CHECKF(again == 3000, "second onset at %lld, expected 3000",
         again == UINT64_MAX ? -1LL : (long long)again);
  free(buf);
  rig_close(&r);
}

/* ms_note_off_at: the output is unchanged up to G-1 and the release is under
 * way by G (the first changed frame is G, or G+1 if the envelope reports its
 * release start value at G). */
static void test_note_off(void) {
  static const uint32_t calls[] = {1, 7, 128, 1000};
  const uint32_t B = 64;
  uint64_t Gs[] = {B, B - 1, B + 1, 5 * B, 5 * B - 1, 333, 1000, 1001};
  tu_section("note-off lands on its frame");
  for (size_t ci = 0; ci < sizeof calls / sizeof *calls; ci++) {
    for (size_t gi = 0; gi < sizeof Gs / sizeof *Gs; gi++) {
      uint64_t G = Gs[gi], total = G + 400;
      rig_t r;
      if (!rig_open(&r, B, 0.05f)) return;
      float *buf = calloc(total * CH, sizeof(float));
      CHECK_MS(r.s, ms_note_on_at(r.inst, 10, 60, 127, NULL));
      CHECK_MS(r.s, ms_note_off_at(r.inst, G, 60));
      CHECK_MS(r.s, tu_render(r.s, buf, total, CH, calls[ci]));
      float A = buf[(G - 1) * CH];
      uint64_t changed = UINT64_MAX;
      for (uint64_t i = 10; i < total; i++)
        if (fabsf(buf[i * CH] - A) > 1e-6f) {
          changed = i;
          break;
        }
      tu_checks++;
      if (changed != G && changed != G + 1)
        tu_fail(__FILE__, __LINE__, "call size %u: note-off at %llu, output first changed at %lld",
                calls[ci], (unsigned long long)G,
                changed == UINT64_MAX ? -1LL : (long long)changed);
      /* and it keeps falling: a release, not a glitch */
      CHECKF(buf[(G + 300) * CH] < 0.9f * A && buf[(G + 300) * CH] > 0.0f,
             "300 frames into a 50 ms release the level is %.6f (held %.6f)", buf[(G + 300) * CH],
             A);
      free(buf);
      rig_close(&r);
    }
  }
}

int main(void) {
  test_onsets();
  test_late();
  test_out_of_order();
  test_note_off();
  return tu_finish();
}
