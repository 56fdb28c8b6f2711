/* Catch-up: an aired lesson as VOD HLS. The house-format MP4 is remuxed
 * (never re-encoded) into MPEG-TS segments of about 6 s cut on its IDR
 * frames (every 2 s in the house format) and a VOD playlist, once, into a
 * cache folder named by the asset's identity; made under a temporary name
 * and renamed, so a reader never sees half of it. hls.js and Safari play
 * it; the guide links to it. The remux of a 45-minute lesson reads and
 * writes a few hundred megabytes, so it runs in a worker thread while the
 * requests for it wait paused: the main loop goes on answering now/next
 * and the live HLS meanwhile, and requests for an asset already being made
 * wait for that one job. */
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

char *web_vod_prepare(const char *cache_dir, const char *asset_path, const char *sha256,
                      GError **error)
{
    g_autofree char *dir = g_build_filename(cache_dir, sha256, NULL);
    g_autofree char *playlist = g_build_filename(dir, "index.m3u8", NULL);
    if (g_file_test(playlist, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer(&dir);
    if (g_mkdir_with_parents(cache_dir, 0755) != 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: cannot create", cache_dir);
        return NULL;
    }
    g_autofree char *tmp_template = g_build_filename(cache_dir, ".tmp-XXXXXX", NULL);
    char *tmp = g_mkdtemp(tmp_template);
    if (!tmp) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_IO, "%s: cannot create a folder", cache_dir);
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

typedef struct {
    SoupServerMessage *msg;
    char *rel;
    gulong finished_id;
    bool is_finished; /* the client went away: leave the message alone */
} VodWaiter;

typedef struct {
    SqWebServer *server; /* NULL once the server is freed */
    char *sha256, *input;
    GPtrArray *waiters; /* VodWaiter* */
} VodJob;

static void waiter_finished(SoupServerMessage *msg, gpointer data)
{
    (void)msg;
    ((VodWaiter *)data)->is_finished = true;
}

static void waiter_free(gpointer data)
{
    VodWaiter *w = data;
    if (!w->is_finished)
        g_signal_handler_disconnect(w->msg, w->finished_id);
    g_object_unref(w->msg);
    g_free(w->rel);
    g_free(w);
}

static void job_free(VodJob *job)
{
    g_ptr_array_unref(job->waiters);
    g_free(job->sha256);
    g_free(job->input);
    g_free(job);
}

static void job_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    (void)source, (void)cancellable;
    const char *const *args = data; /* input, sha256, cache dir */
    GError *error = NULL;
    char *dir = web_vod_prepare(args[2], args[0], args[1], &error);
    if (dir)
        g_task_return_pointer(task, dir, g_free);
    else
        g_task_return_error(task, error);
}

static void job_done(GObject *source, GAsyncResult *result, gpointer data)
{
    (void)source;
    VodJob *job = data;
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_task_propagate_pointer(G_TASK(result), &error);
    SqWebServer *s = job->server;
    if (s)
        g_hash_table_remove(s->vod_jobs, job->sha256);
    if (!dir)
        g_warning("catch-up of %s: %s", job->input, error->message);
    for (guint i = 0; i < job->waiters->len; i++) {
        VodWaiter *w = job->waiters->pdata[i];
        if (w->is_finished)
            continue;
        if (!s) {
            web_send_error(w->msg, 503, "the server is stopping");
        } else if (dir) {
            web_serve_file(s, w->msg, dir, w->rel, "/vod");
        } else {
            web_count(s, "/vod", 500);
            web_send_error(w->msg, 500, "catch-up of this lesson is not available");
        }
        soup_server_message_unpause(w->msg);
    }
    job_free(job);
}

void web_vod_serve(SqWebServer *s, SoupServerMessage *msg, const char *asset_path,
                   const char *sha256, const char *rel)
{
    g_autofree char *dir = g_build_filename(s->cache_dir, sha256, NULL);
    g_autofree char *playlist = g_build_filename(dir, "index.m3u8", NULL);
    if (g_file_test(playlist, G_FILE_TEST_IS_REGULAR)) {
        web_serve_file(s, msg, dir, rel, "/vod");
        return;
    }
    if (!s->vod_jobs)
        s->vod_jobs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    VodJob *job = g_hash_table_lookup(s->vod_jobs, sha256);
    if (!job) {
        job = g_new0(VodJob, 1);
        job->server = s;
        job->sha256 = g_strdup(sha256);
        job->input = g_strdup(asset_path);
        job->waiters = g_ptr_array_new_with_free_func(waiter_free);
        g_hash_table_insert(s->vod_jobs, g_strdup(sha256), job);
        char **args = g_new0(char *, 4);
        args[0] = g_strdup(asset_path);
        args[1] = g_strdup(sha256);
        args[2] = g_strdup(s->cache_dir);
        g_autoptr(GTask) task = g_task_new(NULL, NULL, job_done, job);
        g_task_set_task_data(task, args, (GDestroyNotify)g_strfreev);
        g_task_run_in_thread(task, job_thread);
    }
    VodWaiter *w = g_new0(VodWaiter, 1);
    w->msg = g_object_ref(msg);
    w->rel = g_strdup(rel);
    w->finished_id = g_signal_connect(msg, "finished", G_CALLBACK(waiter_finished), w);
    g_ptr_array_add(job->waiters, w);
    soup_server_message_pause(msg);
}

void web_vod_detach(SqWebServer *s)
{
    if (!s->vod_jobs)
        return;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, s->vod_jobs);
    while (g_hash_table_iter_next(&it, NULL, &value))
        ((VodJob *)value)->server = NULL;
    g_clear_pointer(&s->vod_jobs, g_hash_table_unref);
}
