/*
 * test_zones.c — the SFZ-grade zone features, each with an audible
 * assertion on an offline render: release triggers (and under the sustain
 * pedal), keyswitches, MIDI channels, random ranges, off_by chokes in fast
 * and normal mode, pitch keytrack, custom velocity curves, and the filter
 * (energy above and below the cutoff, with velocity and CC modulation).
 *
 * Thread: the test thread is both CT and the render thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

enum { RATE = 48000 };

/* Constant-level samples tell zones apart by their level: zone k plays k/10. */
static ms_sample_t *dc_sample_len(ms_sampler_t *s, float level, uint64_t frames) {
  return tu_dc_sample(s, level, frames, RATE);
}
static ms_sample_t *dc_sample(ms_sampler_t *s, float level) { return dc_sample_len(s, level, RATE); }

static ms_zone_t flat(void) {
  ms_zone_t z = tu_zone_flat(60, MS_LOOP_FORWARD, 0.005f);
  z.velocity_track = 0.0f;
  return z;
}

/* Left channel level at frame f of a centre-panned mono voice (pan law 0.7071). */
static float level_at(const float *buf, uint64_t f) { return buf[f * 2] / 0.70710678f; }

static float *render(ms_sampler_t *s, uint64_t frames) {
  float *buf = calloc(frames * 2, sizeof(float));
  CHECK_MS(s, tu_render(s, buf, frames, 2, 128));
  return buf;
}

static double band_energy(const float *buf, uint64_t from, uint64_t n, double hz) {
  /* Goertzel on the left channel */
  double w = 2.0 * M_PI * hz / RATE, c = 2.0 * cos(w), s1 = 0, s2 = 0;
  for (uint64_t i = 0; i < n; i++) {
    double s0 = buf[(from + i) * 2] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double)n * n);
}

