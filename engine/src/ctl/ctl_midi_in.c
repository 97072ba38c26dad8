/*
 * ctl_midi_in.c — MIDI input threads and the per-sampler MIDI hub.
 *
 * Threads: the ctl_* functions run on CT. Each input has a reader thread
 * "ms-midi" (normal priority) that waits in poll() on its device and a stop
 * eventfd, stamps what it reads (CLOCK_MONOTONIC), parses it and hands each
 * message to midi_source_deliver: it only ever pushes into rings and writes
 * the hub's eventfd, so it never waits on the render thread or on
 * JavaScript. Raw devices and byte streams are opened O_RDWR|O_NONBLOCK so a
 * FIFO without writers does not read as end-of-file in a loop.
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/ctl_alsa_msg.h"
#include "shared/midi.h"

#define MS_SEQ_CLIENT_NAME "midi-sampler" /* the port other programs see: "midi-sampler:in" */

struct ms_midi_in {
  ms_sampler_t *sampler;
  ms_midi_source_t *src;
  uint32_t kind;               /* MS_MIDI_IN_* */
  int fd;                      /* raw: the device or stream */
  int stop_fd;                 /* eventfd: CT asks the thread to end */
  snd_seq_t *seq;              /* ALSA sequencer client */
  snd_midi_event_t *decoder;   /* sequencer events back to bytes */
  pthread_t tid;
  bool started;
  char path[256];
};

/* ------------------------------------------------------------- hub (CT) -- */

ms_midi_hub_t *ctl_midi_hub(ms_sampler_t *s) {
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_relaxed); /* CT is the only writer */
  if (h) return h;
  h = ctl_alloc(s, sizeof *h);
  if (!h) return NULL;
  h->sampler = s;
  h->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (h->wake_fd < 0) {
    ctl_free(s, h);
    return NULL;
  }
  /* release pairs with RT's acquire in rt_midi_dispatch / rt_midi_swap_map */
  atomic_store_explicit(&s->midi, h, memory_order_release);
  return h;
}

int32_t ctl_midi_source_new(ms_sampler_t *s, uint8_t kind, ms_midi_source_t **out) {
  ms_midi_hub_t *h = ctl_midi_hub(s);
  if (!h) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open MIDI input: out of memory (or no eventfd)");
  uint32_t slot = MS_MIDI_MAX_SOURCES;
  for (uint32_t i = 0; i < MS_MIDI_MAX_SOURCES; i++)
    if (!h->sources[i]) {
      slot = i;
      break;
    }
  if (slot == MS_MIDI_MAX_SOURCES)
    return ctl_fail(s, MS_ERR_LIMIT, "Cannot open MIDI input: %u MIDI sources are open: close one first",
                    MS_MIDI_MAX_SOURCES);
  ms_midi_source_t *src = ctl_alloc(s, sizeof *src);
  void *st = src ? ctl_alloc(s, ring_storage_bytes(MS_MIDI_POLL_RING, sizeof(ms_midi_message_t))) : NULL;
  if (!st) {
    ctl_free(s, src);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open MIDI input: out of memory");
  }
  int32_t rc = ctl_producer_create(s, &src->producer);
  if (rc != MS_OK) {
    ctl_free(s, st);
    ctl_free(s, src);
    return ctl_fail(s, rc, "Cannot open MIDI input: %s", rc == MS_ERR_LIMIT ? "every producer ring is in use (7)"
                                                                             : "out of memory");
  }
  ring_init(&src->poll_ring, st, MS_MIDI_POLL_RING, sizeof(ms_midi_message_t));
  src->poll_storage = st;
  midi_parser_init(&src->parser);
  src->kind = kind;
  h->sources[slot] = src;
  *out = src;
  return MS_OK;
}

void ctl_midi_source_free(ms_sampler_t *s, ms_midi_source_t *src) {
  if (!src) return;
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_relaxed);
  for (uint32_t i = 0; h && i < MS_MIDI_MAX_SOURCES; i++)
    if (h->sources[i] == src) h->sources[i] = NULL;
  ctl_producer_destroy(src->producer); /* RT lets go at its next block; collect frees it */
  ctl_free(s, src->poll_storage);
  ctl_free(s, src);
}

/* ----------------------------------------------------- reader thread -- */

static void wake(ms_midi_hub_t *h) {
  uint64_t one = 1;
  ssize_t w = write(h->wake_fd, &one, sizeof one); /* EAGAIN: the counter is already non-zero */
  (void)w;
}

