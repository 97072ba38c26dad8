/**
 * Deno.dlopen signatures of every function in `engine/include/midi_sampler.h`.
 *
 * Thread: CT. Fast-path rules, from Deno FFI call-cost measurements: handles
 * are `pointer`, counts and codes 32-bit ints, frames `u64` passed as BigInt;
 * no `usize` arguments (a JS number there takes the 196 ns slow path). Struct
 * pointers are `buffer` (a Uint8Array the caller reuses).
 *
 * @module
 */

/** The symbol table handed to Deno.dlopen. */
export const SYMBOLS = {
  ms_strerror: { parameters: ["i32"], result: "pointer" },
  ms_version: { parameters: [], result: "u32" },
  ms_error_message: { parameters: ["pointer", "buffer", "u32"], result: "u32" },

  ms_sampler_create: { parameters: ["buffer", "buffer"], result: "i32" },
  ms_sampler_destroy: { parameters: ["pointer"], result: "void" },
  ms_sampler_get_config: { parameters: ["pointer", "buffer"], result: "i32" },
  ms_sampler_enable_rt: { parameters: ["pointer", "i32"], result: "i32" },
  ms_sampler_rt_status: { parameters: ["pointer"], result: "u32" },
  ms_process: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  ms_sampler_now: { parameters: ["pointer"], result: "u64" },
  ms_sampler_collect: { parameters: ["pointer"], result: "i32" },
  ms_get_stats: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  ms_get_stats_ex: { parameters: ["pointer", "buffer"], result: "i32" },
  ms_sampler_stats_ptr: { parameters: ["pointer"], result: "pointer" },
  ms_all_notes_off_at: { parameters: ["pointer", "u64"], result: "i32" },
  ms_all_sound_off_at: { parameters: ["pointer", "u64"], result: "i32" },
  ms_sampler_set_interpolation: { parameters: ["pointer", "u32"], result: "i32" },
  ms_orbit_prepare: { parameters: ["pointer", "u32"], result: "i32" },
  ms_set_cps_at: { parameters: ["pointer", "u64", "f64"], result: "i32" },
  ms_orbits_awake: { parameters: ["pointer"], result: "u32" },
  ms_push_events: { parameters: ["pointer", "buffer", "u32", "buffer"], result: "i32" },

  ms_instrument_create: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  ms_instrument_destroy: { parameters: ["pointer"], result: "void" },
  ms_instrument_id: { parameters: ["pointer"], result: "u32" },
  ms_instrument_load_sample: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  ms_zone_init: { parameters: ["buffer"], result: "void" },
  ms_field_info: { parameters: ["u32", "u32", "buffer"], result: "i32" },
  ms_instrument_add_zone: {
    parameters: ["pointer", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  ms_instrument_clear_zones: { parameters: ["pointer"], result: "i32" },
  ms_instrument_zone_count: { parameters: ["pointer"], result: "u32" },
  ms_instrument_commit: { parameters: ["pointer"], result: "i32" },
  ms_instrument_set_velocity_curve: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  ms_instrument_set_zone_controls: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  ms_instrument_set_zone_mods: { parameters: ["pointer", "u32", "buffer", "u32"], result: "i32" },
  ms_instrument_set_cc_init: { parameters: ["pointer", "u32", "f32"], result: "i32" },
  ms_instrument_set_curve: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  ms_recorder_start: {
    parameters: ["pointer", "buffer", "u32", "u32", "f32", "buffer"],
    result: "i32",
  },
  ms_recorder_stop: { parameters: ["pointer"], result: "i32" },
  ms_recorder_frames: { parameters: ["pointer"], result: "u64" },
  ms_recorder_dropped_frames: { parameters: ["pointer"], result: "u64" },

  ms_note_on: { parameters: ["pointer", "i32", "i32", "buffer"], result: "i32" },
  ms_note_off: { parameters: ["pointer", "i32"], result: "i32" },
  ms_note_on_at: { parameters: ["pointer", "u64", "i32", "i32", "buffer"], result: "i32" },
  ms_note_on_controls_at: {
    parameters: ["pointer", "u64", "i32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  ms_note_off_at: { parameters: ["pointer", "u64", "i32"], result: "i32" },
  ms_cc_at: { parameters: ["pointer", "u64", "i32", "i32"], result: "i32" },
  ms_pitch_bend_at: { parameters: ["pointer", "u64", "i32"], result: "i32" },
  ms_instrument_set_param_at: { parameters: ["pointer", "u64", "u32", "f32"], result: "i32" },

  ms_sample_load: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  ms_sample_create: {
    parameters: ["pointer", "buffer", "u64", "u32", "u32", "buffer"],
    result: "i32",
  },
  // on Deno's blocking pool, so several files decode at once (NativeSampler.loadSampleAsync)
  ms_sample_load_msg: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "u32"],
    result: "i32",
    nonblocking: true,
  },
  ms_sample_destroy: { parameters: ["pointer"], result: "void" },
  ms_sampler_set_sample_bits: { parameters: ["pointer", "u32"], result: "i32" },
  ms_sample_get_info: { parameters: ["pointer", "buffer"], result: "i32" },

  ms_producer_create: { parameters: ["pointer", "buffer"], result: "i32" },
  ms_producer_destroy: { parameters: ["pointer"], result: "void" },
  ms_producer_push: { parameters: ["pointer", "buffer"], result: "i32" },

  ms_render_file_open: {
    parameters: ["pointer", "buffer", "u32", "u32", "buffer"],
    result: "i32",
  },
  ms_render_file_write: { parameters: ["pointer", "u32"], result: "i32" },
  ms_render_file_peak: { parameters: ["pointer"], result: "f32" },
  ms_render_file_close: { parameters: ["pointer"], result: "i32" },

  // live output: optional so that a library built before the backends still opens
  ms_output_open: { parameters: ["pointer", "buffer", "buffer"], result: "i32", optional: true },
  ms_output_start: { parameters: ["pointer"], result: "i32", optional: true },
  ms_output_stop: { parameters: ["pointer"], result: "i32", optional: true },
  ms_output_close: { parameters: ["pointer"], result: "void", optional: true },
  ms_output_get_info: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  ms_output_probe_rate: { parameters: ["buffer", "buffer"], result: "i32", optional: true },

  // system check (scripts/doctor.ts): blocks the caller for the duration
  ms_rt_probe_latency: {
    parameters: ["i32", "u32", "u32", "buffer"],
    result: "i32",
    optional: true,
  },

  // MIDI input and maps (lib/ffi/native_midi.ts)
  ms_midi_layer_init: { parameters: ["buffer"], result: "void" },
  ms_midi_map_set: {
    parameters: ["pointer", "buffer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  ms_midi_in_open: { parameters: ["pointer", "u32", "buffer", "buffer"], result: "i32" },
  ms_midi_in_close: { parameters: ["pointer"], result: "void" },
  ms_midi_poll: { parameters: ["pointer", "buffer", "u32"], result: "u32" },
  // blocks a Deno pool thread (never the JS thread, never an engine thread)
  ms_midi_wait: { parameters: ["pointer", "u32"], result: "i32", nonblocking: true },
  ms_midi_wake: { parameters: ["pointer"], result: "void" },
  ms_midi_stats_ptr: { parameters: ["pointer"], result: "pointer" },

  // MIDI out (lib/ffi/native_midi.ts)
  ms_midi_out_open: {
    parameters: ["pointer", "u32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  ms_midi_out_send_at: { parameters: ["pointer", "u64", "u8", "u8", "u8"], result: "i32" },
  ms_midi_out_panic_at: { parameters: ["pointer", "u64"], result: "i32" },
  ms_midi_out_read: { parameters: ["pointer", "buffer", "u32"], result: "u32" },
  ms_midi_out_index: { parameters: ["pointer"], result: "u32" },
  ms_midi_out_counts: { parameters: ["pointer", "buffer", "buffer", "buffer"], result: "void" },

  // Ableton Link (lib/ffi/native_link.ts): optional so that an older library still opens
  ms_link_built: { parameters: [], result: "i32", optional: true },
  ms_link_create: { parameters: ["pointer", "f64", "buffer"], result: "i32", optional: true },
  ms_link_destroy: { parameters: ["pointer"], result: "void", optional: true },
  ms_link_enable: { parameters: ["pointer", "u32"], result: "i32", optional: true },
  ms_link_enable_start_stop_sync: { parameters: ["pointer", "u32"], result: "i32", optional: true },
  ms_link_set_quantum: { parameters: ["pointer", "f64"], result: "i32", optional: true },
  ms_link_set_output_latency: { parameters: ["pointer", "u32"], result: "i32", optional: true },
  ms_link_request_tempo: { parameters: ["pointer", "f64", "u64"], result: "i32", optional: true },
  ms_link_request_playing: { parameters: ["pointer", "u32", "u64"], result: "i32", optional: true },
  ms_link_peers: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  ms_link_tempo: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  ms_link_playing: { parameters: ["pointer", "buffer"], result: "i32", optional: true },
  ms_link_beat_at_frame: {
    parameters: ["pointer", "f64", "buffer"],
    result: "i32",
    optional: true,
  },
  ms_link_frame_at_beat: {
    parameters: ["pointer", "f64", "buffer"],
    result: "i32",
    optional: true,
  },
  ms_link_beat_at_host: { parameters: ["pointer", "i64", "buffer"], result: "i32", optional: true },
  ms_link_host_now: { parameters: ["pointer"], result: "i64", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library's symbols. */
export type EngineSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
