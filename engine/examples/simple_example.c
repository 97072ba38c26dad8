/*
 * simple_example.c — the product guide's first program, end to end.
 *
 *   simple_example piano.wav
 *
 * Creates a sampler, asks for real-time mode (non-fatal when denied), loads
 * one sample as a piano zone rooted at middle C, plays a note through the
 * lock-free queue, renders a few blocks and prints what came out.
 * A standalone C program may use mlockall (unlike the library inside Deno).
 */
#include <math.h>
#include <stdio.h>
#include <sys/mman.h>

#include "midi_sampler.h"

static int fail(ms_sampler_t *s, const char *what, int32_t rc) {
  char msg[512];
  ms_error_message(s, msg, sizeof msg);
  fprintf(stderr, "%s failed: %s (%s)\n", what, msg, ms_strerror(rc));
  return 1;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "piano.wav";
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) perror("mlockall (continuing unlocked)");

  ms_audio_config_t config = {.sample_rate = 48000, .channels = 2, .max_polyphony = 16, .buffer_size = 128};
  ms_sampler_t *sampler;
  int32_t rc = ms_sampler_create(&config, &sampler);
  if (rc != MS_OK) return fail(NULL, "ms_sampler_create", rc);

  rc = ms_sampler_enable_rt(sampler, 80); /* RT priority + memory locking; non-fatal when denied */
  if (rc != MS_OK) {
    char msg[512];
    ms_error_message(sampler, msg, sizeof msg);
    fprintf(stderr, "warning: %s\n", msg);
  }

  ms_instrument_t *piano;
  if ((rc = ms_instrument_create(sampler, "Piano", &piano)) != MS_OK) return fail(sampler, "ms_instrument_create", rc);
  ms_sample_metadata_t meta = {.root_note = 60};
  if ((rc = ms_instrument_load_sample(piano, path, &meta)) != MS_OK) return fail(sampler, "ms_instrument_load_sample", rc);

  if ((rc = ms_note_on(piano, 60, 80, NULL)) != MS_OK) return fail(sampler, "ms_note_on", rc); /* RT-safe via the lock-free queue */
  float buffer[128 * 2];
  float peak = 0.0f;
  for (int block = 0; block < 40; block++) {
    ms_process(sampler, buffer, 128); /* interleaved float */
    for (int i = 0; i < 256; i++)
      if (fabsf(buffer[i]) > peak) peak = fabsf(buffer[i]);
    if (block == 20) ms_note_off(piano, 60);
  }
  uint64_t frames;
  uint32_t xruns;
  ms_get_stats(sampler, &frames, &xruns);
  printf("rendered %llu frames, %u xruns, peak %.3f, rt status 0x%x\n", (unsigned long long)frames, xruns, peak,
         ms_sampler_rt_status(sampler));

  ms_instrument_destroy(piano);
  ms_sampler_destroy(sampler);
  return peak > 0.0f ? 0 : 2;
}
