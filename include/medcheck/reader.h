/* SPDX-License-Identifier: MIT */
/* Corpus shards: a streaming reader that detects compression from magic
 * bytes (zstd, gzip, none), splits the stream into records (JSONL lines or
 * blank-line separated plain text) and extracts each record's text and id. */
#ifndef MC_READER_H
#define MC_READER_H

#include <medcheck/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Options for opening a shard. Fill with mc_reader_opts_default(). */
typedef struct mc_reader_opts {
    size_t size;              /* sizeof(mc_reader_opts), for growth */
    const char *text_field;   /* dotted path of the text in a JSONL record; default "text" */
    const char *id_field;     /* dotted path of the id; default "id" */
    size_t max_record_bytes;  /* records longer than this are skipped; default 64 MiB */
    mc_logger logger;         /* warnings about skipped records */
    uint8_t reserved[32];
} mc_reader_opts;

MC_API void mc_reader_opts_default(mc_reader_opts *opts);

/* Container compression, detected from the first bytes of the stream. */
typedef enum mc_compression {
    MC_COMP_NONE = 0,
    MC_COMP_ZSTD,
    MC_COMP_GZIP,
} mc_compression;

/* One record. Borrowed: valid until the next mc_reader_read() or
 * mc_reader_close() on the same reader. `text` is UTF-8 (invalid bytes
 * replaced with U+FFFD), NUL-terminated. */
typedef struct mc_record {
    uint64_t index;  /* 0-based record number in the shard (skipped records count) */
    uint64_t offset; /* byte offset of the record start in the decompressed stream */
    const char *text;
    size_t text_len;
    const char *id;  /* record id as text (a JSON number is given as written), or NULL */
    size_t id_len;
} mc_record;

/* Counters of a shard, updated as it is read. */
typedef struct mc_reader_stats {
    uint64_t records;          /* records returned */
    uint64_t records_skipped;  /* bad records skipped */
    uint64_t bytes_in;         /* bytes read from the file or stream */
    uint64_t bytes_decompressed;
    uint64_t bytes_text;       /* bytes of extracted text returned */
    uint64_t xxh64;            /* XXH64 (seed 0) of the decompressed stream so far */
} mc_reader_stats;

/* A streaming shard reader (opaque). */
typedef struct mc_reader mc_reader;

/* Open a shard: a file path, or "-" for standard input.
 * Returns 0 and sets *out; MC_ENOENT, MC_EIO, MC_ENOMEM, MC_EINVAL. On
 * failure nothing is allocated and *out is untouched. */
MC_API int mc_reader_open(mc_reader **out, const char *path, const mc_reader_opts *opts);

/* Read the next record.
 * Returns 1 and fills *rec; 0 at the clean end of the stream; a negative
 * code when the stream is broken (MC_EFORMAT for truncated or corrupt
 * compression, MC_EIO for a read error): the shard is then unusable and
 * mc_reader_errmsg() names the shard and the byte offset. Bad records
 * (malformed JSON, missing or non-string text, over max_record_bytes) are
 * skipped, counted in records_skipped and reported to the logger with the
 * shard, record number and byte offset; they are never returned.
 * Also MC_ELIMIT (a zstd frame asks for a window over 128 MiB) and
 * MC_ENOMEM. Errors are sticky: later calls return the same code.
 * Details: the first non-whitespace byte of the stream picks JSONL ('{')
 * or plain text; a leading UTF-8 BOM is skipped; in JSONL the first of
 * duplicate keys wins; NUL bytes (and \u0000) become U+FFFD so text is a
 * C string; plain-text blocks have CRLF turned into LF. */
MC_API int mc_reader_read(mc_reader *r, mc_record *rec);

/* Counters so far (the xxh64 is of the whole stream once read returned 0). */
MC_API void mc_reader_get_stats(const mc_reader *r, mc_reader_stats *st);

/* Compression detected (valid after open). */
MC_API mc_compression mc_reader_compression(const mc_reader *r);

/* Detail of the last error; never NULL ("" when none). */
MC_API const char *mc_reader_errmsg(const mc_reader *r);

/* Close the shard and free the reader; sets *r to NULL. NULL-safe. */
MC_API void mc_reader_close(mc_reader **r);

#ifdef __cplusplus
}
#endif

#endif /* MC_READER_H */
