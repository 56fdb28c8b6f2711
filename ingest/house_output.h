/* Writing the house format: encoders and MP4 muxer (house_output.c). */
#pragma once

#include "ingest_private.h"

#include <libavcodec/avcodec.h>
#include <libavutil/audio_fifo.h>

#define SQ_HOUSE_GOP_FRAMES 50

typedef struct {
    AVFormatContext *fmt;
    AVCodecContext *venc, *aenc;
    AVStream *vst, *ast;
    AVPacket *pkt;
    AVFrame *chunk; /* audio on its way to the encoder */
    bool header_written;
    int64_t video_frames;  /* sent to the encoder */
    int64_t audio_samples; /* sent to the encoder */
    /* one-second window of video packet sizes, for the peak rate */
    int64_t video_packets;
    int window[SQ_FPS];
    int64_t window_bytes, peak_window_bytes;
} SqHouseOutput;

bool house_output_open(SqHouseOutput *o, const char *path, const SqProfile *profile,
                       GError **error);
/* Encodes one house-format picture (yuv420p at the profile's size); its pts
 * is set to the next frame number. NULL flushes. */
bool house_output_video(SqHouseOutput *o, AVFrame *frame, GError **error);
/* Encodes 1024 samples of fltp stereo 48 kHz (fewer for the last); NULL
 * flushes. */
bool house_output_audio(SqHouseOutput *o, AVFrame *frame, GError **error);
/* Encodes audio from fifo (fltp stereo 48 kHz) up to sample until, in
 * whole encoder frames while the fifo has them. With last, the final frame
 * may be short and a shortfall is padded with silence: only the very last
 * frame of a stream may be short (the encoder takes a short frame for the
 * end, and level suffers if more follow). */
bool house_output_audio_from_fifo(SqHouseOutput *o, AVAudioFifo *fifo, int64_t until, bool last,
                                  GError **error);
/* Flushes both encoders and writes the index. */
bool house_output_finish(SqHouseOutput *o, GError **error);
int house_output_peak_kbps(const SqHouseOutput *o);
void house_output_close(SqHouseOutput *o);
