/*
 * ctl_sample.c — decoding sample files with libsndfile into float, once.
 *
 * Thread: CT (or a loader helper thread in a later version). Never touched
 * by RT except through the immutable float data a published instrument
 * version points at. Sample memory is padded with zero frames before and
 * after so interpolation taps never need bounds checks on the render thread.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/engine.h"

#define MAX_SAMPLE_FRAMES (1ull << 31)

static const char *base_name(const char *path) {
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

static void absolute_path(const char *path, char *out, size_t cap) {
  if (path[0] == '/') {
    snprintf(out, cap, "%s", path);
    return;
  }
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd)) snprintf(out, cap, "%s/%s", cwd, path);
  else snprintf(out, cap, "%s", path);
}

struct ms_sample *ctl_sample_new(ms_sampler_t *s, uint64_t frames, uint32_t channels, uint32_t bits) {
  struct ms_sample *smp = ctl_alloc(s, sizeof *smp);
  if (!smp) return NULL;
  const size_t width = bits == 16 ? sizeof(int16_t) : sizeof(float);
  size_t values = (size_t)(frames + MS_PAD_BEFORE + MS_PAD_AFTER) * channels;
  /* the frames are written by the decoder or the copy: zero only the padding */
  char *mem = ctl_alloc_uninit(s, values * width);
  if (!mem) {
    ctl_free(s, smp);
    return NULL;
  }
  memset(mem, 0, (size_t)MS_PAD_BEFORE * channels * width);
  memset(mem + (size_t)(MS_PAD_BEFORE + frames) * channels * width, 0, (size_t)MS_PAD_AFTER * channels * width);
  smp->owner = s;
  smp->data = mem + (size_t)MS_PAD_BEFORE * channels * width;
  smp->frames = frames;
  smp->channels = channels;
  smp->bits = bits == 16 ? 16 : 32;
  smp->root_key = 60;
  smp->refs = 1;
  smp->bytes = values * width;
  return smp;
}

void ctl_sample_ref(struct ms_sample *smp) { smp->refs++; }

void ctl_sample_unref(struct ms_sample *smp) {
  if (!smp || --smp->refs) return;
  ms_sampler_t *s = smp->owner;
  const size_t width = smp->bits == 16 ? sizeof(int16_t) : sizeof(float);
  ctl_free(s, (char *)smp->data - (size_t)MS_PAD_BEFORE * smp->channels * width);
  ctl_free(s, smp);
}

/* libsndfile shortens a truncated WAV/AIFF silently but logs
 * "data : 9600 (should be 4800)": treat that as the corruption it is. */
static bool log_says_truncated(SNDFILE *f, long long *promised_bytes, long long *present_bytes) {
  char log[8192];
  sf_command(f, SFC_GET_LOG_INFO, log, sizeof log);
  for (char *line = log; line && *line;) {
    char *nl = strchr(line, '\n');
    if ((strncmp(line, "data", 4) == 0 || strncmp(line, "SSND", 4) == 0) &&
        strstr(line, "(should be")) {
      char *colon = strchr(line, ':');
      char *sb = strstr(line, "(should be");
      if (colon && sb) {
        *promised_bytes = atoll(colon + 1);
        *present_bytes = atoll(sb + 10);
        if (*present_bytes < *promised_bytes) return true;
      }
    }
    line = nl ? nl + 1 : NULL;
  }
  return false;
}

/*
 * FLAC and Ogg state their length in a header the decoder believes (FLAC's
 * STREAMINFO, the last Ogg page's granule position): a damaged one can claim
 * 2^31 frames in 44 bytes, and the buffer is sized from that claim (locked in
 * RAM when the sampler locks memory). A claim of more frames than
 * PLAUSIBLE_FRAMES_PER_BYTE per byte of file (128:1 for 16-bit mono, which
 * only near-silence reaches) is checked by reading its last frame first.
 */
#define PLAUSIBLE_FRAMES_PER_BYTE 64

static bool last_frame_readable(SNDFILE *f, sf_count_t frames) {
  float frame[2];
  bool ok = sf_seek(f, frames - 1, SEEK_SET) == frames - 1 && sf_readf_float(f, frame, 1) == 1;
  return sf_seek(f, 0, SEEK_SET) == 0 && ok;
}

