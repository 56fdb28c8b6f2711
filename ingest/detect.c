/* Black and silence: per-frame verdicts, runs of them, and the findings
 * QC records on an asset without refusing it. */
#include "ingest_private.h"

#include <math.h>
#include <string.h>

void run_detector_init(SqRunDetector *d, int64_t min_length)
{
    d->runs = g_array_new(FALSE, FALSE, sizeof(SqRun));
    d->min_length = min_length;
    d->position = 0;
    d->run_start = -1;
}

void run_detector_clear(SqRunDetector *d)
{
    if (d->runs)
        g_array_free(d->runs, TRUE);
    d->runs = NULL;
}

static void close_run(SqRunDetector *d)
{
    if (d->run_start < 0)
        return;
    SqRun run = {d->run_start, d->position - d->run_start};
    if (run.length >= d->min_length)
        g_array_append_val(d->runs, run);
    d->run_start = -1;
}

void run_detector_feed(SqRunDetector *d, bool active)
{
    if (active && d->run_start < 0)
        d->run_start = d->position;
    else if (!active)
        close_run(d);
    d->position++;
}

void run_detector_finish(SqRunDetector *d)
{
    close_run(d);
}

bool luma_is_black(const uint8_t *luma, int linesize, int width, int height)
{
    /* Limited-range black is 16; 32 leaves room for noise. A 1-in-4 grid
     * of samples is plenty to tell a black frame. */
    enum { THRESHOLD = 32, STEP = 4 };
    int64_t total = 0, dark = 0;
    for (int y = 0; y < height; y += STEP) {
        const uint8_t *row = luma + (ptrdiff_t)y * linesize;
        for (int x = 0; x < width; x += STEP) {
            total++;
            dark += row[x] <= THRESHOLD;
        }
    }
    return total > 0 && dark * 100 >= total * 98;
}

bool audio_is_silent(const float *const *planes, int channels, int samples)
{
    const float threshold = 0.001f; /* -60 dBFS */
    for (int c = 0; c < channels; c++)
        for (int i = 0; i < samples; i++)
            if (fabsf(planes[c][i]) >= threshold)
                return false;
    return true;
}

SqFinding *finding_new(const char *code, int64_t start_frames, int64_t length_frames,
                       const char *message)
{
    SqFinding *f = g_new0(SqFinding, 1);
    f->code = g_strdup(code);
    f->start_frames = start_frames;
    f->length_frames = length_frames;
    f->message = g_strdup(message);
    return f;
}

void finding_free(SqFinding *finding)
{
    if (!finding)
        return;
    g_free(finding->code);
    g_free(finding->message);
    g_free(finding);
}

void findings_add_runs(GPtrArray *findings, const char *what, const GArray *runs,
                       int64_t total_frames, int64_t edge_min, int64_t inside_min)
{
    for (guint i = 0; i < runs->len; i++) {
        const SqRun *run = &g_array_index(runs, SqRun, i);
        bool at_start = run->start == 0;
        bool at_end = run->start + run->length >= total_frames;
        const char *where;
        if (at_start && run->length > edge_min)
            where = "start";
        else if (at_end && !at_start && run->length > edge_min)
            where = "end";
        else if (!at_start && !at_end && inside_min > 0 && run->length > inside_min)
            where = "inside";
        else
            continue;
        g_autofree char *code = g_strdup_printf("%s_%s", what, where);
        g_autofree char *at = sq_format_timecode(run->start);
        double seconds = (double)run->length / SQ_FPS;
        g_autofree char *message =
            strcmp(where, "inside") == 0
                ? g_strdup_printf("%.2f s of %s inside, from %s", seconds, what, at)
                : g_strdup_printf("%.2f s of %s at the %s", seconds, what, where);
        g_ptr_array_add(findings, finding_new(code, run->start, run->length, message));
    }
}
