#ifndef SALON_COPENSSL_TICKET_KEYS_H
#define SALON_COPENSSL_TICKET_KEYS_H
#include <openssl/ssl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <string.h>
#include <time.h>

/* TLS session ticket keys that rotate (RFC 8446 §4.6.1, RFC 5077 §5.5): new tickets are sealed
   with the current key; the previous one still opens tickets (which are then renewed), so a
   ticket lives at most one rotation period and no key lives longer than two. Shared by every
   event loop, hence the lock; rotation happens lazily, in the first callback after it is due. */
typedef struct salon_ticket_keys {
    CRYPTO_RWLOCK *lock;
    long rotation_seconds;
    time_t rotated_at;
    int have_previous;
    unsigned char name[2][16];   /* [0] current, [1] previous */
    unsigned char aes[2][32];
    unsigned char hmac[2][32];
} salon_ticket_keys;

/* Moves the current key to previous and draws a new one; call with the write lock held. */
static inline int salon_ticket_keys_rotate_locked(salon_ticket_keys *keys, time_t now) {
    unsigned char name[16], aes[32], hmac[32];
    if (RAND_bytes(name, sizeof name) != 1 || RAND_priv_bytes(aes, sizeof aes) != 1
        || RAND_priv_bytes(hmac, sizeof hmac) != 1) return 0;
    memcpy(keys->name[1], keys->name[0], 16);
    memcpy(keys->aes[1], keys->aes[0], 32);
    memcpy(keys->hmac[1], keys->hmac[0], 32);
    memcpy(keys->name[0], name, 16);
    memcpy(keys->aes[0], aes, 32);
    memcpy(keys->hmac[0], hmac, 32);
    OPENSSL_cleanse(aes, sizeof aes);
    OPENSSL_cleanse(hmac, sizeof hmac);
    keys->have_previous = keys->rotated_at != 0;
    keys->rotated_at = now;
    return 1;
}

static inline salon_ticket_keys *salon_ticket_keys_new(long rotation_seconds) {
    salon_ticket_keys *keys = OPENSSL_secure_zalloc(sizeof *keys);
    if (keys == NULL) keys = OPENSSL_zalloc(sizeof *keys);
    if (keys == NULL) return NULL;
    keys->lock = CRYPTO_THREAD_lock_new();
    keys->rotation_seconds = rotation_seconds > 0 ? rotation_seconds : 1;
    if (keys->lock == NULL || !salon_ticket_keys_rotate_locked(keys, time(NULL))) {
        CRYPTO_THREAD_lock_free(keys->lock);
        OPENSSL_clear_free(keys, sizeof *keys);
        return NULL;
    }
    return keys;
}

static inline void salon_ticket_keys_free(salon_ticket_keys *keys) {
    if (keys == NULL) return;
    CRYPTO_THREAD_lock_free(keys->lock);
    if (CRYPTO_secure_allocated(keys)) OPENSSL_secure_clear_free(keys, sizeof *keys);
    else OPENSSL_clear_free(keys, sizeof *keys);
}

/* Rotates now, whatever the clock says (tests, and an operator's forced rotation). */
static inline int salon_ticket_keys_rotate(salon_ticket_keys *keys) {
    if (!CRYPTO_THREAD_write_lock(keys->lock)) return 0;
    int ok = salon_ticket_keys_rotate_locked(keys, time(NULL));
    CRYPTO_THREAD_unlock(keys->lock);
    return ok;
}

static inline int salon_ticket_mac_init(EVP_MAC_CTX *mac, unsigned char *key) {
    OSSL_PARAM params[3] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key, 32),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(mac, params) == 1;
}

/* SSL_CTX_set_tlsext_ticket_key_evp_cb's callback; the keys are the SSL_CTX's app data.
   Returns 1 (sealed, or opened with the current key), 2 (opened with the previous key: issue a
   fresh ticket), 0 (unknown key: full handshake) or -1 (failure). */
static inline int salon_ticket_key_callback(SSL *ssl, unsigned char key_name[16], unsigned char iv[EVP_MAX_IV_LENGTH],
                                            EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int encrypt) {
    salon_ticket_keys *keys = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (keys == NULL) return encrypt ? -1 : 0;
    unsigned char aes[32], hmac[32];
    int result;
    time_t now = time(NULL);
    if (encrypt) {
        if (!CRYPTO_THREAD_read_lock(keys->lock)) return -1;
        int due = now - keys->rotated_at >= keys->rotation_seconds || now < keys->rotated_at;
        CRYPTO_THREAD_unlock(keys->lock);
        if (due) {
            if (!CRYPTO_THREAD_write_lock(keys->lock)) return -1;
            if (now - keys->rotated_at >= keys->rotation_seconds || now < keys->rotated_at) {
                salon_ticket_keys_rotate_locked(keys, now);
            }
            CRYPTO_THREAD_unlock(keys->lock);
        }
        if (!CRYPTO_THREAD_read_lock(keys->lock)) return -1;
        memcpy(key_name, keys->name[0], 16);
        memcpy(aes, keys->aes[0], 32);
        memcpy(hmac, keys->hmac[0], 32);
        CRYPTO_THREAD_unlock(keys->lock);
        result = RAND_bytes(iv, 16) == 1
            && EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, aes, iv) == 1
            && salon_ticket_mac_init(mac, hmac) ? 1 : -1;
    } else {
        if (!CRYPTO_THREAD_read_lock(keys->lock)) return -1;
        int found = -1;
        /* The previous key only while it is within its second period. */
        if (memcmp(key_name, keys->name[0], 16) == 0) found = 0;
        else if (keys->have_previous && memcmp(key_name, keys->name[1], 16) == 0
                 && now - keys->rotated_at < keys->rotation_seconds) found = 1;
        if (found >= 0) {
            memcpy(aes, keys->aes[found], 32);
            memcpy(hmac, keys->hmac[found], 32);
        }
        CRYPTO_THREAD_unlock(keys->lock);
        if (found < 0) return 0;
        result = salon_ticket_mac_init(mac, hmac)
            && EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, aes, iv) == 1 ? (found == 0 ? 1 : 2) : -1;
    }
    OPENSSL_cleanse(aes, sizeof aes);
    OPENSSL_cleanse(hmac, sizeof hmac);
    return result;
}

/* Seals and opens the context's tickets with `keys` (which must outlive it); NULL removes them. */
static inline int salon_SSL_CTX_use_ticket_keys(SSL_CTX *ctx, salon_ticket_keys *keys) {
    if (SSL_CTX_set_app_data(ctx, keys) != 1) return 0;
    return (int)SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, keys != NULL ? salon_ticket_key_callback : NULL);
}

static inline uint64_t salon_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline long salon_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}
static inline long salon_SSL_SESS_CACHE_OFF(void) { return SSL_SESS_CACHE_OFF; }

#endif
