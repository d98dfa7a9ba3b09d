#ifndef SALON_CEXPAT_SHIM_H
#define SALON_CEXPAT_SHIM_H
#include <expat.h>

/* Reparse deferral (expat >= 2.6) holds back small chunks until more bytes arrive, which
   stalls an XMPP stream waiting for its next stanza. Turn it off where it exists. */
static inline void salon_expat_disable_reparse_deferral(XML_Parser parser) {
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 6)
    XML_SetReparseDeferralEnabled(parser, XML_FALSE);
#else
    (void)parser;
#endif
}
#endif
