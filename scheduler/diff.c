/* What changed between two versions of a day: the shortest edit script
 * over their items (longest common subsequence; a day has hundreds of
 * items, so the quadratic table is small). */
#include "scheduler_private.h"

static bool same_item(const SqPlanItem *a, const SqPlanItem *b)
{
    return a->start_us == b->start_us && a->end_us == b->end_us && a->kind == b->kind &&
           a->asset_id == b->asset_id && a->is_hard == b->is_hard;
}

GArray *sq_plan_diff(const GArray *a, const GArray *b)
{
    guint n = a->len, m = b->len;
    /* lcs[i][j]: the common length of a[i..] and b[j..]. */
    guint32 *lcs = g_new0(guint32, (gsize)(n + 1) * (m + 1));
#define LCS(i, j) lcs[(gsize)(i) * (m + 1) + (j)]
    for (guint i = n; i-- > 0;)
        for (guint j = m; j-- > 0;)
            LCS(i, j) =
                same_item(&g_array_index(a, SqPlanItem, i), &g_array_index(b, SqPlanItem, j))
                    ? LCS(i + 1, j + 1) + 1
                    : MAX(LCS(i + 1, j), LCS(i, j + 1));
    GArray *ops = g_array_new(FALSE, FALSE, sizeof(SqPlanDiffOp));
    guint i = 0, j = 0;
    while (i < n || j < m) {
        SqPlanDiffOp op;
        if (i < n && j < m &&
            same_item(&g_array_index(a, SqPlanItem, i), &g_array_index(b, SqPlanItem, j))) {
            op = (SqPlanDiffOp){'=', &g_array_index(a, SqPlanItem, i)};
            i++;
            j++;
        } else if (j < m && (i == n || LCS(i, j + 1) >= LCS(i + 1, j))) {
            /* Removals first when both are as good: old before new. */
            if (i < n && LCS(i + 1, j) >= LCS(i, j + 1)) {
                op = (SqPlanDiffOp){'-', &g_array_index(a, SqPlanItem, i)};
                i++;
            } else {
                op = (SqPlanDiffOp){'+', &g_array_index(b, SqPlanItem, j)};
                j++;
            }
        } else {
            op = (SqPlanDiffOp){'-', &g_array_index(a, SqPlanItem, i)};
            i++;
        }
        g_array_append_val(ops, op);
    }
#undef LCS
    g_free(lcs);
    return ops;
}
