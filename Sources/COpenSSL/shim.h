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

// Swift cannot import function-like or composite macros: these wrappers expose the ones Salon uses.

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
static inline uint64_t salon_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline int salon_SSL_FILETYPE_PEM(void) { return SSL_FILETYPE_PEM; }
static inline int salon_MBSTRING_ASC(void) { return MBSTRING_ASC; }

#endif
