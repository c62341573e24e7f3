/* SPDX-License-Identifier: MIT */
/* Streaming shard reader: open and probe the compression (registry in
 * decomp.h), keep a window of decompressed bytes, split it into records
 * (JSONL lines or blank-line separated text blocks) and extract their text. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include <medcheck/reader.h>

#include "io/decomp.h"
#include "io/json_field.h"
#include "io/reader_internal.h"
#include "io/utf8.h"
#include "util/alloc.h"
#include "util/log.h"

void mc_reader_opts_default(mc_reader_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->size = sizeof(*opts);
    opts->text_field = "text";
    opts->id_field = "id";
    opts->max_record_bytes = MC__READER_DEFAULT_MAX_RECORD;
}

/* Read more raw input into r->in. 0, or MC_EIO. Sets in_eof at the end. */
static int read_input(mc_reader *r)
{
    if (r->in_pos == r->in_len) {
        r->in_pos = 0;
        r->in_len = 0;
    }
    if (r->http) {
        size_t got = 0;
        int rc = mc__http_read(r->http, r->in + r->in_len, MC__READER_IN_SIZE - r->in_len, &got);
        if (rc < 0) {
            snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", r->name,
                     mc__http_errmsg(r->http));
            return rc;
        }
        r->in_len += got;
        r->st.bytes_in += got;
        r->in_eof = got == 0;
        return 0;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->in + r->in_len, MC__READER_IN_SIZE - r->in_len);
        if (n > 0) {
            r->in_len += (size_t)n;
            r->st.bytes_in += (uint64_t)n;
            return 0;
        }
        if (n == 0) {
            r->in_eof = true;
            return 0;
        }
        if (errno != EINTR) {
            char e[128] = "";
            strerror_r(errno, e, sizeof(e));
            snprintf(r->errmsg, sizeof(r->errmsg), "%s: read error at byte offset %llu: %s",
                     r->name, (unsigned long long)r->st.bytes_in, e);
            return MC_EIO;
        }
    }
}

static int open_fd(mc_reader *r, const char *path)
{
    struct stat sb;
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
        r->own_fd = false;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            return errno == ENOENT ? MC_ENOENT : MC_EIO;
        }
        r->own_fd = true;
    }
    if (fstat(r->fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
        return MC_EIO;
    }
    return 0;
}

/* Read the first bytes and choose the decoder from the magic bytes. */
static int probe(mc_reader *r)
{
    while (r->in_len < 4 && !r->in_eof) {
        int rc = read_input(r);
        if (rc < 0) {
            return rc;
        }
    }
    r->vt = mc__decomp_probe(r->in, r->in_len);
    return r->vt->create(&r->dctx);
}

static int init_fields(mc_reader *r, const mc_reader_opts *o)
{
    r->text_field = mc__strdup(o->text_field ? o->text_field : "text");
    r->id_field = mc__strdup(o->id_field ? o->id_field : "id");
    if (!r->text_field || !r->id_field) {
        return MC_ENOMEM;
    }
    if (mc__json_path_init(&r->text_path, r->text_field) < 0 ||
        mc__json_path_init(&r->id_path, r->id_field) < 0) {
        return MC_EINVAL;
    }
    return 0;
}

int mc_reader_open(mc_reader **out, const char *path, const mc_reader_opts *opts)
{
    mc_reader_opts o;
    mc_reader *r = NULL;
    int rc = MC_ENOMEM;
    if (!out || !path) {
        return MC_EINVAL;
    }
    mc_reader_opts_default(&o);
    if (opts) {
        size_t n = opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o);
        memcpy(&o, opts, n);
    }
    if (o.max_record_bytes == 0 || o.max_record_bytes > SIZE_MAX / 4) {
        return MC_EINVAL;
    }
    r = mc__calloc(1, sizeof(*r));
    if (!r) {
        return MC_ENOMEM;
    }
    r->fd = -1;
    r->logger = o.logger;
    r->max_record = o.max_record_bytes;
    r->win_limit = r->max_record + 2 > MC__READER_WIN_SIZE ? r->max_record + 2
                                                           : MC__READER_WIN_SIZE;
    /* Decoded text is at most 3 bytes per input byte (U+FFFD for one). */
    mc__buf_init(&r->text, 3 * r->max_record + 16);
    mc__buf_init(&r->id, 3 * r->max_record + 16);
    r->name = mc__strdup(path);
    r->in = mc__malloc(MC__READER_IN_SIZE);
    r->win_cap = MC__READER_WIN_SIZE;
    r->win = mc__malloc(r->win_cap);
    r->xxh = XXH64_createState();
    if (!r->name || !r->in || !r->win || !r->xxh) {
        goto fail;
    }
    XXH64_reset(r->xxh, 0);
    rc = init_fields(r, &o);
    if (rc < 0) {
        goto fail;
    }
    if (mc_http_is_url(path)) {
        /* probed at the first read, so that network errors come with a message */
        rc = mc__http_open(&r->http, path, o.http, o.interrupt);
    } else {
        rc = open_fd(r, path);
        if (rc == 0) {
            rc = probe(r);
        }
    }
    if (rc < 0) {
        goto fail;
    }
    *out = r;
    return 0;
