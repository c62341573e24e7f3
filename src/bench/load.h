/* SPDX-License-Identifier: MIT */
/* Whole-file loading of benchmark files: plain, gzip or zstd (detected by
 * magic bytes), with the SHA-256 of the bytes as stored. */
#ifndef MC_BENCH_LOAD_H
#define MC_BENCH_LOAD_H

#include <stddef.h>

#include <medcheck/reader.h>

/* The values of mc_compression, which io/decomp.h reports. */
typedef enum mc__bench_codec {
    MC__CODEC_NONE = MC_COMP_NONE,
    MC__CODEC_GZIP = MC_COMP_GZIP,
    MC__CODEC_ZSTD = MC_COMP_ZSTD,
} mc__bench_codec;

typedef struct mc__bench_blob {
    char *data; /* content after decompression, NUL-terminated (mc__free) */
    size_t len;
    char sha256[65]; /* lowercase hex of the stored bytes */
    mc__bench_codec codec;
} mc__bench_blob;

/* Read `path` whole and decompress it if needed; neither the stored nor
 * the decompressed size may exceed max_len. Returns 0; MC_ENOENT, MC_EIO,
 * MC_EFORMAT (corrupt compressed data), MC_ELIMIT or MC_ENOMEM, with a
 * message naming the file in err. On failure *out is left empty. */
int mc__bench_load(const char *path, size_t max_len, mc__bench_blob *out, char *err,
                   size_t errlen);
/* Free the blob's data. NULL-safe on an empty blob. */
void mc__bench_blob_finish(mc__bench_blob *blob);

/* Decompress a whole buffer of the given codec (exposed for tests). Same
 * codes as above; data of another codec is MC_EFORMAT. */
int mc__bench_decompress(mc__bench_codec codec, const unsigned char *in, size_t in_len,
                         size_t max_len, char **out, size_t *out_len, char *err,
                         size_t errlen);

#endif /* MC_BENCH_LOAD_H */
