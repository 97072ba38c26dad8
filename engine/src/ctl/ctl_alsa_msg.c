/*
 * ctl_alsa_msg.c — ALSA's own words for a failing call. alsa-lib prints its
 * errors to stderr by default; the library never prints, so a process-wide
 * handler (installed once) keeps the first message of the calling thread's
 * ALSA calls between begin and end, for our detail message, and drops the
 * rest. Used by the ALSA backend (alsa.c) and the sequencer input
 * (ctl_midi_in.c).
 *
 * Thread: CT and the threads that open ALSA devices; the capture is per
 * thread. Never on the render thread (its ALSA calls pass silent = 1).
 */
#include <alsa/asoundlib.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "ctl/ctl_alsa_msg.h"

static _Thread_local bool cap_on;
static _Thread_local char cap_msg[256];
static pthread_once_t cap_once = PTHREAD_ONCE_INIT;

static void cap_handler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
  if (!cap_on || cap_msg[0]) return; /* keep the first: it is the most specific */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cap_msg, sizeof cap_msg, fmt, ap);
  va_end(ap);
}

static void cap_install(void) { snd_lib_error_set_handler(cap_handler); }

/* ALSA keeps the handler process-wide: when this library is unloaded (Deno
 * closes it at the end of a test module) while libasound stays, ALSA's next
 * message would jump into unmapped or reloaded code (seen: a segfault
 * mid-instruction when a later test's snd_seq_open failed). Restore ALSA's
 * default first. */
__attribute__((destructor)) static void cap_uninstall(void) { snd_lib_error_set_handler(NULL); }

void ctl_alsa_msg_begin(void) {
  pthread_once(&cap_once, cap_install);
  cap_msg[0] = 0;
  cap_on = true;
}

void ctl_alsa_msg_end(void) { cap_on = false; }

/* ALSA's own words for the failure: the captured message, else snd_strerror. */
const char *ctl_alsa_msg_text(int err) { return cap_msg[0] ? cap_msg : snd_strerror(err); }
