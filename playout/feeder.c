/* The feeder: packets of one file at a time, re-stamped onto the channel's
 * timeline and handed to the output pipeline in real time.
 *
 * Video: a frame's output time is the planned instant of the file's
 * in-point plus its own stream time, so an item's first frame (an IDR: the
 * house format has closed GOPs) lands exactly on its planned start, and a
 * frame at or after the item's end is not sent (a cut on the frame).
 * Audio: AAC frames (1024 samples) cannot be cut without decoding, so
 * audio is stamped continuously on a 48 kHz sample counter; a frame whose
 * planned time drifts more than half a frame ahead is dropped, and a
 * pre-encoded silent frame is inserted when it falls half a frame behind.
 * Audio stays within ±10.7 ms of video and never has a gap. */
#include "feeder.h"

#include <string.h>

#define AAC_SAMPLES 1024
#define HALF_AAC_NS ((GstClockTime)AAC_SAMPLES * GST_SECOND / SQ_AUDIO_RATE / 2)
#define FRAME_NS    ((GstClockTime)GST_SECOND / SQ_FPS)
/* How far ahead of the wall clock packets are handed over: splitmuxsink
 * closes a segment only once it holds the whole next GOP (2 s), and a
 * segment must be listed before its end instant. */
#define LEAD_NS (3000 * GST_MSECOND)
#define TICK_US (500 * 1000)
/* A house-format GOP is 2 s: a join never airs more of the past. */
#define JOIN_BACK_MAX_NS (2 * GST_SECOND)

/* One AAC-LC stereo 48 kHz frame of digital silence (raw, no ADTS),
 * encoded once by FFmpeg's aac encoder from anullsrc. */
static const guint8 silent_aac[] = {0x21, 0x10, 0x04, 0x60, 0x8c, 0x1c};

static GstClockTime samples_to_ns(int64_t samples)
{
    return gst_util_uint64_scale((guint64)samples, GST_SECOND, SQ_AUDIO_RATE);
}

static int64_t ns_to_samples(GstClockTime ns)
{
    return (int64_t)gst_util_uint64_scale_ceil(ns, SQ_AUDIO_RATE, GST_SECOND);
}

/* Waits until the wall clock reaches due_ns - LEAD_NS; false when stopped. */
static bool pace(Feeder *f, GstClockTime due_ns)
{
    for (;;) {
        if (g_cancellable_is_cancelled(f->cancellable) || f->output_failed)
            return false;
        int64_t now_us = sq_now_us();
        if (f->tick && now_us - f->last_tick_us >= TICK_US) {
            f->last_tick_us = now_us;
            f->tick(f, f->tick_data);
        }
        int64_t wait_us = ns_to_us(due_ns - MIN(due_ns, LEAD_NS)) - now_us;
        /* Up to a frame early is fine: fewer wake-ups, packets go in bunches. */
        if (wait_us <= SQ_FRAME_US)
            return true;
        g_usleep(MIN(wait_us, 100 * 1000));
    }
}

static bool push(Feeder *f, GstBuffer *b, bool is_video)
{
    if (!output_push(f->out, b, is_video)) {
        f->output_failed = true;
        return false;
    }
    return true;
}

static bool push_audio_frame(Feeder *f, GstBuffer *payload)
{
    GstClockTime pts = samples_to_ns(f->a_next_samples);
    GstClockTime end = samples_to_ns(f->a_next_samples + AAC_SAMPLES);
    GstBuffer *b =
        payload ? gst_buffer_copy(payload)
                : gst_buffer_new_wrapped_full(GST_MEMORY_FLAG_READONLY, (gpointer)silent_aac,
                                              sizeof silent_aac, 0, sizeof silent_aac, NULL, NULL);
    GST_BUFFER_PTS(b) = GST_BUFFER_DTS(b) = pts;
    GST_BUFFER_DURATION(b) = end - pts;
    GST_BUFFER_FLAG_UNSET(b, GST_BUFFER_FLAG_DISCONT);
    f->a_next_samples += AAC_SAMPLES;
    if (!payload)
        f->silent_frames++;
    return push(f, b, false);
}

bool feeder_fill_audio(Feeder *f, GstClockTime until_ns)
{
    if (!f->started)
        return true;
    while (samples_to_ns(f->a_next_samples) + HALF_AAC_NS < until_ns)
        if (!push_audio_frame(f, NULL))
            return false;
    return true;
}

static bool air_audio(Feeder *f, GstBuffer *buf, GstClockTime ideal_ns)
{
    if (!f->started)
        return true; /* before the first picture: nothing to be continuous with */
    if (!feeder_fill_audio(f, ideal_ns))
        return false;
    if (ideal_ns + HALF_AAC_NS < samples_to_ns(f->a_next_samples)) {
        f->dropped_audio_frames++;
        return true;
    }
    return push_audio_frame(f, buf);
}

