/*
 * ctl_alsa_msg.h — ALSA's messages for the calling thread's ALSA calls
 * between ctl_alsa_msg_begin and ctl_alsa_msg_end (ctl_alsa_msg.c): the
 * library never prints, so ALSA's error handler is captured.
 * ctl_alsa_msg_text gives the first message, else snd_strerror(err).
 * Thread: any thread but the render thread; the capture is per thread.
 */
#ifndef MS_CTL_ALSA_MSG_H
#define MS_CTL_ALSA_MSG_H

void ctl_alsa_msg_begin(void);
void ctl_alsa_msg_end(void);
const char *ctl_alsa_msg_text(int err);

#endif /* MS_CTL_ALSA_MSG_H */
