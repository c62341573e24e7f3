/* SPDX-License-Identifier: MIT */
/* Corpus shards: a streaming reader that detects compression from magic
 * bytes (zstd, gzip, xz, bzip2, none), splits the stream into records (JSONL
 * lines, WARC records or blank-line separated plain text) and extracts each
 * record's text and id. */
#ifndef MC_READER_H
#define MC_READER_H

#include <medcheck/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Options of http:// and https:// shards. Fill with mc_http_opts_default().
 * A shard is streamed into the decompressor as it arrives, never stored
 * whole. A request that fails in a way worth retrying (connection refused
 * or dropped, timeout, HTTP 408, 429 or 5xx) is retried after a wait of
 * backoff_ms, doubled at each further failure (at most 60 s); an attempt
 * that delivered new bytes resets the count. After a drop the transfer
 * resumes with a Range request at the first byte not yet delivered; the
 * reply must be a 206 whose Content-Range starts there, or else the
 * shard is requested whole again and the bytes already delivered are
 * skipped, so no byte is lost or repeated. Every reply must agree on the
 * total length (Content-Length of a 200, the total of a Content-Range),
 * on the ETag and on Last-Modified, and the bytes received must add up to
 * that length. Only http and https are used, also on redirects, which are
 * followed by medcheck itself (at most max_redirects); a redirect from
 * https to http is refused, and the extra headers are sent only to the
 * scheme, host and port of the shard's own URL. TLS peers and host names
 * are always verified. */
typedef struct mc_http_opts {
    size_t size;                 /* sizeof(mc_http_opts), for growth */
    const char *ca_file;         /* PEM file of trusted CAs; NULL: the system's */
    const char *const *headers;  /* extra request headers, "Name: value" each
                                  * (mc_http_header_check() must accept them) */
    size_t n_headers;
    uint32_t connect_timeout_s;  /* connection set-up (TCP and TLS); default 30 */
    uint32_t low_speed_time_s;   /* give up on a request that receives fewer than
                                  * low_speed_bytes a second for this long; 60 */
    uint32_t low_speed_bytes;    /* default 1 */
    uint32_t retries;            /* retries after the first attempt; default 5 */
    uint32_t backoff_ms;         /* wait before the first retry; default 1000 */
    uint32_t max_redirects;      /* default 10 */
    uint8_t reserved[32];
} mc_http_opts;

/* Fill *opts with the defaults above. */
MC_API void mc_http_opts_default(mc_http_opts *opts);

/* Whether this build reads http:// and https:// shards (it was built with
 * libcurl): 1 or 0. */
MC_API int mc_http_supported(void);

/* Whether `path` names an http(s) shard: it starts with "http://" or
 * "https://" (any case). 1 or 0. */
MC_API int mc_http_is_url(const char *path);

/* Check one extra request header: "Name: value", the name an HTTP token,
 * no CR, LF or other control bytes, and not one of the headers medcheck
 * sets itself (Host, Range, If-Range, Accept-Encoding, TE, Connection,
 * Content-Length, Transfer-Encoding). Returns 0, or MC_EINVAL with a
 * static reason in *why (if why is not NULL). The reason never quotes
 * the value, which may hold a secret. */
MC_API int mc_http_header_check(const char *line, const char **why);

/* Options for opening a shard. Fill with mc_reader_opts_default(). */
typedef struct mc_reader_opts {
    size_t size;              /* sizeof(mc_reader_opts), for growth */
    const char *text_field;   /* dotted path of the text in a JSONL record; default "text" */
    const char *id_field;     /* dotted path of the id; default "id" */
    size_t max_record_bytes;  /* records longer than this are skipped; default 64 MiB */
    mc_logger logger;         /* warnings about skipped records */
    const mc_http_opts *http; /* http(s) shards; NULL: mc_http_opts_default() */
    const volatile int *interrupt; /* if set and nonzero, a read waiting on the
                                    * network returns MC_EINTR */
    uint8_t reserved[32];
} mc_reader_opts;

MC_API void mc_reader_opts_default(mc_reader_opts *opts);