fail:
    mc_reader_close(&r);
    return rc;
}

void mc_reader_close(mc_reader **rp)
{
    if (!rp || !*rp) {
        return;
    }
    mc_reader *r = *rp;
    if (r->vt) {
        r->vt->destroy(r->dctx);
    }
    if (r->own_fd && r->fd >= 0) {
        close(r->fd);
    }
    mc__http_close(&r->http);
    if (r->xxh) {
        XXH64_freeState(r->xxh);
    }
    mc__buf_finish(&r->text);
    mc__buf_finish(&r->id);
    mc__buf_finish(&r->warc_id);
    mc__free(r->win);
    mc__free(r->in);
    mc__free(r->name);
    mc__free(r->text_field);
    mc__free(r->id_field);
    mc__free(r);
    *rp = NULL;
}

/* Translate a decoder failure into the shard's error message. */
static int decode_error(mc_reader *r, int rc, const char *why)
{
    const char *what = rc == MC_ELIMIT ? "over-limit" : "corrupt";
    snprintf(r->errmsg, sizeof(r->errmsg),
             "%s: %s %s data at byte offset %llu (compressed; %llu decompressed): %s",
             r->name, what, r->vt->name, (unsigned long long)r->consumed,
             (unsigned long long)r->st.bytes_decompressed, why);
    return rc;
}

int mc__reader_fill(mc_reader *r)
{
    char why[160] = "";
    if (!r->vt) {
        int rc = probe(r);
        if (rc < 0) {
            return rc;
        }
    }
    for (;;) {
        if (r->in_pos == r->in_len && !r->in_eof) {
            int rc = read_input(r);
            if (rc < 0) {
                return rc;
            }
        }
        mc__dstream s = {r->in, r->in_len, r->in_pos, (uint8_t *)r->win + r->win_len,
                         r->win_cap - r->win_len, 0};
        int rc = r->vt->decode(r->dctx, &s, why, sizeof(why));
        r->consumed += s.in_pos - r->in_pos;
        bool progress = s.in_pos != r->in_pos || s.out_pos > 0;
        r->in_pos = s.in_pos;
        if (s.out_pos > 0) {
            XXH64_update(r->xxh, r->win + r->win_len, s.out_pos);
            r->st.bytes_decompressed += s.out_pos;
            r->win_len += s.out_pos;
        }
        if (rc < 0) {
            return decode_error(r, rc, why);
        }
        if (s.out_pos > 0) {
            return 1;
        }
        if (r->in_pos == r->in_len && r->in_eof) {
            if (!r->vt->at_boundary(r->dctx)) {
                snprintf(r->errmsg, sizeof(r->errmsg),
                         "%s: truncated %s %s at byte offset %llu (compressed; %llu "
                         "decompressed)",
                         r->name, r->vt->name, r->vt->unit, (unsigned long long)r->consumed,
                         (unsigned long long)r->st.bytes_decompressed);
                return MC_EFORMAT;
            }
            r->eof = true;
            return 0;
        }
        if (!progress && r->in_pos < r->in_len) {
            return decode_error(r, MC_EFORMAT, "decoder made no progress");
        }
    }
}

int mc__reader_make_room(mc_reader *r)
{
    size_t done = (size_t)(r->pos - r->base);
    if (done > 0 && (done == r->win_len || r->win_cap - r->win_len < r->win_cap / 4)) {
        memmove(r->win, r->win + done, r->win_len - done);
        r->win_len -= done;
        r->base = r->pos;
    }
    if (r->win_len < r->win_cap) {
        return 0;
    }
    if (r->win_cap >= r->win_limit) {
        return MC_ELIMIT; /* callers switch to discarding before this */
    }
    size_t ncap = r->win_cap > r->win_limit / 2 ? r->win_limit : r->win_cap * 2;
    char *p = mc__realloc(r->win, ncap);
    if (!p) {
        return MC_ENOMEM;
    }
    r->win = p;
    r->win_cap = ncap;
    return 0;
}

void mc_reader_get_stats(const mc_reader *r, mc_reader_stats *st)
{
    if (!r || !st) {
        return;
    }
    *st = r->st;
    st->xxh64 = XXH64_digest(r->xxh);
}

mc_compression mc_reader_compression(const mc_reader *r)
{
    return r && r->vt ? r->vt->comp : MC_COMP_NONE;
}

const char *mc_reader_errmsg(const mc_reader *r)
{
    return r ? r->errmsg : "";
}
