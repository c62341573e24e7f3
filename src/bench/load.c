/* SPDX-License-Identifier: MIT */
/* Whole-file loader: reads a benchmark file, hashes the stored bytes with
 * SHA-256 (OpenSSL EVP) and decompresses gzip or zstd through the io/decomp.h
 * registry. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include <medcheck/common.h>

#include "bench/load.h"
#include "io/decomp.h"
#include "util/alloc.h"
#include "util/buf.h"

#define CHUNK ((size_t)64 * 1024)

static int read_all(const char *path, size_t max_len, mc_buf *raw, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOENT ? MC_ENOENT : MC_EIO;
    }
    int rc = 0;
    for (;;) {
        rc = mc__buf_reserve(raw, CHUNK);
        if (rc == MC_ELIMIT && raw->len == max_len) {
            /* Full: one more byte means the file is too large. */
            rc = fgetc(f) == EOF ? 0 : MC_ELIMIT;
            break;
        }
        size_t want = CHUNK;
        if (rc == MC_ELIMIT) {
            want = max_len - raw->len;
            rc = mc__buf_reserve(raw, want);
        }
        if (rc < 0) {
            break;
        }
        size_t n = fread(raw->data + raw->len, 1, want, f);
        raw->len += n;
        raw->data[raw->len] = '\0';
        if (n < want) {
            rc = ferror(f) ? MC_EIO : 0;
            break;
        }
    }
    if (rc == MC_EIO) {
        snprintf(err, errlen, "%s: read error", path);
    } else if (rc == MC_ELIMIT) {
        snprintf(err, errlen, "%s: larger than %zu bytes", path, max_len);
    } else if (rc == MC_ENOMEM) {
        snprintf(err, errlen, "%s: out of memory", path);
    }
    fclose(f);
    return rc;
}

static int sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    int ok = mdctx && EVP_DigestInit_ex(mdctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(mdctx, p, n) == 1 &&
             EVP_DigestFinal_ex(mdctx, md, &md_len) == 1 && md_len == 32;
    EVP_MD_CTX_free(mdctx);
    if (!ok) {
        return MC_ENOMEM;
    }
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

/* Decompress (or copy) `in` into a new NUL-terminated string. */
static int decompress(const unsigned char *in, size_t in_len, size_t max_len, char **out,
                      size_t *out_len, mc_compression *comp, char *err, size_t errlen)
{
    mc_buf b;
    mc__buf_init(&b, max_len);
    int rc = mc__decomp_whole(in, in_len, max_len, &b, comp, err, errlen);
    if (rc < 0) {
        goto fail;
    }
    *out = b.data;
    *out_len = b.len;
    return 0;
fail:
    mc__buf_finish(&b);
    return rc;
}

int mc__bench_decompress(mc__bench_codec codec, const unsigned char *in, size_t in_len,
                         size_t max_len, char **out, size_t *out_len, char *err,
                         size_t errlen)
{
    mc_compression comp = MC_COMP_NONE;
    int rc = decompress(in, in_len, max_len, out, out_len, &comp, err, errlen);
    if (rc == 0 && comp != (mc_compression)codec) {
        snprintf(err, errlen, "not %s data", codec == MC__CODEC_ZSTD ? "zstd" : "gzip");
        mc__free(*out);
        *out = NULL;
        *out_len = 0;
        rc = MC_EFORMAT;
    }
    return rc;
}

int mc__bench_load(const char *path, size_t max_len, mc__bench_blob *out, char *err,
                   size_t errlen)
{
    mc_buf raw;
    mc__buf_init(&raw, max_len);
    memset(out, 0, sizeof(*out));
    int rc = read_all(path, max_len, &raw, err, errlen);
    if (rc < 0) {
        goto fail;
    }
    rc = mc__buf_reserve(&raw, 0); /* an empty file still gets a buffer */
    if (rc < 0) {
        goto fail;
    }
    rc = sha256_hex(raw.data, raw.len, out->sha256);
    if (rc < 0) {
        snprintf(err, errlen, "%s: SHA-256 failed", path);
        goto fail;
    }
    const uint8_t *p = (const uint8_t *)raw.data;
    mc_compression comp = mc__decomp_probe(p, raw.len)->comp;
    out->codec = (mc__bench_codec)comp;
    if (comp == MC_COMP_NONE) {
        out->data = raw.data; /* no copy */
        out->len = raw.len;
        return 0;
    }
    char detail[256] = "";
    rc = decompress(p, raw.len, max_len, &out->data, &out->len, &comp, detail, sizeof(detail));
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, detail);
        goto fail;
    }
    mc__buf_finish(&raw);
    return 0;
fail:
    mc__buf_finish(&raw);
    out->data = NULL;
    out->len = 0;
    return rc;
}

void mc__bench_blob_finish(mc__bench_blob *blob)
{
    mc__free(blob->data);
    blob->data = NULL;
    blob->len = 0;
}
