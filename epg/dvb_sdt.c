/* The SDT actual (ETSI EN 300 468 §5.2.3) of one service: what a receiver
 * lists as the channel's name and provider. */
#include "epg_private.h"

#include <bitstream/common.h>
#include <bitstream/dvb/si.h>
#include <bitstream/mpeg/psi.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE_TYPE_HD_H264 0x19 /* advanced codec HD digital television */

GBytes *sq_epg_sdt_section(const SqEpgGuide *guide, const char *channel_id,
                           const SqEpgSiNetwork *net, uint8_t version, GError **error)
{
    const SqEpgChannel *ch = sq_epg_guide_channel(guide, channel_id);
    if (!ch) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_NOT_FOUND, "no channel '%s' for the SDT",
                    channel_id ? channel_id : "");
        return NULL;
    }
    if (ch->service_id == 0) {
        g_set_error(error, SQ_ERROR, SQ_ERROR_INVALID, "channel '%s' has no DVB service id",
                    ch->id);
        return NULL;
    }
    const char *provider = epg_empty(net->provider_name) ? "sabaq" : net->provider_name;
    uint8_t *sdt = psi_allocate();
    memset(sdt, 0, PSI_MAX_SIZE + PSI_HEADER_SIZE);
    sdt_init(sdt, true);
    psi_set_version(sdt, version & 0x1f);
    psi_set_current(sdt);
    psi_set_section(sdt, 0);
    psi_set_lastsection(sdt, 0);
    sdt_set_tsid(sdt, net->transport_stream_id);
    sdt_set_onid(sdt, net->original_network_id);
    sdt_set_length(sdt, PSI_MAX_SIZE); /* so that sdt_get_service can walk */

    uint8_t *service = sdt_get_service(sdt, 0);
    sdtn_init(service);
    sdtn_set_sid(service, ch->service_id);
    /* Both flags: receivers look for EIT only where the SDT says there is. */
    sdtn_set_eitschedule(service);
    sdtn_set_eitpresent(service);
    sdtn_set_running(service, 4);
    sdtn_set_desclength(service, 0);

    /* sdtn_get_descs points at the 12-bit loop length, not the loop. */
    uint8_t *descs = sdtn_get_descs(service);
    descs_set_length(descs, DESCS_MAX_SIZE);
    uint8_t *d = descs_get_desc(descs, 0);
    uint8_t prov[64], name[128];
    size_t prov_len = sq_dvb_text_encode(provider, sizeof prov, prov);
    size_t name_len = sq_dvb_text_encode(epg_channel_name(ch, ch->language), sizeof name, name);
    desc48_init(d);
    desc48_set_type(d, net->service_type ? net->service_type : SERVICE_TYPE_HD_H264);
    desc48_set_provider(d, prov, (uint8_t)prov_len);
    desc48_set_service(d, name, (uint8_t)name_len);
    desc48_set_length(d);

    d += DESC_HEADER_SIZE + desc_get_length(d);
    desc5d_init(d);
    desc_set_length(d, 255);
    const char *langs[2] = {"kk", "ru"};
    uint8_t k = 0;
    for (int i = 0; i < 2; i++) {
        const char *n = epg_channel_name(ch, langs[i]);
        uint8_t *entry = desc5d_get_data(d, k++);
        name_len = sq_dvb_text_encode(n, sizeof name, name);
        desc5dn_set_code(entry, (const uint8_t *)epg_dvb_language(langs[i]));
        desc5dn_set_provider_name(entry, prov, (uint8_t)prov_len);
        desc5dn_set_service_name(entry, name, (uint8_t)name_len);
    }
    uint8_t *past = desc5d_get_data(d, k);
    desc_set_length(d, (uint8_t)(past - d - DESC_HEADER_SIZE));
    d += DESC_HEADER_SIZE + desc_get_length(d);
    descs_set_length(descs, (uint16_t)(d - descs - DESCS_HEADER_SIZE));
    sdt_set_length(sdt, (uint16_t)(d - service));
    psi_set_crc(sdt);
    GBytes *bytes = epg_section_bytes(sdt);
    free(sdt);
    return bytes;
}
