/*
 * jack.c — the JACK live backend's control side: a JACK client with outputs
 * out_1, out_2 (one per sampler channel, at least two; with
 * MS_AUDIO_ORBIT_OUTPUTS orbit0_L, orbit0_R, orbit1_L ..., one pair per
 * orbit, all connected to the first two playback ports) and, with
 * MS_OUTPUT_MIDI_IN, a MIDI input port "midi_in" with its own producer
 * ring; activation, the scheduling actually obtained, failures reported
 * (server gone, rate changed), rate probing. The process callback and the
 * callbacks that only store atomics live in jack_rt.c.
 *
 * Threads: CT for jack_open/start/stop/close/refresh and the probe. The
 * shutdown and thread-init callbacks run once on JACK's threads (not the
 * process callback). Nothing here allocates after open: the interleave
 * buffer holds MS_JACK_MAX_FRAMES (JACK's largest period) and bigger
 * callbacks are rendered in pieces anyway.
 *
 * libjack prints its errors by default; the library never prints, so a
 * process-wide error/info function (installed once) keeps the first message
 * of a failing CT call and drops the rest.
 */
#include <jack/jack.h>
#include <jack/midiport.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "backend/jack_out.h"
#include "shared/midi_out.h"

#define MS_JACK_NO_SERVER_MSG \
  "Cannot connect to JACK: no server is running: start one (jackd -d alsa, or qjackctl), or use --backend alsa"

/* ---------------------------------------------------- error capture (CT) -- */
static _Thread_local bool cap_on;
static _Thread_local char cap_msg[256];
static pthread_once_t cap_once = PTHREAD_ONCE_INIT;

static void cap_error(const char *msg) {
  if (cap_on && !cap_msg[0]) snprintf(cap_msg, sizeof cap_msg, "%s", msg);
}
static void cap_info(const char *msg) {}
static void cap_install(void) {
  jack_set_error_function(cap_error);
  jack_set_info_function(cap_info);
}
static void cap_begin(void) {
  pthread_once(&cap_once, cap_install);
  cap_msg[0] = 0;
  cap_on = true;
}
static void cap_end(void) { cap_on = false; }

/* libjack keeps the two function pointers process-wide: when this library is
 * unloaded (Deno closes it at the end of a test module) while libjack stays,
 * the next message libjack prints would jump into unmapped or reloaded code
 * (seen: a segfault mid-instruction in a later test). Give libjack back its
 * defaults first. */
__attribute__((destructor)) static void cap_uninstall(void) {
  jack_set_error_function(NULL);
  jack_set_info_function(NULL);
}

/* ------------------------------------------- callbacks (JACK threads) -- */

static void cb_shutdown(jack_status_t code, const char *reason, void *arg) {
  jack_out_t *j = arg;
  if (!atomic_load_explicit(&j->shutdown, memory_order_acquire)) {
    snprintf(j->shutdown_reason, sizeof j->shutdown_reason, "%s", reason ? reason : "no reason given");
    /* release pairs with refresh's acquire: the reason is written first */
    atomic_store_explicit(&j->shutdown, 1, memory_order_release);
  }
}

static void cb_thread_init(void *arg) { ctl_thread_name_self(); }

/* ------------------------------------------------------------- CT side -- */

static const char *client_name(const char *device) { return device[0] ? device : MS_JACK_DEFAULT_CLIENT; }

/* Open a client without ever starting a server. */
static int32_t open_client(ms_sampler_t *s, const char *name, jack_client_t **out) {
  jack_status_t st = 0;
  cap_begin();
  jack_client_t *c = jack_client_open(name, JackNoStartServer, &st);
  cap_end();
  *out = c;
  if (c) return MS_OK;
  if (st & JackServerFailed) return ctl_fail(s, MS_ERR_NO_SERVER, MS_JACK_NO_SERVER_MSG);
  return ctl_fail(s, MS_ERR_DEVICE, "Cannot open JACK client \"%s\": %s (status 0x%x)", name,
                  cap_msg[0] ? cap_msg : "the server refused it", (unsigned)st);
}

