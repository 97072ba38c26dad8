/*
 * test_parallel_load.c — ms_sample_load_msg from several loader threads at
 * once while the control thread creates instruments and the render path
 * runs: every sample loads (or fails with its own message), memory stats
 * stay consistent, and TSan sees no race (label tsan).
 *
 * Threads: 4 loader threads; the test thread is CT and calls ms_process.
 */
#include <pthread.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

enum { LOADERS = 4, FILES_EACH = 6 };

typedef struct {
  ms_sampler_t *s;
  int id;
  int loaded, failed_ok;
  ms_sample_t *samples[FILES_EACH];
  char msg[256];
} loader_t;

static char *paths[LOADERS][FILES_EACH];

static void *loader_main(void *arg) {
  loader_t *l = arg;
  for (int i = 0; i < FILES_EACH; i++) {
    ms_sample_t *smp = NULL;
    int32_t rc = ms_sample_load_msg(l->s, paths[l->id][i], &smp, l->msg, sizeof l->msg);
    if (i == FILES_EACH - 1) {
      /* the last path of each loader is missing on purpose: its own message */
      if (rc == MS_ERR_FILE_NOT_FOUND && strstr(l->msg, "missing") != NULL) l->failed_ok++;
    } else if (rc == MS_OK) {
      l->samples[l->loaded++] = smp;
    }
  }
  return NULL;
}

int main(void) {
  ms_sampler_t *s = tu_sampler(48000, 2, 128);
  float *sine = tu_sine(48000, 0.4, 330.0, 48000.0);
  for (int l = 0; l < LOADERS; l++) {
    for (int i = 0; i < FILES_EACH; i++) {
      char name[64];
      snprintf(name, sizeof name, i == FILES_EACH - 1 ? "missing_%d_%d.wav" : "load_%d_%d.wav", l, i);
      paths[l][i] = tu_path(name);
      if (i != FILES_EACH - 1) CHECK(tu_write_audio(paths[l][i], SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 48000, sine, 48000, NULL));
    }
  }
  uint64_t before = ms_sampler_stats_ptr(s)->memory_bytes;
  loader_t loaders[LOADERS];
  pthread_t threads[LOADERS];
  for (int l = 0; l < LOADERS; l++) {
    memset(&loaders[l], 0, sizeof loaders[l]);
    loaders[l].s = s;
    loaders[l].id = l;
    pthread_create(&threads[l], NULL, loader_main, &loaders[l]);
  }
  /* CT keeps working meanwhile: instruments come and go, the render path runs */
  float out[256];
  for (int k = 0; k < 200; k++) {
    ms_instrument_t *inst = NULL;
    CHECK_MS(s, ms_instrument_create(s, "ct", &inst));
    CHECK_MS(s, ms_process(s, out, 128));
    ms_instrument_destroy(inst);
    CHECK_MS(s, ms_sampler_collect(s));
  }
  for (int l = 0; l < LOADERS; l++) pthread_join(threads[l], NULL);
  for (int l = 0; l < LOADERS; l++) {
    CHECK_EQ_INT(loaders[l].loaded, FILES_EACH - 1);
    CHECK_EQ_INT(loaders[l].failed_ok, 1);
  }
  uint64_t after = ms_sampler_stats_ptr(s)->memory_bytes;
  CHECKF(after >= before + (uint64_t)LOADERS * (FILES_EACH - 1) * 48000 * sizeof(float),
         "memory stats count every loaded sample (%llu -> %llu)", (unsigned long long)before, (unsigned long long)after);
  for (int l = 0; l < LOADERS; l++)
    for (int i = 0; i < loaders[l].loaded; i++) ms_sample_destroy(loaders[l].samples[i]);
  CHECKF(ms_sampler_stats_ptr(s)->memory_bytes < after, "freed samples leave the stats");
  for (int l = 0; l < LOADERS; l++)
    for (int i = 0; i < FILES_EACH; i++) free(paths[l][i]);
  free(sine);
  ms_sampler_destroy(s);
  return tu_finish();
}
