/* Catch-up: an aired lesson as VOD HLS. The house-format MP4 is remuxed
 * (never re-encoded) into MPEG-TS segments of about 6 s cut on its IDR
 * frames (every 2 s in the house format) and a VOD playlist, once, into a
 * cache folder named by the asset's identity; made under a temporary name
 * and renamed, so a reader never sees half of it. hls.js and Safari play
 * it; the guide links to it. */
#include "web_private.h"

#include <glib/gstdio.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>

static bool av_fail(int rc, const char *what, GError **error)
{
    char text[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(rc, text, sizeof(text));
    g_set_error(error, SQ_ERROR, SQ_ERROR_MEDIA, "%s: %s", what, text);
    return false;
}

static bool remux(const char *input, const char *dir, GError **error)
{
    AVFormatContext *in = NULL, *out = NULL;
    AVPacket *pkt = av_packet_alloc();
    g_autofree char *playlist = g_build_filename(dir, "index.m3u8", NULL);
    g_autofree char *segments = g_build_filename(dir, "seg%04d.ts", NULL);
    bool ok = false;
    int rc;
    if ((rc = avformat_open_input(&in, input, NULL, NULL)) < 0) {
        av_fail(rc, input, error);
        goto done;
    }
    if ((rc = avformat_find_stream_info(in, NULL)) < 0 ||
        (rc = avformat_alloc_output_context2(&out, NULL, "hls", playlist)) < 0) {
        av_fail(rc, input, error);
        goto done;
    }
    for (unsigned i = 0; i < in->nb_streams; i++) {
        AVStream *o = avformat_new_stream(out, NULL);
        if (!o || avcodec_parameters_copy(o->codecpar, in->streams[i]->codecpar) < 0) {
            av_fail(AVERROR(ENOMEM), "catch-up streams", error);
            goto done;
        }
        o->codecpar->codec_tag = 0;
        o->time_base = in->streams[i]->time_base;
    }
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "hls_time", "6", 0);
    av_dict_set(&opts, "hls_playlist_type", "vod", 0);
    av_dict_set(&opts, "hls_segment_filename", segments, 0);
    rc = avformat_write_header(out, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        av_fail(rc, "catch-up playlist", error);
        goto done;
    }
    while ((rc = av_read_frame(in, pkt)) >= 0) {
        AVStream *is = in->streams[pkt->stream_index], *os = out->streams[pkt->stream_index];
        av_packet_rescale_ts(pkt, is->time_base, os->time_base);
        pkt->pos = -1;
        if ((rc = av_interleaved_write_frame(out, pkt)) < 0) {
            av_fail(rc, "catch-up segment", error);
            goto done;
        }
    }
    if ((rc = av_write_trailer(out)) < 0) {
        av_fail(rc, "catch-up playlist", error);
        goto done;
    }
    ok = true;
done:
    av_packet_free(&pkt);
    avformat_close_input(&in);
    if (out)
        avformat_free_context(out);
    return ok;
}

static void remove_tree(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
}

char *web_vod_prepare(SqWebServer *s, const char *asset_path, const char *sha256, GError **error)
{
    g_autofree char *dir = g_build_filename(s->cache_dir, sha256, NULL);
    g_autofree char *playlist = g_build_filename(dir, "index.m3u8", NULL);
    if (g_file_test(playlist, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer(&dir);
    if (g_mkdir_with_parents(s->cache_dir, 0755) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: cannot create", s->cache_dir);
        return NULL;
    }
    g_autofree char *tmp_template = g_build_filename(s->cache_dir, ".tmp-XXXXXX", NULL);
    char *tmp = g_mkdtemp(tmp_template);
    if (!tmp) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: cannot create a folder", s->cache_dir);
        return NULL;
    }
    if (!remux(asset_path, tmp, error)) {
        remove_tree(tmp);
        return NULL;
    }
    if (g_rename(tmp, dir) != 0) {
        /* Another request made it meanwhile: theirs is as good. */
        remove_tree(tmp);
        if (!g_file_test(playlist, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: cannot rename into place", dir);
            return NULL;
        }
    }
    return g_steal_pointer(&dir);
}