static void free_out(ms_sampler_t *s, jack_out_t *j) {
  if (!j) return;
  if (j->client) jack_client_close(j->client);
  /* the process callback can no longer run: the MIDI outputs' ports went with the client */
  for (uint32_t i = 0; i < MS_MIDI_MAX_OUTS; i++) {
    struct ms_midi_out *m = atomic_load_explicit(&s->midi_outs[i], memory_order_relaxed);
    if (m && m->jack_owner == j) atomic_store_explicit(&m->jack_port, NULL, memory_order_relaxed);
  }
  ctl_midi_source_free(s, j->midi); /* the process callback can no longer run */
  ctl_free(s, j->ibuf);
  ctl_free(s, j);
}

static int32_t jack_open(ms_output_t *o) {
  ms_sampler_t *s = o->sampler;
  const char *name = client_name(o->cfg.device);
  jack_out_t *j = ctl_alloc(s, sizeof *j);
  if (!j) return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open JACK client \"%s\": out of memory", name);
  j->sampler = s;
  j->channels = s->cfg.channels;
  j->rate = s->cfg.sample_rate;
  j->nports = j->channels < 2 ? 2 : j->channels;
  int32_t rc = open_client(s, name, &j->client);
  if (rc != MS_OK) {
    free_out(s, j);
    return rc;
  }
  const char *actual = jack_get_client_name(j->client);
  uint32_t server_rate = jack_get_sample_rate(j->client);
  if (server_rate != j->rate) {
    rc = ctl_fail(s, MS_ERR_UNSUPPORTED,
                  "Cannot open JACK client \"%s\": the server runs at %u Hz and the sampler at %u Hz: create the "
                  "sampler at %u Hz (ms_output_probe_rate tells it)",
                  actual, server_rate, j->rate, server_rate);
    free_out(s, j);
    return rc;
  }
  uint32_t bs = jack_get_buffer_size(j->client);
  j->cap_frames = bs > MS_JACK_MAX_FRAMES ? bs : MS_JACK_MAX_FRAMES;
  j->ibuf = ctl_alloc(s, sizeof(float) * j->cap_frames * j->channels);
  if (!j->ibuf) {
    free_out(s, j);
    return ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot open JACK client \"%s\": out of memory for the render buffer", name);
  }
  atomic_store_explicit(&j->buffer_frames, bs, memory_order_relaxed);
  cap_begin();
  for (uint32_t p = 0; p < j->nports; p++) {
    char pn[24];
    /* orbit outputs (MS_AUDIO_ORBIT_OUTPUTS): a pair per orbit, named after it */
    if (s->cfg.flags & MS_AUDIO_ORBIT_OUTPUTS) snprintf(pn, sizeof pn, "orbit%u_%c", p / 2u, p % 2u ? 'R' : 'L');
    else snprintf(pn, sizeof pn, "out_%u", p + 1);
    j->ports[p] = jack_port_register(j->client, pn, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    if (!j->ports[p]) {
      rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot open JACK client \"%s\": registering port \"%s\" failed: %s", actual,
                    pn, cap_msg[0] ? cap_msg : "the server refused it");
      break;
    }
  }
  if (rc == MS_OK && (o->cfg.flags & MS_OUTPUT_MIDI_IN)) {
    j->midi_port = jack_port_register(j->client, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    if (!j->midi_port)
      rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot open JACK client \"%s\": registering port \"midi_in\" failed: %s",
                    actual, cap_msg[0] ? cap_msg : "the server refused it");
    else
      rc = ctl_midi_source_new(s, MS_MIDI_SOURCE_JACK, &j->midi);
  }
  if (rc == MS_OK &&
      (jack_set_process_callback(j->client, jack_process, j) || jack_set_buffer_size_callback(j->client, jack_on_buffer_size, j) ||
       jack_set_sample_rate_callback(j->client, jack_on_sample_rate, j) || jack_set_xrun_callback(j->client, jack_on_xrun, j) ||
       jack_set_thread_init_callback(j->client, cb_thread_init, j)))
    rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot open JACK client \"%s\": setting its callbacks failed: %s", actual,
                  cap_msg[0] ? cap_msg : "the server refused them");
  cap_end();
  if (rc != MS_OK) {
    free_out(s, j);
    return rc;
  }
  jack_on_info_shutdown(j->client, cb_shutdown, j);

  o->info.backend = MS_BACKEND_JACK;
  o->info.sample_rate = j->rate;
  o->info.period_frames = bs;
  o->info.periods = 0; /* JACK does not tell its clients */
  o->info.latency_frames = bs;
  o->info.pcm_format = MS_PCM_FLOAT;
  snprintf(o->info.device, sizeof o->info.device, "%s", actual);
  o->impl = j;
  return MS_OK;
}

