/*
 * test_simple_example.c — the guide's first program runs.
 *
 * Generates a short piano-like WAV (a decaying 262 Hz tone), runs the built
 * simple_example (its path is argv[1], given by ctest as
 * $<TARGET_FILE:simple_example>) with the WAV as its argument, and requires
 * exit status 0 and a report of frames rendered with a non-zero peak.
 * Thread: main only; the example runs as a child process.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sndfile.h>

#include "test_util.h"

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_simple_example <path to simple_example>\n");
    return 2;
  }
  tu_section("simple_example with a generated WAV");
  const uint64_t frames = 48000;
  float *tone = malloc(frames * sizeof(float));
  for (uint64_t i = 0; i < frames; i++)
    tone[i] = (float)(0.6 * exp(-3.0 * (double)i / 48000) * sin(2 * M_PI * 261.63 * (double)i / 48000));
  char *wav = tu_path("piano.wav");
  REQUIRE(tu_write_audio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 48000, tone, frames, NULL),
          tu_finish());
  free(tone);

  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0, tu_finish());
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  char *args[] = {argv[1], wav, NULL};
  pid_t pid;
  int err = posix_spawn(&pid, argv[1], &fa, NULL, args, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[1]);
  CHECKF(err == 0, "cannot start %s: %s", argv[1], strerror(err));
  if (err) return tu_finish();
  char out[4096];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof out - 1 && (r = read(pipefd[0], out + n, sizeof out - 1 - n)) > 0) n += (size_t)r;
  out[n] = 0;
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  printf("simple_example said:\n%s", out);
  CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "simple_example %s %d",
         WIFEXITED(status) ? "exited with" : "died of signal",
         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  /* "rendered N frames, X xruns, peak P, ..." */
  const char *p = strstr(out, "rendered ");
  unsigned long long fr = 0;
  float peak = 0;
  CHECKF(p && sscanf(p, "rendered %llu frames", &fr) == 1 && fr > 0,
         "no \"rendered N frames\" line");
  const char *pk = strstr(out, "peak ");
  CHECKF(pk && sscanf(pk, "peak %f", &peak) == 1 && peak > 0.01f,
         "no non-zero peak reported (the note was not heard)");
  free(wav);
  return tu_finish();
}