/* Container compression, detected from the first bytes of the stream. */
typedef enum mc_compression {
    MC_COMP_NONE = 0,
    MC_COMP_ZSTD,
    MC_COMP_GZIP,
    MC_COMP_XZ,   /* one or more xz streams */
    MC_COMP_BZ2,  /* one or more bzip2 streams */
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
    /* WARC records (WET): the WARC-Record-ID as written (angle brackets
     * included), or NULL; NULL for JSONL and plain-text records. */
    const char *warc_record_id;
    size_t warc_record_id_len;
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

/* Open a shard: a file path, "-" for standard input, or an http:// or
 * https:// URL (mc_http_is_url()). A URL is not contacted before the first
 * mc_reader_read(), so network and HTTP errors come from that call, with
 * the URL, the HTTP status or curl's error and the byte offset in
 * mc_reader_errmsg(). The strings of opts (and opts->http) are copied.
 * Returns 0 and sets *out; MC_ENOENT, MC_EIO, MC_ENOMEM, MC_EINVAL (also
 * for a header that mc_http_header_check() refuses), MC_EUNSUPPORTED (a
 * URL in a build without libcurl). On failure nothing is allocated and
 * *out is untouched. */
MC_API int mc_reader_open(mc_reader **out, const char *path, const mc_reader_opts *opts);

/* Read the next record.
 * Returns 1 and fills *rec; 0 at the clean end of the stream; a negative
 * code when the stream is broken (MC_EFORMAT for truncated or corrupt
 * compression, MC_EIO for a read error, MC_ENET when an http(s) transfer
 * failed after its retries, MC_EINTR when opts->interrupt was raised while
 * waiting on the network): the shard is then unusable and
 * mc_reader_errmsg() names the shard and the byte offset. Bad records
 * (malformed JSON, missing or non-string text, over max_record_bytes) are
 * skipped, counted in records_skipped and reported to the logger with the
 * shard, record number and byte offset; they are never returned.
 * Also MC_ELIMIT (a zstd frame asks for a window over 128 MiB) and
 * MC_ENOMEM. Errors are sticky: later calls return the same code.
 * Details: the first non-whitespace byte of the stream picks JSONL ('{')
 * or plain text; a leading UTF-8 BOM is skipped; in JSONL the first of
 * duplicate keys wins; NUL bytes (and \u0000) become U+FFFD so text is a
 * C string; plain-text blocks have CRLF turned into LF.
 * WARC (Common Crawl WET): a decompressed stream that starts with
 * "WARC/1.0" or "WARC/1.1" is read as WARC records. Each `conversion`
 * record is one document: text is its block (exactly Content-Length bytes,
 * CRLF turned into LF), id its WARC-Target-URI, warc_record_id its
 * WARC-Record-ID, offset the decompressed offset of the block's first
 * byte (after the header), and index the 0-based position of the record
 * among all WARC records of the file (the warcinfo record is 0). Other
 * record types are passed over (one logger note per shard for types other
 * than warcinfo). A bad WARC record (no WARC/1.x line, a header over
 * 64 KiB or without Content-Length or WARC-Type, a block whose length
 * does not match the data, a block cut by the end of the stream, a
 * conversion block over max_record_bytes) is skipped and reported with
 * the offset of its "WARC/1.x" line; reading resumes at the next line that
 * starts with "WARC/1.0" or "WARC/1.1". */
MC_API int mc_reader_read(mc_reader *r, mc_record *rec);

/* Counters so far (the xxh64 is of the whole stream once read returned 0). */
MC_API void mc_reader_get_stats(const mc_reader *r, mc_reader_stats *st);

/* Compression detected (valid after open; for a URL, after the first
 * mc_reader_read()). */
MC_API mc_compression mc_reader_compression(const mc_reader *r);

/* Detail of the last error; never NULL ("" when none). */
MC_API const char *mc_reader_errmsg(const mc_reader *r);

/* Close the shard and free the reader; sets *r to NULL. NULL-safe. */
MC_API void mc_reader_close(mc_reader **r);

/* A descriptor of a well-known public corpus: how its shards are stored
 * and which fields to read. The descriptors are compiled into the library
 * from corpora/descriptors/<name>.json at build time, so they need no
 * files at run time; each names the documentation its facts come from.
 * All strings are static and live as long as the program. */
typedef struct mc_corpus_desc {
    const char *name;            /* "dolma", as given to --corpus */
    const char *title;           /* "Dolma" */
    const char *container;       /* "jsonl", "parquet" or "warc" */
    const char *compression;     /* as published ("zstd", "gzip", ...) */
    const char *text_field;      /* text field (mc_reader_opts.text_field), or
                                  * NULL when the container has none (WARC) */
    const char *id_field;        /* field used as document id, or NULL: none */
    const char *evidence_fields; /* metadata worth keeping with evidence,
                                  * ", "-separated (URL, crawl date, ...) */
    const char *shard_list;      /* how the list of shards is published */
    const char *source;          /* the corpus's own documentation (URL) */
    const char *sources;         /* every source: "URL (facts it gives)", "; "-separated */
    const char *notes;           /* or NULL */
    int readable;                /* 1 when this version reads the shards as
                                  * published (0: Parquet) */
} mc_corpus_desc;

/* Number of compiled-in descriptors. */
MC_API size_t mc_corpus_count(void);

/* Descriptor i (0 <= i < mc_corpus_count(), sorted by name), or NULL when i
 * is out of range. */
MC_API const mc_corpus_desc *mc_corpus_get(size_t i);

/* The descriptor named `name` (exact match), or NULL. */
MC_API const mc_corpus_desc *mc_corpus_find(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* MC_READER_H */
