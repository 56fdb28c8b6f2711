/* The M3U playlist IPTV players (Kodi's IPTV Simple, VLC, Tivimate) open:
 * one #EXTINF per channel whose tvg-id is the XMLTV channel id, so players
 * match the guide to the stream. Attribute values are always quoted and
 * never hold a comma, a double quote or " - " (VLC splits on them). */
#include "epg_private.h"

#include <string.h>

/* value made safe for an M3U attribute or the title after the comma. */
static void append_clean(GString *s, const char *value)
{
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '"')
            g_string_append_c(s, '\'');
        else if (*p == ',')
            g_string_append_c(s, ' ');
        else if (*p == '\r' || *p == '\n')
            g_string_append_c(s, ' ');
        else if (g_str_has_prefix(p, " - ")) {
            g_string_append(s, " – ");
            p += 2;
        } else
            g_string_append_c(s, *p);
    }
}

static void append_attr(GString *s, const char *name, const char *value)
{
    if (epg_empty(value))
        return;
    g_string_append_printf(s, " %s=\"", name);
    append_clean(s, value);
    g_string_append_c(s, '"');
}

char *sq_epg_m3u_write(const SqEpgGuide *guide, const char *base_url, GError **error)
{
    return sq_epg_m3u_write_catchup(guide, base_url, 0, error);
}

char *sq_epg_m3u_write_catchup(const SqEpgGuide *guide, const char *base_url, int catchup_days,
                               GError **error)
{
    if (!base_url ||
        !(g_str_has_prefix(base_url, "http://") || g_str_has_prefix(base_url, "https://")) ||
        strpbrk(base_url, "\" ,\r\n")) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID,
                    "base URL '%s' is not an http:// or https:// URL", base_url ? base_url : "");
        return NULL;
    }
    g_autofree char *base = g_strdup(base_url);
    while (g_str_has_suffix(base, "/") && strlen(base) > strlen("https://"))
        base[strlen(base) - 1] = '\0';

    size_t n = 0;
    const SqEpgChannel *const *chans = sq_epg_guide_channels(guide, &n);
    if (n == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no channel in the catalog");
        return NULL;
    }
    g_autofree char *epg_url = g_strdup_printf("%s/epg.xml", base);
    GString *s = g_string_new("#EXTM3U");
    append_attr(s, "x-tvg-url", epg_url);
    append_attr(s, "url-tvg", epg_url);
    g_string_append_c(s, '\n');
    for (size_t i = 0; i < n; i++) {
        const SqEpgChannel *ch = chans[i];
        g_autofree char *id = sq_epg_channel_xmltv_id(ch);
        g_autofree char *chno = g_strdup_printf("%u", ch->service_id);
        const char *name = epg_channel_name(ch, ch->language);
        g_string_append(s, "#EXTINF:-1");
        append_attr(s, "tvg-id", id);
        append_attr(s, "tvg-name", name);
        append_attr(s, "tvg-logo", ch->icon);
        append_attr(s, "tvg-chno", chno);
        append_attr(s, "tvg-language", g_strcmp0(ch->language, "ru") == 0 ? "Russian" : "Kazakh");
        append_attr(s, "group-title", "sabaq");
        if (catchup_days > 0) {
            /* On every entry (Kodi ignores a header-only source); {utc} is
             * the programme's start in Unix seconds, the server resolves
             * it to the lesson airing then or just after. */
            g_autofree char *days = g_strdup_printf("%d", catchup_days);
            g_autofree char *source =
                g_strdup_printf("%s/catchup/%s/index.m3u8?utc={utc}", base, ch->id);
            append_attr(s, "catchup", "default");
            append_attr(s, "catchup-days", days);
            append_attr(s, "catchup-source", source);
        }
        g_string_append_c(s, ',');
        append_clean(s, name);
        g_string_append_printf(s, "\n%s/%s/index.m3u8\n", base, ch->hls_path);
    }
    return g_string_free(s, false);
}