int32_t ctl_sample_decode(ms_sampler_t *s, const char *path, const char *instrument, struct ms_sample **out) {
  /* "kick.wav" or "kick.wav\" for instrument \"drums" inside the quotes of each message */
  char name[PATH_MAX + 96];
  if (instrument)
    snprintf(name, sizeof name, "%s\" for instrument \"%s", base_name(path), instrument);
  else
    snprintf(name, sizeof name, "%s", base_name(path));
  char abs[PATH_MAX + 256];
  absolute_path(path, abs, sizeof abs);
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT)
      return ctl_fail(s, MS_ERR_FILE_NOT_FOUND, "Cannot load sample \"%s\": no such file at %s", name, abs);
    return ctl_fail(s, MS_ERR_FILE_NOT_FOUND, "Cannot load sample \"%s\": %s (%s)", name, strerror(errno), abs);
  }
  if (S_ISDIR(st.st_mode))
    return ctl_fail(s, MS_ERR_FILE_NOT_FOUND, "Cannot load sample \"%s\": %s is a directory, not an audio file",
                    name, abs);
  if (access(path, R_OK) != 0)
    return ctl_fail(s, MS_ERR_FILE_NOT_FOUND, "Cannot load sample \"%s\": %s is not readable (%s)", name, abs,
                    strerror(errno));
  if (st.st_size == 0)
    return ctl_fail(s, MS_ERR_FILE_FORMAT, "Cannot load sample \"%s\": the file is empty (%s)", name, abs);

  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f)
    return ctl_fail(s, MS_ERR_FILE_FORMAT,
                    "Cannot load sample \"%s\": not a readable WAV, AIFF, FLAC or OGG file (%s): "
                    "re-export it from an audio editor",
                    name, sf_strerror(NULL));
  int32_t rc = MS_OK;
  struct ms_sample *smp = NULL;
  long long promised = 0, present = 0;
  if (info.frames <= 0) {
    rc = ctl_fail(s, MS_ERR_FILE_FORMAT, "Cannot load sample \"%s\": the file holds no audio frames", name);
  } else if (log_says_truncated(f, &promised, &present)) {
    rc = ctl_fail(s, MS_ERR_FILE_FORMAT,
                  "Cannot load sample \"%s\": the file is truncated (its header promises %lld bytes of "
                  "audio, %lld are present): copy or export it again",
                  name, promised, present);
  } else if (info.channels < 1 || info.channels > 2) {
    rc = ctl_fail(s, MS_ERR_FILE_FORMAT,
                  "Cannot load sample \"%s\": it has %d channels; only mono and stereo samples are "
                  "supported: split or mix it down first",
                  name, info.channels);
  } else if (info.samplerate < 1000 || info.samplerate > 768000) {
    rc = ctl_fail(s, MS_ERR_FILE_FORMAT, "Cannot load sample \"%s\": sample rate %d Hz is not plausible", name,
                  info.samplerate);
  } else if ((uint64_t)info.frames >= MAX_SAMPLE_FRAMES) {
    rc = ctl_fail(s, MS_ERR_FILE_FORMAT, "Cannot load sample \"%s\": %lld frames is over the limit of %llu",
                  name, (long long)info.frames, (unsigned long long)MAX_SAMPLE_FRAMES);
  } else if ((uint64_t)info.frames > (uint64_t)st.st_size * PLAUSIBLE_FRAMES_PER_BYTE &&
             !last_frame_readable(f, info.frames)) {
    rc = ctl_fail(s, MS_ERR_FILE_FORMAT,
                  "Cannot load sample \"%s\": its header promises %lld frames, more than the file's %lld "
                  "bytes hold (damaged or truncated): copy or export it again",
                  name, (long long)info.frames, (long long)st.st_size);
  } else if (!(smp = ctl_sample_new(s, (uint64_t)info.frames, (uint32_t)info.channels, s->sample_bits))) {
    rc = ctl_fail(s, MS_ERR_NO_MEMORY, "Cannot load sample \"%s\": out of memory for %lld frames", name,
                  (long long)info.frames);
  } else {
    sf_command(f, SFC_SET_SCALE_FLOAT_INT_READ, NULL, SF_TRUE);
    sf_count_t got = smp->bits == 16 ? sf_readf_short(f, smp->data, info.frames) : sf_readf_float(f, smp->data, info.frames);
    if (got != info.frames) {
      rc = ctl_fail(s, MS_ERR_FILE_FORMAT,
                    "Cannot load sample \"%s\": the file is truncated or corrupt (read %lld of %lld frames%s%s)",
                    name, (long long)(got < 0 ? 0 : got), (long long)info.frames, sf_error(f) ? ": " : "",
                    sf_error(f) ? sf_strerror(f) : "");
    } else {
      /* only float files can hold NaN or infinity: integer PCM (most libraries) skips the scan */
      const int sub = info.format & SF_FORMAT_SUBMASK;
      const bool may_be_nan = sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE || sub == SF_FORMAT_VORBIS ||
                              sub == SF_FORMAT_OPUS || sub == SF_FORMAT_MPEG_LAYER_III;
      size_t n = smp->bits == 16 || !may_be_nan ? 0 : (size_t)info.frames * (size_t)info.channels;
      const float *fd = smp->data;
      for (size_t i = 0; i < n; i++) {
        if (!isfinite(fd[i])) {
          rc = ctl_fail(s, MS_ERR_FILE_FORMAT,
                        "Cannot load sample \"%s\": it contains NaN or infinite values (frame %zu)", name,
                        i / (size_t)info.channels);
          break;
        }
      }
    }
    if (rc == MS_OK) {
      smp->sample_rate = (uint32_t)info.samplerate;
      SF_INSTRUMENT inst;
      memset(&inst, 0, sizeof inst);
      if (sf_command(f, SFC_GET_INSTRUMENT, &inst, sizeof inst) == SF_TRUE) {
        if (inst.basenote > 0) smp->root_key = (uint32_t)inst.basenote & 0x7fu;
        if (inst.loop_count > 0 && inst.loops[0].mode != SF_LOOP_NONE) {
          /* libsndfile reports the loop end exclusive (file value + 1) */
          uint64_t ls = inst.loops[0].start, le = inst.loops[0].end;
          if (le > (uint64_t)info.frames) le = (uint64_t)info.frames;
          if (ls + 4 <= le) {
            smp->has_loop = 1;
            smp->loop_start = (uint32_t)ls;
            smp->loop_end = (uint32_t)le;
          }
        }
      }
      snprintf(smp->path, sizeof smp->path, "%s", path);
    }
  }
  sf_close(f);
  if (rc != MS_OK) {
    if (smp) ctl_sample_unref(smp);
    return rc;
  }
  *out = smp;
  return MS_OK;
}
