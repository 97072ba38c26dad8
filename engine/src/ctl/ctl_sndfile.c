/*
 * ctl_sndfile.c — opening a WAV/FLAC file for writing the engine's output,
 * shared by the offline renderer and the recorder: format checks, the
 * messages, and the settings that keep output deterministic and safe.
 *
 * Thread: CT (the recorder's writer thread then writes to the handle).
 */
#include <sndfile.h>
#include <string.h>

#include "shared/engine.h"

int32_t ctl_sndfile_open_write(ms_sampler_t *s, const char *what, const char *path, uint32_t file_format,
                               uint32_t sample_format, void **out) {
  int major = file_format == MS_FILE_WAV ? SF_FORMAT_WAV : file_format == MS_FILE_FLAC ? SF_FORMAT_FLAC : 0;
  int minor = sample_format == MS_SAMPLE_PCM16 ? SF_FORMAT_PCM_16 : sample_format == MS_SAMPLE_PCM24 ? SF_FORMAT_PCM_24
            : sample_format == MS_SAMPLE_FLOAT32 ? SF_FORMAT_FLOAT : 0;
  if (!major)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot %s \"%s\": file format %u is not MS_FILE_WAV or MS_FILE_FLAC",
                    what, path, file_format);
  if (!minor)
    return ctl_fail(s, MS_ERR_INVALID_ARGUMENT, "Cannot %s \"%s\": sample format %u is unknown", what, path, sample_format);
  if (major == SF_FORMAT_FLAC && minor == SF_FORMAT_FLOAT)
    return ctl_fail(s, MS_ERR_UNSUPPORTED, "Cannot %s \"%s\": FLAC cannot store 32-bit float: use 16 or 24 bits, or WAV",
                    what, path);
  SF_INFO info;
  memset(&info, 0, sizeof info);
  info.samplerate = (int)s->cfg.sample_rate;
  info.channels = (int)s->cfg.channels;
  info.format = major | minor;
  if (!sf_format_check(&info))
    return ctl_fail(s, MS_ERR_UNSUPPORTED, "Cannot %s \"%s\": libsndfile cannot write this format", what, path);
  SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
  if (!sf)
    return ctl_fail(s, MS_ERR_FILE_NOT_FOUND, "Cannot %s \"%s\": %s: check that the folder exists and is writable", what,
                    path, sf_strerror(NULL));
  sf_command(sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE); /* its timestamp would break reproducible bytes */
  sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);        /* integer formats clip instead of wrapping */
  *out = sf;
  return MS_OK;
}