static void connect_system(jack_out_t *j) {
  const char **phys =
      jack_get_ports(j->client, NULL, JACK_DEFAULT_AUDIO_TYPE, JackPortIsPhysical | JackPortIsInput);
  if (!phys) return;
  if (j->sampler->cfg.flags & MS_AUDIO_ORBIT_OUTPUTS) {
    /* every orbit's pair onto the first two playback ports (JACK sums them:
     * the stereo mix), the pairs stay apart for whoever connects them */
    for (uint32_t p = 0; p < j->nports && phys[0]; p++)
      if (phys[p % 2u]) jack_connect(j->client, jack_port_name(j->ports[p]), phys[p % 2u]);
  } else {
    for (uint32_t p = 0; p < j->nports && phys[p]; p++) jack_connect(j->client, jack_port_name(j->ports[p]), phys[p]);
  }
  jack_free(phys);
}

/* MIDI outputs opened before activation with a port to connect to. A
 * connection that fails leaves the port unconnected (connect it by hand). */
static void connect_midi_outs(jack_out_t *j) {
  for (uint32_t i = 0; i < MS_MIDI_MAX_OUTS; i++) {
    struct ms_midi_out *m = atomic_load_explicit(&j->sampler->midi_outs[i], memory_order_relaxed);
    jack_port_t *p = m && m->jack_owner == j ? atomic_load_explicit(&m->jack_port, memory_order_relaxed) : NULL;
    if (!p || !m->jack_connect[0]) continue;
    jack_connect(j->client, jack_port_name(p), m->jack_connect);
    m->jack_connect[0] = 0;
  }
}

static int32_t jack_start(ms_output_t *o) {
  jack_out_t *j = o->impl;
  ms_sampler_t *s = o->sampler;
  cap_begin();
  atomic_store_explicit(&j->connected, 0, memory_order_relaxed);
  int e = jack_activate(j->client);
  if (e == 0 && !(o->cfg.flags & MS_OUTPUT_NO_CONNECT)) connect_system(j);
  if (e == 0) connect_midi_outs(j);
  /* frame 0 is rendered once the ports lead somewhere: no first note lost.
   * release pairs with the process callback's acquire */
  atomic_store_explicit(&j->connected, 1, memory_order_release);
  cap_end();
  if (e)
    return ctl_fail(s, MS_ERR_DEVICE, "Cannot start JACK client \"%s\": activation failed: %s", o->info.device,
                    cap_msg[0] ? cap_msg : "the server refused it");
  /* JACK, not us, sets its process thread's policy: read it back */
  int policy = -1;
  struct sched_param sp = {0};
  if (pthread_getschedparam((pthread_t)jack_client_thread_id(j->client), &policy, &sp) != 0) policy = -1;
  o->info.sched_policy = policy;
  o->info.sched_priority = policy < 0 ? 0 : sp.sched_priority;
  if (policy == SCHED_FIFO || policy == SCHED_RR) s->rt_status |= MS_RT_PRIORITY_SET;
  else s->rt_status &= ~MS_RT_PRIORITY_SET;
  if (o->rt_priority > 0 && policy != SCHED_FIFO && policy != SCHED_RR)
    return ctl_fail(s, MS_ERR_RT_PRIORITY,
                    "Could not set RT priority %d: the JACK server runs its clients at normal priority: start "
                    "jackd with -R, and " MS_RT_PRIORITY_FIX,
                    (int)o->rt_priority);
  return MS_OK;
}

