#ifndef SALON_COPENSSL_SHIM_H
#define SALON_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/crypto.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include "ticket_keys.h"

// Swift cannot import function-like or composite macros: these wrappers expose the ones Salon uses.

/* An HMAC context with its digest chosen and no key, to be copied for each use: OpenSSL 3's
   HMAC() looks the MAC and the digest up by name on every call. NULL on failure. */
static inline EVP_MAC_CTX *salon_hmac_template(const char *digest) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac); /* the context keeps its own reference */
    if (context == NULL) return NULL;
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(context, params) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

/* HMAC of data under key with a copy of template; 1 on success. The template is only read. */
static inline int salon_hmac(const EVP_MAC_CTX *template_context, const unsigned char *key, size_t key_length,
                             const unsigned char *data, size_t data_length,
                             unsigned char *out, size_t out_size, size_t *out_length) {
    static const unsigned char no_key = 0;
    EVP_MAC_CTX *context = EVP_MAC_CTX_dup(template_context);
    if (context == NULL) return 0;
    int ok = EVP_MAC_init(context, key != NULL ? key : &no_key, key_length, NULL) == 1
        && EVP_MAC_update(context, data != NULL ? data : &no_key, data_length) == 1
        && EVP_MAC_final(context, out, out_length, out_size) == 1;
    EVP_MAC_CTX_free(context);
    return ok;
}

typedef int (*salon_servername_callback)(SSL *ssl, int *alert, void *arg);

static inline int salon_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int salon_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

static inline long salon_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline int salon_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int salon_SSL_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, salon_servername_callback callback) {
    return (int)SSL_CTX_set_tlsext_servername_callback(ctx, callback);
}

static inline int salon_SSL_CTX_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg) {
    return (int)SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}

static inline int salon_BIO_pending(BIO *bio) {
    return BIO_pending(bio);
}

static inline long salon_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline int salon_BIO_set_mem_eof_return(BIO *bio, int value) {
    return (int)BIO_set_mem_eof_return(bio, value);
}

static inline uint64_t salon_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t salon_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t salon_SSL_OP_PRIORITIZE_CHACHA(void) { return SSL_OP_PRIORITIZE_CHACHA; }
static inline uint64_t salon_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline int salon_SSL_FILETYPE_PEM(void) { return SSL_FILETYPE_PEM; }
static inline int salon_MBSTRING_ASC(void) { return MBSTRING_ASC; }

#endif
