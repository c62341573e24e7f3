/* SPDX-License-Identifier: MIT */
/* Whole-file loader: reads a benchmark file, hashes the stored bytes with
 * SHA-256 (OpenSSL EVP) and inflates gzip (zlib) or zstd (libzstd). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <medcheck/common.h>

#include "bench/load.h"
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

/* Grow `out` for the next chunk of decompressed output. */
static int out_room(mc_buf *out, size_t *room)
{
    int rc = mc__buf_reserve(out, CHUNK);
    if (rc == MC_ELIMIT) {
        rc = mc__buf_reserve(out, out->max_len - out->len);
    }
    if (rc < 0) {
        return rc;
    }
    size_t n = out->cap - out->len - 1; /* keep room for the NUL */
    if (n > out->max_len - out->len) {
        n = out->max_len - out->len;
    }
    if (n == 0) {
        return MC_ELIMIT;
    }
    *room = n;
    return 0;
}

/* zstd: ZSTD_decompressStream over all frames (skippable ones included). */
static int unzstd(const unsigned char *in, size_t in_len, mc_buf *out, char *err,
                  size_t errlen)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx) {
        return MC_ENOMEM;
    }
    ZSTD_inBuffer ib = {in, in_len, 0};
    size_t last = 0;
    int rc = 0;
    while (ib.pos < ib.size) {
        size_t room = 0;
        rc = out_room(out, &room);
        if (rc < 0) {
            goto fail;
        }
        ZSTD_outBuffer ob = {out->data + out->len, room, 0};
        last = ZSTD_decompressStream(dctx, &ob, &ib);
        out->len += ob.pos;
        if (ZSTD_isError(last)) {
            snprintf(err, errlen, "zstd: %s at byte %zu", ZSTD_getErrorName(last), ib.pos);
            rc = ZSTD_getErrorCode(last) == ZSTD_error_memory_allocation ? MC_ENOMEM
                                                                         : MC_EFORMAT;
            goto fail;
        }
    }
    /* Flush what the decoder still holds of the last frame. */
    while (last != 0) {
        size_t room = 0;
        rc = out_room(out, &room);
        if (rc < 0) {
            goto fail;
        }
        ZSTD_outBuffer ob = {out->data + out->len, room, 0};
        last = ZSTD_decompressStream(dctx, &ob, &ib);
        out->len += ob.pos;
        if (ZSTD_isError(last) || ob.pos == 0) {
            snprintf(err, errlen, "zstd: truncated frame");
            rc = MC_EFORMAT;
            goto fail;
        }
    }
fail:
    ZSTD_freeDCtx(dctx);
    return rc;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return mc__reallocarray(NULL, items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    mc__free(p);
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return 0;
        }
    }
    return 1;
}

/* gzip: inflate with windowBits 15+32, member after member; trailing zero
 * padding is ignored (as gzip(1) does). */
static int ungzip(const unsigned char *in, size_t in_len, mc_buf *out, char *err,
                  size_t errlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {
        return MC_ENOMEM;
    }
    size_t pos = 0;
    int rc = 0;
    for (;;) {
        size_t room = 0;
        rc = out_room(out, &room);
        if (rc < 0) {
            goto fail;
        }
        size_t in_chunk = in_len - pos > (size_t)UINT32_MAX ? UINT32_MAX : in_len - pos;
        zs.next_in = (Bytef *)(in + pos);
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = (Bytef *)(out->data + out->len);
        zs.avail_out = room > UINT32_MAX ? UINT32_MAX : (uInt)room;
        uInt avail_out0 = zs.avail_out;
        int zr = inflate(&zs, Z_NO_FLUSH);
        out->len += avail_out0 - zs.avail_out;
        pos += in_chunk - zs.avail_in;
        if (zr == Z_STREAM_END) {
            if (pos == in_len || all_zero(in + pos, in_len - pos)) {
                break;
            }
            if (inflateReset(&zs) != Z_OK) {
                rc = MC_EFORMAT;
                goto fail;
            }
            continue;
        }
        if (zr == Z_MEM_ERROR) {
            rc = MC_ENOMEM;
            goto fail;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            snprintf(err, errlen, "gzip: %s at byte %zu", zs.msg ? zs.msg : "bad data", pos);
            rc = MC_EFORMAT;
            goto fail;
        }
        if (pos == in_len && zs.avail_out != 0) {
            snprintf(err, errlen, "gzip: truncated stream");
            rc = MC_EFORMAT;
            goto fail;
        }
    }
fail:
    inflateEnd(&zs);
    return rc;
}

int mc__bench_decompress(mc__bench_codec codec, const unsigned char *in, size_t in_len,
                         size_t max_len, char **out, size_t *out_len, char *err,
                         size_t errlen)
{
    mc_buf b;
    mc__buf_init(&b, max_len);
    int rc = mc__buf_reserve(&b, 0);
    if (rc < 0) {
        goto fail;
    }
    rc = codec == MC__CODEC_ZSTD ? unzstd(in, in_len, &b, err, errlen)
                                 : ungzip(in, in_len, &b, err, errlen);
    if (rc < 0) {
        goto fail;
    }
    b.data[b.len] = '\0';
    *out = b.data;
    *out_len = b.len;
    return 0;
fail:
    if (rc == MC_ELIMIT) {
        snprintf(err, errlen, "decompressed size exceeds %zu bytes", max_len);
    } else if (rc == MC_ENOMEM) {
        snprintf(err, errlen, "out of memory");
    }
    mc__buf_finish(&b);
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
    const unsigned char *p = (const unsigned char *)raw.data;
    if (raw.len >= 4 && p[0] == 0x28 && p[1] == 0xB5 && p[2] == 0x2F && p[3] == 0xFD) {
        out->codec = MC__CODEC_ZSTD;
    } else if (raw.len >= 2 && p[0] == 0x1F && p[1] == 0x8B) {
        out->codec = MC__CODEC_GZIP;
    }
    if (out->codec == MC__CODEC_NONE) {
        out->data = raw.data;
        out->len = raw.len;
        return 0;
    }
    char detail[256] = "";
    rc = mc__bench_decompress(out->codec, p, raw.len, max_len, &out->data, &out->len, detail,
                              sizeof(detail));
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
