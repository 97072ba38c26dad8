/*
 * midi_parser.h — a byte-at-a-time MIDI 1.0 stream parser, and the MIDI
 * clock tempo estimator.
 *
 * Threads: any one thread per parser/estimator (the MIDI input thread, or the
 * render thread for JACK MIDI). Pure: no allocation, locks, system calls or
 * I/O, so the render thread may run it.
 *
 * Parsing rules: running status for channel messages; real-time bytes
 * (0xF8..0xFF) are delivered at once, even between a message's data bytes,
 * without disturbing it; SysEx of any length is skipped (a status byte ends
 * it); note-on with velocity 0 comes out as note-off; data bytes with no
 * status (garbage, a stream joined mid-message) are dropped until the next
 * status byte resynchronises.
 */
#ifndef MS_SHARED_MIDI_PARSER_H
#define MS_SHARED_MIDI_PARSER_H

#include <stdbool.h>
#include <stdint.h>

/* One complete message. len is 1..3 (status included). */
typedef struct midi_msg {
  uint8_t status, data1, data2, len;
} midi_msg_t;

typedef struct midi_parser {
  uint8_t status;   /* current status: a channel status persists (running status), 0 = none */
  uint8_t need;     /* data bytes the status takes */
  uint8_t count;    /* data bytes collected */
  uint8_t data[2];
  bool sysex;       /* inside F0 ... F7: data bytes are skipped */
} midi_parser_t;

static inline void midi_parser_init(midi_parser_t *p) {
  p->status = 0;
  p->need = 0;
  p->count = 0;
  p->data[0] = p->data[1] = 0;
  p->sysex = false;
}

/* Data bytes after a status byte; -1 for undefined statuses (F4, F5, F9, FD). */
static inline int midi_status_length(uint8_t st) {
  if (st < 0x80) return -1;
  if (st < 0xF0) return (st & 0xF0) == 0xC0 || (st & 0xF0) == 0xD0 ? 1 : 2;
  switch (st) {
    case 0xF1: case 0xF3: return 1;       /* MTC quarter frame, song select */
    case 0xF2: return 2;                  /* song position */
    case 0xF6: case 0xF7: return 0;       /* tune request, end of SysEx */
    case 0xF0: return 0;
    case 0xF8: case 0xFA: case 0xFB: case 0xFC: case 0xFE: case 0xFF: return 0;
    default: return -1;
  }
}

/* Feed one byte. Returns true and fills *out when it completes a message. */
static inline bool midi_parser_feed(midi_parser_t *p, uint8_t b, midi_msg_t *out) {
  if (b >= 0xF8) { /* real-time: now, whatever is in progress */
    if (midi_status_length(b) < 0) return false;
    out->status = b;
    out->data1 = out->data2 = 0;
    out->len = 1;
    return true;
  }
  if (b & 0x80) {
    p->sysex = false; /* any status byte ends a SysEx (F7 is the normal end) */
    p->count = 0;
    if (b == 0xF0) {
      p->sysex = true;
      p->status = 0;
      return false;
    }
    int n = midi_status_length(b);
    if (b >= 0xF0) {
      p->status = 0; /* system common cancels running status */
      if (n <= 0) {
        if (b == 0xF6) {
          out->status = b;
          out->data1 = out->data2 = 0;
          out->len = 1;
          return true;
        }
        return false; /* F7 outside SysEx, F4, F5: nothing to deliver */
      }
    }
    p->status = b;
    p->need = (uint8_t)n;
    return false;
  }
  /* a data byte */
  if (p->sysex || p->status == 0) return false; /* SysEx payload or garbage */
  p->data[p->count++] = b;
  if (p->count < p->need) return false;
  out->status = p->status;
  out->data1 = p->data[0];
  out->data2 = p->need == 2 ? p->data[1] : 0;
  out->len = (uint8_t)(1 + p->need);
  p->count = 0;
  if (p->status >= 0xF0) p->status = 0; /* system common: no running status */
  if ((out->status & 0xF0) == 0x90 && out->data2 == 0) out->status = (uint8_t)(0x80 | (out->status & 0x0F));
  return true;
}

/* ------------------------------------------------------- MIDI clock -- */
#define MIDI_CLOCK_WINDOW 25u /* stamps kept: 24 intervals = one beat at 24 PPQN */

typedef struct midi_clock {
  uint64_t stamps[MIDI_CLOCK_WINDOW];
  uint32_t n;          /* stamps held (<= window) */
  uint32_t head;       /* next slot */
  double bpm;          /* smoothed estimate, 0 = none yet */
} midi_clock_t;

static inline void midi_clock_reset(midi_clock_t *c) {
  c->n = 0;
  c->head = 0;
}

/*
 * A 0xF8 tick arrived at t_ns (CLOCK_MONOTONIC). Returns the tempo estimate
 * in BPM (0 until two ticks): the mean tick interval over the last beat
 * (up to 24 intervals, so per-tick jitter averages out), then a one-pole
 * smoother. A gap of over a second restarts the window (the clock stopped).
 */
static inline double midi_clock_tick(midi_clock_t *c, uint64_t t_ns) {
  if (c->n) {
    uint64_t last = c->stamps[(c->head + MIDI_CLOCK_WINDOW - 1) % MIDI_CLOCK_WINDOW];
    if (t_ns <= last || t_ns - last > 1000000000ull) c->n = 0;
  }
  c->stamps[c->head] = t_ns;
  c->head = (c->head + 1) % MIDI_CLOCK_WINDOW;
  if (c->n < MIDI_CLOCK_WINDOW) c->n++;
  if (c->n < 2) return c->bpm;
  uint64_t oldest = c->stamps[(c->head + MIDI_CLOCK_WINDOW - c->n) % MIDI_CLOCK_WINDOW];
  double interval = (double)(t_ns - oldest) / (double)(c->n - 1);
  double bpm = 60e9 / (interval * 24.0);
  /* quick at first, steady once a full beat is in the window */
  double a = c->n < MIDI_CLOCK_WINDOW ? 0.5 : 0.2;
  c->bpm = c->bpm > 0.0 ? c->bpm + (bpm - c->bpm) * a : bpm;
  return c->bpm;
}

#endif /* MS_SHARED_MIDI_PARSER_H */