static bool air_video(Feeder *f, GstBuffer *buf, GstClockTime pts_ns)
{
    if (f->started && pts_ns < f->v_next_ns)
        return true; /* never overlap what is already on air */
    if (!f->started) {
        f->started = true;
        f->a_next_samples = ns_to_samples(pts_ns);
        f->first_pts_ns = pts_ns;
    }
    GstBuffer *b = gst_buffer_copy(buf);
    GST_BUFFER_PTS(b) = GST_BUFFER_DTS(b) = pts_ns;
    GST_BUFFER_DURATION(b) = FRAME_NS;
    GST_BUFFER_FLAG_UNSET(b, GST_BUFFER_FLAG_DISCONT);
    f->v_next_ns = pts_ns + FRAME_NS;
    f->video_frames++;
    return push(f, b, true);
}

FeedResult feeder_air_file(Feeder *f, const char *path, GstClockTime anchor_ns, GstClockTime in_ns,
                           GstClockTime from_ns, GstClockTime *to_ns, GError **error)
{
    GstClockTime position = in_ns + (from_ns - anchor_ns);
    bool mid_item = f->started && from_ns > anchor_ns;
    bool snap_after = mid_item || (!f->started && f->join_after && from_ns > anchor_ns);
    g_autoptr(Reader) r = reader_open(path, position, snap_after, error);
    if (!r)
        return FEED_FAILED;
    GstClockTime duration = reader_duration(r);
    if (duration && position >= duration)
        return FEED_ENDED; /* joining after the file's end: nothing of it airs */
    if (mid_item) {
        /* Entering a file between its GOPs: the slate bridges to the next
         * IDR, since frames before it cannot be decoded alone. */
        const ReaderPacket *p = reader_peek(r, error);
        while (p && !p->is_video) {
            ReaderPacket skip;
            reader_next(r, &skip, NULL);
            gst_sample_unref(skip.sample);
            p = reader_peek(r, error);
        }
        if (!p)
            return *error ? FEED_FAILED : FEED_ENDED;
        GstClockTime first = anchor_ns + p->stream_ns - in_ns;
        if (first > from_ns) {
            GstClockTime bridge_to = MIN(first, *to_ns);
            g_message("%s: slate for %.2f s until the next IDR of %s", f->channel_id,
                      (bridge_to - from_ns) / 1e9, path);
            FeedResult res = feeder_air_loop(f, f->slate_path, from_ns, &bridge_to, error);
            if (res != FEED_DONE)
                return res;
        }
    }
    bool video_done = false, audio_done = !reader_has_audio(r);
    while (!video_done || !audio_done) {
        if (GST_CLOCK_TIME_IS_VALID(f->cut_ns) && f->cut_ns < *to_ns)
            *to_ns = MAX(f->cut_ns, f->v_next_ns);
        ReaderPacket p;
        g_autoptr(GError) local = NULL;
        if (!reader_next(r, &p, &local)) {
            if (local) {
                g_propagate_error(error, g_steal_pointer(&local));
                return FEED_FAILED;
            }
            return video_done || f->v_next_ns >= *to_ns ? FEED_DONE : FEED_ENDED;
        }
        g_autoptr(GstSample) sample = p.sample;
        if (p.stream_ns < in_ns && f->started)
            continue;
        /* Joining: the GOP before the join point, nothing earlier. */
        if (!f->started && anchor_ns + p.stream_ns < from_ns + in_ns &&
            from_ns + in_ns - (anchor_ns + p.stream_ns) > JOIN_BACK_MAX_NS)
            continue;
        GstClockTime t = anchor_ns + p.stream_ns - in_ns;
        GstBuffer *buf = gst_sample_get_buffer(sample);
        if (p.is_video) {
            if (video_done)
                continue;
            if (t >= *to_ns) {
                video_done = true;
                continue;
            }
            if (t >= f->stop_ns) {
                *to_ns = f->stop_ns;
                return FEED_STOPPED;
            }
            if (!pace(f, t) || !air_video(f, buf, t))
                return FEED_STOPPED;
        } else {
            if (audio_done)
                continue;
            if (t + HALF_AAC_NS > *to_ns) {
                audio_done = true;
                continue;
            }
            if (!pace(f, t) || !air_audio(f, buf, t))
                return FEED_STOPPED;
        }
    }
    return FEED_DONE;
}

FeedResult feeder_air_loop(Feeder *f, const char *path, GstClockTime from_ns, GstClockTime *to_ns,
                           GError **error)
{
    GstClockTime anchor = from_ns;
    int empty_passes = 0;
    while (f->v_next_ns < *to_ns || !f->started) {
        if (GST_CLOCK_TIME_IS_VALID(f->cut_ns) && f->cut_ns < *to_ns) {
            *to_ns = MAX(f->cut_ns, f->v_next_ns);
            if (f->v_next_ns >= *to_ns)
                break;
        }
        GstClockTime before = f->v_next_ns;
        FeedResult res = feeder_air_file(f, path, anchor, 0, anchor, to_ns, error);
        if (res == FEED_FAILED || res == FEED_STOPPED)
            return res;
        if (!feeder_fill_audio(f, f->v_next_ns))
            return FEED_STOPPED;
        if (f->v_next_ns == before && ++empty_passes > 2) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: has no pictures", path);
            return FEED_FAILED;
        }
        anchor = f->v_next_ns;
    }
    return FEED_DONE;
}
