/* SPDX-License-Identifier: MIT */
/* Record splitting over the reader's window: JSONL lines (text and id pulled
 * out by json_field.c) or blank-line separated plain-text blocks. Oversized
 * records are dropped while streaming, never buffered whole. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <medcheck/reader.h>

#include "io/json_field.h"
#include "io/reader_internal.h"
#include "io/utf8.h"
#include "io/warc.h"
#include "util/log.h"

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') {
            return false;
        }
    }
    return true;
}

/* Make room in the window, then decode into it: 1 data, 0 end, < 0 error. */
static int more(mc_reader *r)
{
    if (r->eof) {
        return 0;
    }
    int rc = mc__reader_make_room(r);
    if (rc < 0) {
        return rc;
    }
    return mc__reader_fill(r);
}

void mc__reader_skip_record(mc_reader *r, const char *kind, uint64_t idx, uint64_t off,
                            const char *fmt, ...)
{
    char why[256];
    va_list ap;
    r->st.records_skipped++;
    if (!r->logger.fn) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    mc__log(&r->logger, MC_LOG_WARN, "%s: %s %llu at byte offset %llu: %s", r->name, kind,
            (unsigned long long)idx, (unsigned long long)off, why);
}

/* Drop the rest of an oversized record, from r->scan to its terminator: the
 * next newline (JSONL) or the next blank line (text; scan is at a line
 * start). Leaves pos and scan after it. Returns the record's end or < 0. */
