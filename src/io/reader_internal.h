/* SPDX-License-Identifier: MIT */
/* The reader handle, shared by reader.c (open, decompression window) and
 * records.c (record splitting and field extraction). */
#ifndef MC_IO_READER_INTERNAL_H
#define MC_IO_READER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <xxhash.h>

#include <medcheck/reader.h>

#include "io/decomp.h"
#include "io/http.h"
#include "io/json_field.h"
#include "util/buf.h"

#define MC__READER_IN_SIZE ((size_t)1 << 20)  /* raw input buffer */
#define MC__READER_WIN_SIZE ((size_t)1 << 20) /* initial decompressed window */
#define MC__READER_DEFAULT_MAX_RECORD ((size_t)64 << 20)

enum { MC__MODE_UNKNOWN = 0, MC__MODE_JSONL, MC__MODE_TEXT, MC__MODE_WARC };

/* Positions named "absolute" are byte offsets in the decompressed stream;
 * win[0] is at absolute offset `base`. */
struct mc_reader {
    char *name; /* shard name for messages */
    int fd;
    bool own_fd;
    mc__http *http; /* an http(s) shard: bytes come from here, not fd */
    mc_logger logger;
    size_t max_record;
    char *text_field;
    char *id_field;
    mc__json_path text_path; /* points into text_field */
    mc__json_path id_path;

    const mc__decomp_vt *vt;
    void *dctx;
    uint8_t *in; /* raw input [in_pos, in_len) not yet decoded */
    size_t in_pos;
    size_t in_len;
    bool in_eof;
    uint64_t consumed; /* raw bytes handed to the decoder */

    char *win; /* decompressed bytes [0, win_len) */
    size_t win_len;
    size_t win_cap;
    size_t win_limit; /* win_cap never exceeds this */
    uint64_t base;
    uint64_t pos;  /* absolute start of the data not yet turned into records */
    uint64_t scan; /* absolute: [pos, scan) holds no record terminator */
    uint64_t blk_end; /* text mode: absolute end of the block's last line */
    bool in_block;    /* text mode: a block has begun at pos */
    bool eof;         /* the decoder has delivered everything */
    int mode;
    int fail_rc; /* sticky error of a broken stream */
    uint64_t next_index;

    mc_buf text;
    mc_buf id;
    mc_buf warc_id;    /* WARC mode: WARC-Record-ID of the record returned */
    bool warc_warned;  /* WARC mode: a non-document record type was reported */
    mc_reader_stats st;
    XXH64_state_t *xxh;
    char errmsg[512];
};

/* Decode more bytes onto the end of the window (the caller made room).
 * 1 when bytes were added, 0 at the clean end of the stream, or a negative
 * code with errmsg set (truncated or corrupt data, read error). */
int mc__reader_fill(mc_reader *r);

/* Count a skipped record and tell the logger why: "SHARD: KIND IDX at byte
 * offset OFF: WHY" (KIND "record", or "WARC record"). */
void mc__reader_skip_record(mc_reader *r, const char *kind, uint64_t idx, uint64_t off,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Drop consumed bytes and, if the window is still full, grow it up to
 * win_limit. 0, MC_ENOMEM, or MC_ELIMIT when it is at the limit. */
int mc__reader_make_room(mc_reader *r);

#endif /* MC_IO_READER_INTERNAL_H */