/* Parse bytes read at t_ns and deliver every message. */
static void feed(ms_midi_in_t *in, ms_midi_hub_t *h, const uint8_t *bytes, size_t n, uint64_t t_ns) {
  bool woke = false;
  midi_msg_t m;
  for (size_t i = 0; i < n; i++) {
    if (midi_parser_feed(&in->src->parser, bytes[i], &m) &&
        midi_source_deliver(in->sampler, h, in->src, &m, t_ns, MS_FRAME_NOW))
      woke = true;
  }
  if (woke) wake(h);
}

static bool stop_requested(const struct pollfd *p) { return p->revents != 0; }

static void *raw_thread(void *arg) {
  ms_midi_in_t *in = arg;
  ms_midi_hub_t *h = atomic_load_explicit(&in->sampler->midi, memory_order_acquire);
  pthread_setname_np(pthread_self(), "ms-midi");
  uint8_t buf[512];
  bool eof = false;
  for (;;) {
    struct pollfd p[2] = {{in->stop_fd, POLLIN, 0}, {in->fd, POLLIN, 0}};
    int r = poll(p, eof ? 1 : 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (stop_requested(&p[0])) break;
    if (p[1].revents & POLLIN) {
      ssize_t n = read(in->fd, buf, sizeof buf);
      uint64_t t = midi_mono_ns();
      if (n > 0) feed(in, h, buf, (size_t)n, t);
      else if (n == 0) eof = true; /* a regular file's end: wait for the stop */
      else if (errno != EAGAIN && errno != EINTR) eof = true;
    } else if (p[1].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      eof = true; /* the device went away */
    }
  }
  return NULL;
}

static void *seq_thread(void *arg) {
  ms_midi_in_t *in = arg;
  ms_midi_hub_t *h = atomic_load_explicit(&in->sampler->midi, memory_order_acquire);
  pthread_setname_np(pthread_self(), "ms-midi");
  struct pollfd p[9];
  int n = snd_seq_poll_descriptors_count(in->seq, POLLIN);
  if (n > 8) n = 8;
  p[0].fd = in->stop_fd;
  p[0].events = POLLIN;
  snd_seq_poll_descriptors(in->seq, p + 1, (unsigned)n, POLLIN);
  uint8_t buf[256];
  for (;;) {
    for (int i = 0; i <= n; i++) p[i].revents = 0;
    int r = poll(p, (nfds_t)n + 1, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (stop_requested(&p[0])) break;
    snd_seq_event_t *ev = NULL;
    while (snd_seq_event_input(in->seq, &ev) >= 0 && ev) {
      uint64_t t = midi_mono_ns();
      long len = snd_midi_event_decode(in->decoder, buf, sizeof buf, ev);
      if (len > 0) feed(in, h, buf, (size_t)len, t);
      ev = NULL;
    }
  }
  return NULL;
}

/* ------------------------------------------------------- open (CT) -- */

static void free_input(ms_sampler_t *s, ms_midi_in_t *in) {
  if (in->fd >= 0) close(in->fd);
  if (in->stop_fd >= 0) close(in->stop_fd);
  if (in->decoder) snd_midi_event_free(in->decoder);
  if (in->seq) snd_seq_close(in->seq);
  ctl_midi_source_free(s, in->src);
  ctl_free(s, in);
}

static int32_t open_raw(ms_sampler_t *s, ms_midi_in_t *in, const char *path) {
  in->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (in->fd < 0 && (errno == EACCES || errno == EPERM || errno == EISDIR || errno == EROFS || errno == EINVAL))
    in->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY); /* an input-only device */
  if (in->fd >= 0) return MS_OK;
  int e = errno;
  if (e == ENOENT)
    return ctl_fail(s, MS_ERR_FILE_NOT_FOUND,
                    "Cannot open MIDI input \"%s\": no such device or file: list raw MIDI devices with "
                    "\"ls /dev/snd/midi*\" (amidi -l), or create a FIFO with mkfifo",
                    path);
  if (e == EBUSY)
    return ctl_fail(s, MS_ERR_DEVICE_BUSY, "Cannot open MIDI input \"%s\": the device is in use by another program",
                    path);
  return ctl_fail(s, MS_ERR_DEVICE, "Cannot open MIDI input \"%s\": %s%s", path, strerror(e),
                  e == EACCES ? ": join the audio group (then log in again)" : "");
}

static int32_t open_seq(ms_sampler_t *s, ms_midi_in_t *in, const char *connect) {
  ctl_alsa_msg_begin(); /* ALSA's messages become ours: the library never prints */
  int e = snd_seq_open(&in->seq, "default", SND_SEQ_OPEN_INPUT, SND_SEQ_NONBLOCK);
  ctl_alsa_msg_end();
  if (e < 0) {
    in->seq = NULL;
    bool missing = access("/dev/snd/seq", F_OK) != 0;
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot open the ALSA sequencer: %s%s", ctl_alsa_msg_text(e),
                    missing ? ": /dev/snd/seq does not exist (no sound hardware, or the snd-seq module is not "
                              "loaded: modprobe snd-seq); use a raw MIDI device, a FIFO or JACK MIDI instead"
                            : "");
  }
  snd_seq_set_client_name(in->seq, MS_SEQ_CLIENT_NAME);
  int port = snd_seq_create_simple_port(in->seq, "in", SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE,
                                        SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
  if (port < 0)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot create the ALSA sequencer port \"%s:in\": %s",
                    MS_SEQ_CLIENT_NAME, snd_strerror(port));
  if (connect && connect[0]) {
    snd_seq_addr_t addr;
    ctl_alsa_msg_begin();
    e = snd_seq_parse_address(in->seq, &addr, connect);
    if (e >= 0) e = snd_seq_connect_from(in->seq, port, addr.client, addr.port);
    ctl_alsa_msg_end();
    if (e < 0)
      return ctl_fail(s, MS_ERR_DEVICE,
                      "Cannot connect MIDI input from \"%s\": %s: list ports with \"aconnect -i\" (CLIENT:PORT)",
                      connect, ctl_alsa_msg_text(e));
  }
  if (snd_midi_event_new(256, &in->decoder) < 0)
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open the ALSA sequencer: out of memory for its decoder");
  snd_midi_event_no_status(in->decoder, 1); /* full status bytes: the parser wants them */
  return MS_OK;
}