static int64_t discard(mc_reader *r)
{
    bool blank = true; /* text mode: the current line is blank so far */
    for (;;) {
        char *p = r->win + (r->scan - r->base);
        char *e = r->win + r->win_len;
        while (p < e) {
            char *nl = memchr(p, '\n', (size_t)(e - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
            blank = blank && r->mode == MC__MODE_TEXT && is_blank(p, n);
            if (!nl) {
                break;
            }
            if (r->mode == MC__MODE_JSONL || blank) {
                uint64_t end = r->base + (uint64_t)(r->mode == MC__MODE_JSONL ? nl - r->win
                                                                                : p - r->win);
                r->pos = r->scan = r->base + (uint64_t)(nl + 1 - r->win);
                return (int64_t)end;
            }
            blank = true;
            p = nl + 1;
        }
        r->pos = r->scan = r->base + r->win_len;
        int rc = more(r);
        if (rc < 0) {
            return rc;
        }
        if (rc == 0) {
            return (int64_t)r->pos;
        }
    }
}

/* Skip an oversized record that starts at pos. 0 or < 0. */
static int skip_oversize(mc_reader *r)
{
    uint64_t idx = r->next_index++;
    uint64_t off = r->pos;
    int64_t end = discard(r);
    if (end < 0) {
        return (int)end;
    }
    mc__reader_skip_record(r, "record", idx, off, "record exceeds --max-record-bytes (%llu bytes > %zu)",
                (unsigned long long)((uint64_t)end - off), r->max_record);
    return 0;
}

static int give(mc_reader *r, mc_record *rec, uint64_t idx, uint64_t off)
{
    rec->index = idx;
    rec->offset = off;
    rec->text = r->text.data ? r->text.data : "";
    rec->text_len = r->text.len;
    r->st.records++;
    r->st.bytes_text += r->text.len;
    return 1;
}

/* One non-blank JSONL line: 1 returned in rec, 0 skipped, < 0 fatal. */
static int jsonl_record(mc_reader *r, const char *line, size_t n, uint64_t off,
                        mc_record *rec)
{
    uint64_t idx = r->next_index++;
    mc__json_error err = {NULL, 0};
    mc__json_query q[2] = {
        {&r->text_path, &r->text, MC__JSON_MISSING},
        {&r->id_path, &r->id, MC__JSON_MISSING},
    };
    if (n > r->max_record) {
        mc__reader_skip_record(r, "record", idx, off, "record exceeds --max-record-bytes (%zu bytes > %zu)", n,
                    r->max_record);
        return 0;
    }
    int rc = mc__json_extract(line, n, q, 2, &err);
    if (rc == MC_EFORMAT) {
        mc__reader_skip_record(r, "record", idx, off, "malformed JSON (%s at column %zu)", err.msg, err.offset + 1);
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    if (q[0].kind != MC__JSON_STRING) {
        mc__reader_skip_record(r, "record", idx, off, "no string field '%s'", r->text_field);
        return 0;
    }
    rec->id = NULL;
    rec->id_len = 0;
    if (q[1].kind == MC__JSON_STRING || q[1].kind == MC__JSON_NUMBER) {
        rec->id = r->id.data;
        rec->id_len = r->id.len;
    }
    return give(r, rec, idx, off);
}

static int read_jsonl(mc_reader *r, mc_record *rec)
{
    for (;;) {
        size_t start = (size_t)(r->pos - r->base);
        size_t off = (size_t)(r->scan - r->base);
        char *nl = memchr(r->win + off, '\n', r->win_len - off);
        size_t end = nl ? (size_t)(nl - r->win) : r->win_len;
        if (!nl && !r->eof) {
            r->scan = r->base + r->win_len;
            int rc = r->win_len - start > r->max_record + 1 ? skip_oversize(r) : more(r);
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        if (!nl && start == end) {
            return 0;
        }
        uint64_t line_off = r->pos;
        r->pos = r->scan = r->base + end + (nl ? 1 : 0);
        const char *line = r->win + start;
        size_t n = end - start;
        if (n && line[n - 1] == '\r') {
            n--;
        }
        if (is_blank(line, n)) {
            continue;
        }
        int rc = jsonl_record(r, line, n, line_off, rec);
        if (rc != 0) {
            return rc;
        }
    }
}

/* The block [pos, blk_end) is complete: 1 returned in rec, 0 skipped. */
static int text_record(mc_reader *r, mc_record *rec)
{
    uint64_t idx = r->next_index++;
    uint64_t off = r->pos;
    const char *p = r->win + (r->pos - r->base);
    size_t n = (size_t)(r->blk_end - r->pos);
    r->in_block = false;
    r->pos = r->scan;
    if (n && p[n - 1] == '\r') {
        n--;
    }
    if (n > r->max_record) {
        mc__reader_skip_record(r, "record", idx, off, "record exceeds --max-record-bytes (%zu bytes > %zu)", n,
                    r->max_record);
        return 0;
    }
    mc__buf_reset(&r->text);
    int rc = mc__utf8_sanitize(&r->text, p, n, MC__UTF8_NUL | MC__UTF8_CRLF);
    if (rc < 0) {
        return rc;
    }
    rec->id = NULL;
    rec->id_len = 0;
    return give(r, rec, idx, off);
}

static int read_text(mc_reader *r, mc_record *rec)
{
    for (;;) {
        size_t ls = (size_t)(r->scan - r->base);
        char *nl = memchr(r->win + ls, '\n', r->win_len - ls);
        if (!nl && !r->eof) {
            int rc;
            if (r->win_len - (size_t)(r->pos - r->base) > r->max_record + 1) {
                rc = skip_oversize(r);
                r->in_block = false;
            } else {
                rc = more(r);
            }
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        size_t le = nl ? (size_t)(nl - r->win) : r->win_len;
        r->scan = r->base + le + (nl ? 1 : 0);
        if (!is_blank(r->win + ls, le - ls)) {
            r->in_block = true;
            r->blk_end = r->base + le;
            if (nl) {
                continue;
            }
        } else if (!r->in_block) {
            r->pos = r->scan;
            if (nl) {
                continue;
            }
        }
        if (!r->in_block) {
            return 0; /* end of stream */
        }
        int rc = text_record(r, rec);
        if (rc != 0) {
            return rc;
        }
    }
}

/* Decide JSONL or text from the first non-whitespace byte. A UTF-8 byte
 * order mark at offset 0 is skipped (the first record starts after it). */
static int detect_mode(mc_reader *r)
{
    int warc = mc__warc_detect(r); /* "WARC/1.x" at offset 0: WARC records */
    if (warc != 0) {
        return warc < 0 ? warc : 0;
    }
    for (;;) {
        if (r->base == 0 && r->pos == 0 && r->win_len >= 3 &&
            memcmp(r->win, "\xEF\xBB\xBF", 3) == 0) {
            r->pos = r->scan = 3;
        }
        if (r->eof || r->win_len >= 3 || r->base > 0) {
            for (size_t i = (size_t)(r->pos - r->base); i < r->win_len; i++) {
                char c = r->win[i];
                if (c == '\n') {
                    r->pos = r->scan = r->base + i + 1; /* a blank line */
                } else if (!is_blank(&c, 1)) {
                    r->mode = c == '{' ? MC__MODE_JSONL : MC__MODE_TEXT;
                    return 0;
                }
            }
        }
        if (r->eof || r->win_len - (size_t)(r->pos - r->base) > r->max_record + 1) {
            r->mode = MC__MODE_TEXT;
            return 0;
        }
        int rc = more(r);
        if (rc < 0) {
            return rc;
        }
    }
}

int mc_reader_read(mc_reader *r, mc_record *rec)
{
    int rc = 0;
    if (!r || !rec) {
        return MC_EINVAL;
    }
    if (r->fail_rc) {
        return r->fail_rc;
    }
    rec->warc_record_id = NULL;
    rec->warc_record_id_len = 0;
    if (r->mode == MC__MODE_UNKNOWN) {
        rc = detect_mode(r);
    }
    if (rc == 0) {
        rc = r->mode == MC__MODE_JSONL  ? read_jsonl(r, rec)
             : r->mode == MC__MODE_WARC ? mc__warc_read(r, rec)
                                        : read_text(r, rec);
    }
    if (rc < 0) {
        r->fail_rc = rc;
        if (!r->errmsg[0]) {
            snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", r->name, mc_strerror(rc));
        }
    }
    return rc;
}
