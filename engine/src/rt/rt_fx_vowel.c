/*
 * rt_fx_vowel.c — the per-note formant filter (see rt_fx_vowel.h): five SVF
 * band-passes in parallel per channel, 0 dB at each centre, weighted and summed.
 *
 * Thread: RT (init also CT). Never: libm, allocation, locks, I/O.
 * The five recursions of a frame are independent, so they overlap in the CPU.
 */
#include "rt/rt_fx_vowel.h"

/* superdough vowel.mjs (from WebDirt): formant frequencies (Hz), gains
 * (linear) and Qs (linear, WebAudio band-pass). */
static const struct {
  const char *name;
  float f[5], g[5], q[5];
} VOWELS[RT_FX_VOWEL_COUNT] = {
    {"a", {660, 1120, 2750, 3000, 3350}, {1, 0.5012f, 0.0708f, 0.0631f, 0.0126f}, {80, 90, 120, 130, 140}},
    {"e", {440, 1800, 2700, 3000, 3300}, {1, 0.1995f, 0.1259f, 0.1f, 0.1f}, {70, 80, 100, 120, 120}},
    {"i", {270, 1850, 2900, 3350, 3590}, {1, 0.0631f, 0.0631f, 0.0158f, 0.0158f}, {40, 90, 100, 120, 120}},
    {"o", {430, 820, 2700, 3000, 3300}, {1, 0.3162f, 0.0501f, 0.0794f, 0.01995f}, {40, 80, 100, 120, 120}},
    {"u", {370, 630, 2750, 3000, 3400}, {1, 0.1f, 0.0708f, 0.0316f, 0.01995f}, {40, 60, 100, 120, 120}},
    {"ae", {650, 1515, 2400, 3000, 3350}, {1, 0.5f, 0.1008f, 0.0631f, 0.0126f}, {80, 90, 120, 130, 140}},
    {"aa", {560, 900, 2570, 3000, 3300}, {1, 0.5f, 0.0708f, 0.0631f, 0.0126f}, {80, 90, 120, 130, 140}},
    {"oe", {500, 1430, 2300, 3000, 3300}, {1, 0.2f, 0.0708f, 0.0316f, 0.01995f}, {40, 60, 100, 120, 120}},
    {"ue", {250, 1750, 2150, 3200, 3300}, {1, 0.1f, 0.0708f, 0.0316f, 0.01995f}, {40, 60, 100, 120, 120}},
    {"y", {400, 1460, 2400, 3000, 3300}, {1, 0.2f, 0.0708f, 0.0316f, 0.02995f}, {40, 60, 100, 120, 120}},
    {"uh", {600, 1250, 2100, 3100, 3500}, {1, 0.3f, 0.0608f, 0.0316f, 0.01995f}, {40, 70, 100, 120, 130}},
    {"un", {500, 1240, 2280, 3000, 3500}, {1, 0.1f, 0.1708f, 0.0216f, 0.02995f}, {40, 60, 100, 120, 120}},
    {"en", {600, 1480, 2450, 3200, 3300}, {1, 0.15f, 0.0708f, 0.0316f, 0.02995f}, {40, 60, 100, 120, 120}},
    {"an", {700, 1050, 2500, 3000, 3300}, {1, 0.1f, 0.0708f, 0.0316f, 0.02995f}, {40, 60, 100, 120, 120}},
    {"on", {500, 1080, 2350, 3000, 3300}, {1, 0.1f, 0.0708f, 0.0316f, 0.02995f}, {40, 60, 100, 120, 120}},
};

/* superdough's aliases (UTF-8). */
static const struct {
  const char *alias, *name;
} ALIASES[] = {{"\xc3\xa6", "ae"}, {"\xc3\xb8", "oe"}, {"\xc9\x91", "aa"}, {"\xc3\xa5", "aa"},
               {"\xc3\xb6", "oe"}, {"\xc3\xbc", "ue"}, {"\xc4\xb1", "y"}};

#define MAKEUP_GAIN 8.0f /* superdough: makeupGain.gain.value = 8 */