int main(void) {
  tu_section("release trigger: sounds on note-off with the note-on's velocity; deferred under the pedal");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "rel", &in);
    ms_sample_t *a = dc_sample(s, 0.1f), *r = dc_sample_len(s, 0.3f, RATE / 10); /* release: 0.1 s */
    ms_zone_t za = flat(), zr = flat();
    zr.trigger = MS_TRIGGER_RELEASE;
    zr.loop_mode = MS_LOOP_ONE_SHOT;
    CHECK_MS(s, ms_instrument_add_zone(in, a, &za, NULL));
    CHECK_MS(s, ms_instrument_add_zone(in, r, &zr, NULL));
    CHECK_MS(s, ms_note_on_at(in, 100, 60, 100, NULL));
    CHECK_MS(s, ms_note_off_at(in, 4000, 60));
    CHECK_MS(s, ms_cc_at(in, 20000, 64, 127));
    CHECK_MS(s, ms_note_on_at(in, 20100, 62, 100, NULL));
    CHECK_MS(s, ms_note_off_at(in, 24000, 62)); /* pedal down: the release sample waits */
    CHECK_MS(s, ms_cc_at(in, 30000, 64, 0));     /* pedal up: now */
    float *b = render(s, 40000);
    CHECK_NEAR(level_at(b, 2000), 0.1, 0.01);  /* attack zone only */
    CHECK_NEAR(level_at(b, 4100), 0.3, 0.03);  /* release sample (attack zone fading) */
    CHECK_NEAR(level_at(b, 8000), 0.3, 0.01);  /* release sample alone */
    CHECK_NEAR(level_at(b, 27000), 0.1, 0.01); /* held by the pedal, no release sample yet */
    CHECKF(level_at(b, 30200) > 0.25f, "release sample at pedal up (%g)", level_at(b, 30200));
    free(b);
    ms_sample_destroy(a);
    ms_sample_destroy(r);
    ms_sampler_destroy(s);
  }

  tu_section("keyswitch selects the articulation; channels; sw_default via MS_PARAM_KEYSWITCH");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "ks", &in);
    ms_sample_t *legato = dc_sample(s, 0.1f), *stacc = dc_sample(s, 0.2f);
    ms_zone_t z1 = flat(), z2 = flat();
    z1.lo_key = 48; z1.hi_key = 96; z1.sw_lo = 24; z1.sw_hi = 25; z1.sw_last = 24;
    z2.lo_key = 48; z2.hi_key = 96; z2.sw_lo = 24; z2.sw_hi = 25; z2.sw_last = 25;
    CHECK_MS(s, ms_instrument_add_zone(in, legato, &z1, NULL));
    CHECK_MS(s, ms_instrument_add_zone(in, stacc, &z2, NULL));
    CHECK_MS(s, ms_instrument_set_param_at(in, 0, MS_PARAM_KEYSWITCH, 24));
    CHECK_MS(s, ms_note_on_at(in, 100, 60, 100, NULL));
    CHECK_MS(s, ms_note_off_at(in, 5000, 60));
    CHECK_MS(s, ms_note_on_at(in, 9000, 25, 100, NULL)); /* switch: plays nothing itself */
    CHECK_MS(s, ms_note_on_at(in, 10000, 60, 100, NULL));
    CHECK_MS(s, ms_note_off_at(in, 15000, 60));
    ms_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.frame = 20000; ev.instrument = ms_instrument_id(in); ev.type = MS_EV_NOTE_ON;
    ev.note = 60; ev.velocity = 100; ev.number = 9; /* channel 10 */
    CHECK_MS(s, ms_push_events(s, &ev, 1, NULL));
    float *b = render(s, 30000);
    CHECK_NEAR(level_at(b, 3000), 0.1, 0.01);
    CHECK_NEAR(level_at(b, 9500), 0.0, 0.001);
    CHECK_NEAR(level_at(b, 12000), 0.2, 0.01);
    CHECK_NEAR(level_at(b, 25000), 0.2, 0.01); /* channels 0..15 answer by default */
    free(b);
    ms_sample_destroy(legato);
    ms_sample_destroy(stacc);
    ms_sampler_destroy(s);
  }

  tu_section("lo_chan/hi_chan, lo_rand/hi_rand split the notes");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "rand", &in);
    ms_sample_t *a = dc_sample(s, 0.1f), *c = dc_sample(s, 0.2f);
    ms_zone_t za = flat(), zc = flat();
    za.lo_rand = 0.0f; za.hi_rand = 0.5f;
    zc.lo_rand = 0.5f; zc.hi_rand = 1.0f;
    CHECK_MS(s, ms_instrument_add_zone(in, a, &za, NULL));
    CHECK_MS(s, ms_instrument_add_zone(in, c, &zc, NULL));
    enum { N = 200 };
    for (int k = 0; k < N; k++) {
      CHECK_MS(s, ms_note_on_at(in, (uint64_t)k * 400, 60, 100, NULL));
      CHECK_MS(s, ms_note_off_at(in, (uint64_t)k * 400 + 200, 60));
    }
    float *b = render(s, N * 400);
    int lows = 0, highs = 0, both = 0;
    for (int k = 0; k < N; k++) {
      float l = level_at(b, (uint64_t)k * 400 + 100);
      if (fabsf(l - 0.1f) < 0.01f) lows++;
      else if (fabsf(l - 0.2f) < 0.01f) highs++;
      else both++;
    }
    printf("    random ranges: %d low, %d high, %d other of %d\n", lows, highs, both, N);
    CHECK_EQ_INT(both, 0);             /* exactly one zone per note */
    CHECK(lows > N / 4 && highs > N / 4); /* both halves are used */
    free(b);
    ms_sample_destroy(a);
    ms_sample_destroy(c);
    ms_sampler_destroy(s);
  }

  tu_section("off_by chokes another group; off_mode normal releases instead of a fast fade");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "choke", &in);
    ms_sample_t *open_ = dc_sample(s, 0.2f), *closed = dc_sample(s, 0.1f), *pad = dc_sample(s, 0.05f);
    ms_zone_t zo = flat(), zc = flat(), zp = flat();
    zo.lo_key = zo.hi_key = 46; zo.exclusive_group = 1; zo.off_by = 2; zo.release_s = 0.2f; zo.off_mode = MS_OFF_NORMAL;
    zc.lo_key = zc.hi_key = 42; zc.exclusive_group = 2; zc.off_by = MS_OFF_BY_NONE; zc.loop_mode = MS_LOOP_ONE_SHOT;
    zp.lo_key = zp.hi_key = 50; zp.exclusive_group = 1; zp.off_by = MS_OFF_BY_NONE;
    CHECK_MS(s, ms_instrument_add_zone(in, open_, &zo, NULL));
    CHECK_MS(s, ms_instrument_add_zone(in, closed, &zc, NULL));
    CHECK_MS(s, ms_instrument_add_zone(in, pad, &zp, NULL));
    CHECK_MS(s, ms_note_on_at(in, 100, 46, 100, NULL));
    CHECK_MS(s, ms_note_on_at(in, 2000, 50, 100, NULL)); /* same group 1, but off_by 2: no choke */
    CHECK_MS(s, ms_note_on_at(in, 4000, 42, 100, NULL)); /* group 2 chokes the open hat (normal mode) */
    float *b = render(s, 40000);
    CHECK_NEAR(level_at(b, 3000), 0.25, 0.01);
    float at_choke = level_at(b, 4100), later = level_at(b, 4000 + RATE / 5);
    /* normal mode: the open hat releases over ~0.2 s (-60 dB), not in 2 ms */
    CHECKF(at_choke > 0.3f, "just after the choke the open hat still sounds (%g)", at_choke);
    CHECKF(later < 0.16f && later > 0.149f, "0.2 s later it has gone, the rest stays (%g)", later);
    free(b);
    ms_sample_destroy(open_);
    ms_sample_destroy(closed);
    ms_sample_destroy(pad);
    ms_sampler_destroy(s);
  }

  tu_section("pitch_keytrack 0 plays every key at the root pitch; velocity curve replaces the square law");
  {
    ms_instrument_t *in;
    ms_sampler_t *s = tu_sampler_instrument(RATE, "kt", &in);
    float *sine = tu_sine(RATE, 0.5, 1000.0, RATE);
    ms_sample_t *smp = NULL;
    CHECK_MS(s, ms_sample_create(s, sine, RATE, 1, RATE, &smp));
    ms_zone_t z = flat();
    z.pitch_keytrack = 0.0f;
    z.velocity_track = 1.0f;
    uint32_t zi = 0;
    CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, &zi));
    float curve[128];
    for (int v = 0; v < 128; v++) curve[v] = v >= 64 ? 1.0f : 0.25f;
    CHECK_MS(s, ms_instrument_set_velocity_curve(in, zi, curve));
    CHECK_MS(s, ms_note_on_at(in, 0, 84, 100, NULL));
    CHECK_MS(s, ms_note_off_at(in, 9600, 84));
    CHECK_MS(s, ms_note_on_at(in, 20000, 84, 40, NULL));
    float *b = render(s, 30000);
    double at1k = band_energy(b, 1000, 4800, 1000.0), at4k = band_energy(b, 1000, 4800, 4000.0);
    CHECKF(at1k > 100 * at4k, "keytrack 0: key 84 still plays 1 kHz (%.3g vs %.3g at 4 kHz)", at1k, at4k);
    double loud = band_energy(b, 1000, 4800, 1000.0), soft = band_energy(b, 21000, 4800, 1000.0);
    CHECK_NEAR(sqrt(soft / loud), 0.25, 0.02);
    float bad[128] = {0};
    bad[5] = 9.0f;
    CHECK_MS_CODE(s, ms_instrument_set_velocity_curve(in, zi, bad), MS_ERR_OUT_OF_RANGE);
    CHECK_MS_CODE(s, ms_instrument_set_velocity_curve(in, 7, curve), MS_ERR_OUT_OF_RANGE);
    free(b);
    free(sine);
    ms_sample_destroy(smp);
    ms_sampler_destroy(s);
  }

  tu_section("filter: low-pass attenuates above the cutoff (12 dB/octave); CC moves it; high-pass the other way");
  {
    const int types[2] = {MS_FILTER_LOWPASS, MS_FILTER_HIGHPASS};
    for (int t = 0; t < 2; t++) {
      ms_instrument_t *in;
      ms_sampler_t *s = tu_sampler_instrument(RATE, "filt", &in);
      /* two tones: 250 Hz and 6 kHz */
      float *d = malloc(sizeof(float) * RATE);
      for (int i = 0; i < RATE; i++)
        d[i] = 0.3f * (float)sin(2 * M_PI * 250.0 * i / RATE) + 0.3f * (float)sin(2 * M_PI * 6000.0 * i / RATE);
      ms_sample_t *smp = NULL;
      CHECK_MS(s, ms_sample_create(s, d, RATE, 1, RATE, &smp));
      ms_zone_t z = flat();
      z.filter_type = (uint8_t)types[t];
      z.cutoff_hz = 1200.0f;
      z.cutoff_cc = 74;
      z.cutoff_cc_cents = 4800.0f; /* CC74 at 127: four octaves up */
      CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
      CHECK_MS(s, ms_note_on_at(in, 0, 60, 100, NULL));
      CHECK_MS(s, ms_cc_at(in, 24000, 74, 127));
      float *b = render(s, 48000);
      double lo = band_energy(b, 4800, 9600, 250.0), hi = band_energy(b, 4800, 9600, 6000.0);
      double lo2 = band_energy(b, 30000, 9600, 250.0), hi2 = band_energy(b, 30000, 9600, 6000.0);
      double ratio_db = 10 * log10(hi / lo), ratio2_db = 10 * log10(hi2 / lo2);
      printf("    %s: 6k/250 %.1f dB at 1.2 kHz cutoff, %.1f dB at 19.2 kHz (CC74 127)\n",
             t ? "high-pass" : "low-pass", ratio_db, ratio2_db);
      /* 12 dB/octave: 6 kHz is 2.32 octaves above 1.2 kHz (-27.9 dB), 250 Hz 2.26 below (-27.2 dB) */
      if (types[t] == MS_FILTER_LOWPASS) {
        CHECKF(ratio_db < -25.0 && ratio_db > -32.0, "low-pass at 1.2 kHz: 6 kHz about 28 dB below 250 Hz (%.1f dB)", ratio_db);
        CHECKF(ratio2_db > -3.0, "cutoff moved up by CC: 6 kHz passes (%.1f dB)", ratio2_db);
      } else {
        CHECKF(ratio_db > 24.0 && ratio_db < 31.0, "high-pass at 1.2 kHz: 250 Hz about 27 dB below 6 kHz (%.1f dB)", ratio_db);
        CHECKF(ratio2_db > ratio_db + 20.0, "cutoff moved up by CC: 250 Hz cut further (%.1f dB)", ratio2_db);
      }
      free(b);
      free(d);
      ms_sample_destroy(smp);
      ms_sampler_destroy(s);
    }
  }
  tu_section("16-bit samples: half the memory, the same sound within 16-bit rounding");
  {
    float *outs[2];
    uint64_t bytes[2];
    for (int w = 0; w < 2; w++) {
      ms_sampler_t *s = tu_sampler(RATE, 2, 128);
      if (w) CHECK_MS(s, ms_sampler_set_sample_bits(s, 16));
      float *st = malloc(sizeof(float) * RATE * 2);
      for (int i = 0; i < RATE; i++) {
        st[2 * i] = 0.5f * (float)sin(2 * M_PI * 220.0 * i / RATE);
        st[2 * i + 1] = 0.4f * (float)sin(2 * M_PI * 330.0 * i / RATE);
      }
      ms_sample_t *smp = NULL;
      CHECK_MS(s, ms_sample_create(s, st, RATE, 2, 44100, &smp));
      ms_sample_info_t info;
      CHECK_MS(s, ms_sample_get_info(smp, &info));
      CHECK_EQ_INT((int)info.bits, w ? 16 : 32);
      bytes[w] = info.bytes;
      ms_instrument_t *in = NULL;
      CHECK_MS(s, ms_instrument_create(s, "w", &in));
      ms_zone_t z = flat();
      z.loop_start_frames = 0;
      z.loop_end_frames = 44100; /* a whole number of both periods at 44.1 kHz */
      CHECK_MS(s, ms_instrument_add_zone(in, smp, &z, NULL));
      CHECK_MS(s, ms_note_on_at(in, 10, 67, 100, NULL)); /* pitched and resampled */
      outs[w] = render(s, RATE * 2);
      free(st);
      ms_sample_destroy(smp);
      ms_sampler_destroy(s);
    }
    double worst = 0;
    for (int i = 0; i < RATE * 4; i++) worst = fmax(worst, fabs((double)outs[0][i] - outs[1][i]));
    printf("    16-bit: %llu bytes vs %llu (float); worst difference %.2g (1 LSB = %.2g)\n",
           (unsigned long long)bytes[1], (unsigned long long)bytes[0], worst, 1.0 / 32768);
    CHECK(bytes[1] * 2 == bytes[0]);
    CHECKF(worst < 3.0 / 32768, "within 3 LSB of the float render (%.3g)", worst);
    CHECK_MS_CODE(NULL, ms_sampler_set_sample_bits(NULL, 16), MS_ERR_INVALID_ARGUMENT);
    free(outs[0]);
    free(outs[1]);
  }
  return tu_finish();
}
