/*
 * midi_parser.c — buffer-at-a-time wrapper over the byte parser.
 * Thread: any one thread per parser (see midi_parser.h). Pure: the render
 * thread may run it.
 */
#include "shared/midi_parser.h"

#include <stddef.h>

size_t midi_parse(midi_parser_t *p, const uint8_t *bytes, size_t n, midi_msg_t *out, size_t cap);

/* Parse n bytes, writing at most cap messages; returns how many were written.
 * Bytes past the cap are still consumed (their messages are lost). */
size_t midi_parse(midi_parser_t *p, const uint8_t *bytes, size_t n, midi_msg_t *out, size_t cap) {
  size_t k = 0;
  midi_msg_t m;
  for (size_t i = 0; i < n; i++) {
    if (midi_parser_feed(p, bytes[i], &m) && k < cap) out[k++] = m;
  }
  return k;
}
