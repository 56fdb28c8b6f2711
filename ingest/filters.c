/* The libavfilter chains that turn any source into the house format, as
 * descriptions. Building them into graphs is in transcode.c/analyze.c. */
#include "ingest_private.h"

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavutil/channel_layout.h>
#include <math.h>

bool filter_graph_build(SqFilterGraph *g, const char *src_name, const char *src_args,
                        const char *sink_name, const char *description, GError **error)
{
    g->graph = avfilter_graph_alloc();
    g->graph->nb_threads = 1;
    int ret = avfilter_graph_create_filter(&g->src, avfilter_get_by_name(src_name), "in", src_args,
                                           NULL, g->graph);
    if (ret >= 0)
        ret = avfilter_graph_create_filter(&g->sink, avfilter_get_by_name(sink_name), "out", NULL,
                                           NULL, g->graph);
    if (ret >= 0) {
        AVFilterInOut *outputs = avfilter_inout_alloc();
        AVFilterInOut *inputs = avfilter_inout_alloc();
        outputs->name = av_strdup("in");
        outputs->filter_ctx = g->src;
        inputs->name = av_strdup("out");
        inputs->filter_ctx = g->sink;
        ret = avfilter_graph_parse_ptr(g->graph, description, &inputs, &outputs, NULL);
        avfilter_inout_free(&inputs);
        avfilter_inout_free(&outputs);
    }
    if (ret >= 0)
        ret = avfilter_graph_config(g->graph, NULL);
    if (ret < 0) {
        g_autofree char *prefix = g_strdup_printf("filter graph '%s'", description);
        set_av_error(error, ret, SQ_ERROR_INTERNAL, prefix);
        return false;
    }
    return true;
}

void filter_graph_clear(SqFilterGraph *g)
{
    avfilter_graph_free(&g->graph);
    g->src = g->sink = NULL;
}

char *audio_source_args(AVCodecContext *decoder)
{
    char layout[128] = "";
    if (decoder->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&decoder->ch_layout, decoder->ch_layout.nb_channels);
    av_channel_layout_describe(&decoder->ch_layout, layout, sizeof(layout));
    return g_strdup_printf("time_base=1/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
                           decoder->sample_rate, decoder->sample_rate,
                           av_get_sample_fmt_name(decoder->sample_fmt), layout);
}

void fit_picture(int src_width, int src_height, AVRational sample_aspect, int frame_width,
                 int frame_height, int *out_width, int *out_height)
{
    if (sample_aspect.num <= 0 || sample_aspect.den <= 0)
        sample_aspect = (AVRational){1, 1};
    /* Display aspect = width * sar / height; fit it inside the frame:
     * pillarbox (full height) when narrower, letterbox when wider. */
    int64_t dar_num = (int64_t)src_width * sample_aspect.num;
    int64_t dar_den = (int64_t)src_height * sample_aspect.den;
    int64_t w = frame_width, h = frame_height;
    if (dar_num * frame_height < dar_den * frame_width) {
        w = (frame_height * dar_num + dar_den / 2) / dar_den;
    } else if (dar_num * frame_height > dar_den * frame_width) {
        h = (frame_width * dar_den + dar_num / 2) / dar_num;
    }
    /* 4:2:0 needs even sizes; a picture within 1% of the frame fills it. */
    w = w & ~1;
    h = h & ~1;
    if (w >= frame_width - frame_width / 100)
        w = frame_width;
    if (h >= frame_height - frame_height / 100)
        h = frame_height;
    *out_width = (int)MAX(w, 2);
    *out_height = (int)MAX(h, 2);
}

char *video_filter_description(const SqMedia *media, const SqProfile *profile)
{
    int w, h;
    fit_picture(media->width, media->height, media->sample_aspect, profile->width, profile->height,
                &w, &h);
    /* bwdif sends one frame per frame, so 50i becomes 25p; it touches only
     * frames flagged interlaced unless the stream says it is interlaced.
     * fps=25 drops or repeats frames to the house rate, keeping duration. */
    /* An untagged picture is taken as BT.709 from 720 lines up and BT.601
     * below, as players do; swscale alone would assume BT.601 for all. */
    const char *in_matrix = media->colour_matrix_known ? "auto"
                            : media->height >= 720     ? "bt709"
                                                       : "bt601";
    return g_strdup_printf("bwdif=mode=send_frame:parity=auto:deint=%s,"
                           "fps=fps=25:round=near,"
                           "scale=w=%d:h=%d:flags=bicubic:in_color_matrix=%s:"
                           "out_color_matrix=bt709:out_range=tv,"
                           "pad=w=%d:h=%d:x=(ow-iw)/2:y=(oh-ih)/2:color=black,"
                           "setsar=1,format=yuv420p",
                           media->interlaced ? "all" : "interlaced", w, h, in_matrix,
                           profile->width, profile->height);
}

char *audio_filter_description(const SqLoudnessPlan *plan, bool measure)
{
    GString *s = g_string_new(NULL);
    /* async fills gaps and first_pts=0 aligns the audio with the first
     * video frame (input timestamps are re-based on it by the caller). */
    g_string_append(s, "aresample=48000:async=1:first_pts=0,"
                       "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo");
    if (plan) {
        g_string_append_printf(s, ",volume=volume=%.3fdB:precision=float", plan->gain_db);
        /* alimiter only sees sample peaks; at 4x the rate they are the
         * true peaks (ITU-R BS.1770 measures at 4x), so a spike's
         * inter-sample overshoot is limited too. */
        if (plan->limit)
            g_string_append_printf(s,
                                   ",aresample=192000,"
                                   "alimiter=limit=%.5f:attack=5:release=50:level=0:latency=1,"
                                   "aresample=48000",
                                   pow(10.0, plan->limit_dbfs / 20.0));
    }
    /* ebur128 works in doubles; the encoder and the silence detector take
     * planar float again. */
    if (measure)
        g_string_append(s, ",ebur128=peak=true:metadata=1:framelog=verbose,"
                           "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo");
    return g_string_free(s, FALSE);
}