static int32_t jack_stop(ms_output_t *o) {
  jack_out_t *j = o->impl;
  cap_begin();
  jack_deactivate(j->client); /* returns once the process callback can no longer run */
  cap_end();
  return MS_OK;
}

static void jack_close(ms_output_t *o) {
  cap_begin();
  free_out(o->sampler, o->impl);
  cap_end();
  o->impl = NULL;
}

static int32_t jack_refresh(ms_output_t *o) {
  jack_out_t *j = o->impl;
  uint32_t bs = atomic_load_explicit(&j->buffer_frames, memory_order_relaxed);
  o->info.period_frames = bs;
  if (!atomic_load_explicit(&j->shutdown, memory_order_acquire)) {
    jack_latency_range_t r = {0, 0};
    jack_port_get_latency_range(j->ports[0], JackPlaybackLatency, &r);
    o->info.latency_frames = r.max + bs;
  }
  if (atomic_load_explicit(&j->shutdown, memory_order_acquire))
    return ctl_fail(o->sampler, MS_ERR_NO_SERVER,
                    "Cannot play through JACK: the server shut down (%s): start it again, then open the output again",
                    j->shutdown_reason);
  uint32_t changed = atomic_load_explicit(&j->rate_changed, memory_order_relaxed);
  if (changed)
    return ctl_fail(o->sampler, MS_ERR_DEVICE,
                    "Cannot play through JACK: JACK's rate changed from %u to %u: restart with the new rate", j->rate,
                    changed);
  return MS_OK;
}

int32_t jack_midi_out_attach(ms_output_t *o, struct ms_midi_out *m, const char *connect) {
  ms_sampler_t *s = o->sampler;
  if (o->ops != &ms_backend_jack)
    return ctl_fail(s, MS_ERR_STATE, "Cannot open JACK MIDI output \"%s\": the live output runs on %s, not JACK: "
                    "open it with the JACK backend", m->name, o->ops->name);
  jack_out_t *j = o->impl;
  cap_begin();
  jack_port_t *p = jack_port_register(j->client, m->name, JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
  int32_t rc = MS_OK;
  if (!p) {
    rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot open JACK MIDI output \"%s\": registering the port failed: %s", m->name,
                  cap_msg[0] ? cap_msg : "the server refused it (is the name taken?)");
  } else if (connect && connect[0] && !jack_port_by_name(j->client, connect)) {
    rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot connect JACK MIDI output \"%s\" to \"%s\": no such port: list ports with "
                  "\"jack_lsp -t\"", m->name, connect);
    jack_port_unregister(j->client, p);
  } else if (connect && connect[0] && !o->running) {
    /* JACK connects only the ports of an active client: jack_start does it */
    snprintf(m->jack_connect, sizeof m->jack_connect, "%s", connect);
  } else if (connect && connect[0] && jack_connect(j->client, jack_port_name(p), connect) != 0) {
    rc = ctl_fail(s, MS_ERR_DEVICE, "Cannot connect JACK MIDI output \"%s\" to \"%s\": %s: list ports with "
                  "\"jack_lsp -t\"", m->name, connect, cap_msg[0] ? cap_msg : "no such MIDI input port");
    jack_port_unregister(j->client, p);
  }
  cap_end();
  if (rc != MS_OK) return rc;
  m->jack_owner = j;
  /* relaxed: the output itself is published afterwards with a release store (api_midi_out.c) */
  atomic_store_explicit(&m->jack_port, (void *)p, memory_order_relaxed);
  return MS_OK;
}

int32_t jack_probe_rate(ms_sampler_t *s, const char *device, uint32_t *rate) {
  jack_client_t *c = NULL;
  int32_t rc = open_client(s, client_name(device), &c);
  if (rc != MS_OK) return rc;
  *rate = jack_get_sample_rate(c);
  cap_begin();
  jack_client_close(c);
  cap_end();
  return MS_OK;
}

const ms_backend_ops_t ms_backend_jack = {
    .name = "JACK",
    .open = jack_open,
    .start = jack_start,
    .stop = jack_stop,
    .close = jack_close,
    .refresh = jack_refresh,
};