/* strcmp without libc (the nm allow-list admits only memory and libm calls). */
static bool same(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

int32_t rt_fx_vowel_index(const char *name) {
  if (!name) return -1;
  for (uint32_t a = 0; a < sizeof ALIASES / sizeof ALIASES[0]; a++)
    if (same(name, ALIASES[a].alias)) name = ALIASES[a].name;
  for (uint32_t v = 0; v < RT_FX_VOWEL_COUNT; v++)
    if (same(name, VOWELS[v].name)) return (int32_t)v;
  return -1;
}

void rt_fx_vowel_formants(uint32_t v, float freqs_hz[5], float gains[5], float qs[5]) {
  if (v >= RT_FX_VOWEL_COUNT) v = 0;
  memcpy(freqs_hz, VOWELS[v].f, sizeof VOWELS[v].f);
  memcpy(gains, VOWELS[v].g, sizeof VOWELS[v].g);
  memcpy(qs, VOWELS[v].q, sizeof VOWELS[v].q);
}

void rt_fx_vowel_init(rt_fx_vowel_t *f, const rt_fx_ctx_t *c, uint32_t v, uint32_t channels) {
  memset(f, 0, sizeof *f);
  if (v >= RT_FX_VOWEL_COUNT) v = 0;
  f->vowel = (uint8_t)v;
  f->channels = (uint8_t)(channels >= 2 ? 2 : 1);
  for (uint32_t i = 0; i < RT_FX_VOWEL_FORMANTS; i++) {
    const float g = rt_fx_cutoff_g(c, VOWELS[v].f[i]), k = 1.0f / VOWELS[v].q[i];
    f->a1[i] = 1.0f / (1.0f + g * (g + k));
    f->a2[i] = g * f->a1[i];
    f->a3[i] = g * f->a2[i];
    f->out[i] = k * VOWELS[v].g[i] * MAKEUP_GAIN;
  }
}

void rt_fx_vowel_reset(rt_fx_vowel_t *f) { memset(f->s, 0, sizeof f->s); }

void rt_fx_vowel_control(rt_fx_vowel_t *f) {
  for (uint32_t ch = 0; ch < 2; ch++)
    for (uint32_t b = 0; b < RT_FX_VOWEL_FORMANTS; b++)
      for (uint32_t i = 0; i < 2; i++) f->s[ch][b][i] = rt_fx_flush(f->s[ch][b][i]);
}

static inline __attribute__((always_inline)) void vowel_channel(rt_fx_vowel_t *f, float *restrict x, uint32_t n,
                                                                uint32_t ch) {
  float ic1[RT_FX_VOWEL_FORMANTS], ic2[RT_FX_VOWEL_FORMANTS];
  for (uint32_t b = 0; b < RT_FX_VOWEL_FORMANTS; b++) {
    ic1[b] = f->s[ch][b][0];
    ic2[b] = f->s[ch][b][1];
  }
  for (uint32_t i = 0; i < n; i++) {
    const float in = x[i];
    float y = 0.0f;
    for (uint32_t b = 0; b < RT_FX_VOWEL_FORMANTS; b++) {
      const float v3 = in - ic2[b];
      const float v1 = f->a1[b] * ic1[b] + f->a2[b] * v3;
      const float v2 = ic2[b] + f->a2[b] * ic1[b] + f->a3[b] * v3;
      ic1[b] = 2.0f * v1 - ic1[b];
      ic2[b] = 2.0f * v2 - ic2[b];
      y += f->out[b] * v1;
    }
    x[i] = y;
  }
  for (uint32_t b = 0; b < RT_FX_VOWEL_FORMANTS; b++) {
    f->s[ch][b][0] = ic1[b];
    f->s[ch][b][1] = ic2[b];
  }
}

void rt_fx_vowel_process(rt_fx_vowel_t *f, float *ch0, float *ch1, uint32_t n) {
  vowel_channel(f, ch0, n, 0);
  if (f->channels == 2 && ch1) vowel_channel(f, ch1, n, 1);
}
