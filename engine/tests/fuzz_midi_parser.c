/*
 * fuzz_midi_parser.c — libFuzzer target for the MIDI byte parser: any byte
 * stream must give only well-formed messages (status byte set, data bytes
 * 0..127, the status's length, no velocity-0 note-on) and the same messages
 * whether fed whole or split in two at any point.
 * Built with clang -fsanitize=fuzzer,address,undefined; run for a bounded
 * time by ctest (label fuzz).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shared/midi_parser.h"

static size_t parse(midi_parser_t *p, const uint8_t *d, size_t n, midi_msg_t *out, size_t cap) {
  size_t k = 0;
  midi_msg_t m;
  for (size_t i = 0; i < n; i++)
    if (midi_parser_feed(p, d[i], &m)) {
      int need = midi_status_length(m.status);
      if (!(m.status & 0x80) || need < 0 || m.data1 > 127 || m.data2 > 127 || m.len != 1 + need ||
          ((m.status & 0xF0) == 0x90 && m.data2 == 0))
        abort();
      if (k < cap) out[k++] = m;
    }
  return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static midi_msg_t a[4096], b[4096];
  if (size > 4096) size = 4096;
  midi_parser_t p;
  midi_parser_init(&p);
  size_t na = parse(&p, data, size, a, 4096);
  size_t cut = size ? data[0] % (size + 1) : 0;
  midi_parser_init(&p);
  size_t nb = parse(&p, data, cut, b, 4096);
  nb += parse(&p, data + cut, size - cut, b + nb, 4096 - nb);
  if (na != nb || memcmp(a, b, na * sizeof a[0]) != 0) abort();
  return 0;
}