int32_t ctl_midi_in_open(ms_sampler_t *s, uint32_t kind, const char *path, ms_midi_in_t **out) {
  ms_midi_hub_t *h = ctl_midi_hub(s);
  if (!h) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open MIDI input: out of memory (or no eventfd)");
  uint32_t slot = MS_MIDI_MAX_INPUTS;
  for (uint32_t i = 0; i < MS_MIDI_MAX_INPUTS; i++)
    if (!h->inputs[i]) {
      slot = i;
      break;
    }
  if (slot == MS_MIDI_MAX_INPUTS)
    return ctl_fail(s, MS_ERR_LIMIT, "Cannot open MIDI input \"%s\": %u inputs are open: close one first", path,
                    MS_MIDI_MAX_INPUTS);
  ms_midi_in_t *in = ctl_alloc(s, sizeof *in);
  if (!in) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open MIDI input: out of memory");
  in->sampler = s;
  in->kind = kind;
  in->fd = -1;
  in->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  snprintf(in->path, sizeof in->path, "%s", path);
  int32_t rc = in->stop_fd < 0 ? ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open MIDI input: no eventfd: %s",
                                          strerror(errno))
                               : ctl_midi_source_new(s, kind == MS_MIDI_IN_RAW ? MS_MIDI_SOURCE_RAW
                                                                               : MS_MIDI_SOURCE_ALSA_SEQ,
                                                     &in->src);
  if (rc == MS_OK) rc = kind == MS_MIDI_IN_RAW ? open_raw(s, in, path) : open_seq(s, in, path);
  if (rc == MS_OK) {
    int e = pthread_create(&in->tid, NULL, kind == MS_MIDI_IN_RAW ? raw_thread : seq_thread, in);
    if (e) rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot start the MIDI input thread: %s", strerror(e));
    else in->started = true;
  }
  if (rc != MS_OK) {
    free_input(s, in);
    return rc;
  }
  h->inputs[slot] = in;
  *out = in;
  return MS_OK;
}

void ctl_midi_in_close(ms_midi_in_t *in) {
  ms_sampler_t *s = in->sampler;
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_relaxed);
  if (in->started) {
    uint64_t one = 1;
    ssize_t w = write(in->stop_fd, &one, sizeof one);
    (void)w;
    pthread_join(in->tid, NULL);
  }
  for (uint32_t i = 0; h && i < MS_MIDI_MAX_INPUTS; i++)
    if (h->inputs[i] == in) h->inputs[i] = NULL;
  free_input(s, in);
}

void ctl_midi_shutdown(ms_sampler_t *s) {
  ms_midi_hub_t *h = atomic_load_explicit(&s->midi, memory_order_relaxed);
  if (!h) return;
  for (uint32_t i = 0; i < MS_MIDI_MAX_INPUTS; i++)
    if (h->inputs[i]) ctl_midi_in_close(h->inputs[i]);
  if (h->wake_fd >= 0) close(h->wake_fd);
  h->wake_fd = -1;
}
