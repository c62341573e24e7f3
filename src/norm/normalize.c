/* SPDX-License-Identifier: MIT */
/* The medcheck and gpt3 normalisers: text to word tokens (see
 * include/medcheck/normalize.h for the rules). */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include <medcheck/normalize.h>

#include "fp/hash.h"
#include "norm/ascii_block.h"
#include "norm/tokens.h"
#include "util/alloc.h"
#include "util/bits.h"

/* NFKD + case fold + strip combining marks + drop default-ignorables
 * (soft hyphen, zero-width joiner, ...). */
#define NORM_UTF8PROC_OPTS                                                   \
    (UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | \
     UTF8PROC_IGNORE)

void mc__tokvec_init(mc_tokvec *tv)
{
    memset(tv, 0, sizeof(*tv));
}

void mc__tokvec_finish(mc_tokvec *tv)
{
    mc__free(tv->tok);
    mc__free(tv->norm);
    mc__free(tv->cache);
    memset(tv, 0, sizeof(*tv));
}

/* The normalised bytes always have WORD_SLACK initialised bytes after the
 * last word, which mc__hash_word_padded() may read. */
#define WORD_SLACK 16

static int grow_norm_slow(mc_tokvec *tv, size_t extra)
{
    if (tv->norm_len + extra + WORD_SLACK > UINT32_MAX) {
        return MC_ELIMIT; /* token offsets are 32-bit */
    }
    size_t old = tv->norm_cap;
    int rc = mc__array_reserve((void **)&tv->norm, &tv->norm_cap,
                               tv->norm_len + extra + WORD_SLACK, 1, 4096);
    if (rc == 0 && tv->norm_cap > old) {
        memset(tv->norm + old, 0, tv->norm_cap - old);
    }
    return rc;
}

static inline int grow_norm(mc_tokvec *tv, size_t extra)
{
    return tv->norm_len + extra + WORD_SLACK <= tv->norm_cap ? 0 : grow_norm_slow(tv, extra);
}

static int grow_tok_slow(mc_tokvec *tv)
{
    return mc__array_reserve((void **)&tv->tok, &tv->cap, tv->n + 1, sizeof(mc_token), 1024);
}

static inline int push_token(mc_tokvec *tv, uint32_t start, uint32_t end, uint32_t noff)
{
    if (tv->n == tv->cap && grow_tok_slow(tv) < 0) {
        return MC_ENOMEM;
    }
    mc_token *t = &tv->tok[tv->n++];
    t->start = start;
    t->end = end;
    t->noff = noff;
    t->nlen = (uint32_t)(tv->norm_len - noff);
    t->hash = mc__hash_word_padded(tv->norm + noff, t->nlen);
    return 0;
}


static int is_word_cat(utf8proc_category_t c)
{
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

static int is_cjk(utf8proc_int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x3134F);
}

/* State of the medcheck tokenizer while it walks the text. */
typedef struct tokstate {
    mc_tokvec *tv;
    int in_word;
    uint32_t start; /* source offset of the open word */
    uint32_t end;   /* source offset just past its last character */
    uint32_t noff;
} tokstate;

static inline int close_word(tokstate *s)
{
    if (!s->in_word) {
        return 0;
    }
    s->in_word = 0;
    return push_token(s->tv, s->start, s->end, s->noff);
}

static inline void open_word(tokstate *s, uint32_t at)
{
    if (!s->in_word) {
        s->in_word = 1;
        s->start = at;
        s->noff = (uint32_t)s->tv->norm_len;
    }
}

/* What a code point becomes under the medcheck rule. */
enum { CP_SEP = 0, CP_WORD = 1, CP_CJK = 2, CP_MIXED = 3, CP_IGNORE = 4 };

/* A direct-mapped cache of utf8proc's answer per code point: non-ASCII
 * text repeats few code points, and utf8proc is slow per call. 16384
 * entries of 16 bytes (256 KiB a token vector): the Hangul syllables
 * (U+AC00..U+D7A3) and most of a CJK text's ideographs then stay cached.
 * An entry is copied whole, so its bytes come first. */
#define CPCACHE_SIZE 16384
#define CPCACHE_BYTES 10
typedef struct mc_cpentry {
    char bytes[CPCACHE_BYTES]; /* normalised form (CP_WORD, CP_CJK), zero padded */
    uint8_t kind;              /* CP_* */
    uint8_t len;               /* bytes used in `bytes` */
    int32_t cp;                /* -1: empty */
} mc_cpentry;
typedef struct mc_cpcache {
    mc_cpentry e[CPCACHE_SIZE];
} mc_cpcache;

static int cp_classify(utf8proc_int32_t cp, char *bytes, uint8_t *len)
{
    utf8proc_int32_t dst[32];
    int last_bc = 0;
    utf8proc_ssize_t m = utf8proc_decompose_char(cp, dst, 32, NORM_UTF8PROC_OPTS, &last_bc);
    int words = 0, seps = 0;
    size_t n = 0;
    memset(bytes, 0, CPCACHE_BYTES);
    for (utf8proc_ssize_t k = 0; m > 0 && m <= 32 && k < m; k++) {
        if (is_word_cat(utf8proc_category(dst[k]))) {
            words++;
            if (n + (size_t)(dst[k] < 0x80 ? 1 : dst[k] < 0x800 ? 2 : dst[k] < 0x10000 ? 3 : 4) <=
                CPCACHE_BYTES) {
                n += (size_t)utf8proc_encode_char(dst[k], (utf8proc_uint8_t *)bytes + n);
            } else {
                seps++; /* too long to cache: take the slow path */
            }
        } else {
            seps++;
        }
    }
    *len = (uint8_t)n;
    if (m == 0) {
        /* A combining mark or a default-ignorable: no effect, except in
         * the CJK ranges (U+3099, U+309A), which end words as feed_cp()
         * does. */
        return is_cjk(cp) ? CP_SEP : CP_IGNORE;
    }
    if (words == 0) {
        return CP_SEP;
    }
    if (seps) {
        return CP_MIXED;
    }
    return is_cjk(cp) ? CP_CJK : CP_WORD;
}

/* Feed one code point found at source bytes [at, next), slowly. */
static int feed_cp(tokstate *s, utf8proc_int32_t cp, uint32_t at, uint32_t next)
{
    utf8proc_int32_t dst[32];
    int last_bc = 0;
    utf8proc_ssize_t m = utf8proc_decompose_char(cp, dst, 32, NORM_UTF8PROC_OPTS, &last_bc);
    if (m < 0 || m > 32) {
        return close_word(s); /* cannot happen with valid code points */
    }
    int cjk = is_cjk(cp);
    int rc = 0;
    if (cjk) {
        rc = close_word(s);
    }
    for (utf8proc_ssize_t k = 0; k < m && rc == 0; k++) {
        if (!is_word_cat(utf8proc_category(dst[k]))) {
            rc = close_word(s);
            continue;
        }
        rc = grow_norm(s->tv, 4);
        if (rc < 0) {
            break;
        }
        open_word(s, at);
        s->tv->norm_len += (size_t)utf8proc_encode_char(
            dst[k], (utf8proc_uint8_t *)s->tv->norm + s->tv->norm_len);
        s->end = next;
    }
    if (rc == 0 && cjk) {
        rc = close_word(s);
    }
    return rc;
}

static mc_cpcache *cache_make(mc_tokvec *tv)
{
    mc_cpcache *c = tv->cache = mc__malloc(sizeof(*c));
    if (c) {
        for (size_t k = 0; k < CPCACHE_SIZE; k++) {
            c->e[k].cp = -1;
        }
    }
    return c;
}

/* Feed a code point through the cache (same result as feed_cp). */
static int feed_cached(tokstate *s, utf8proc_int32_t cp, uint32_t at, uint32_t next)
{
    mc_cpcache *c = s->tv->cache;
    if (!c && !(c = cache_make(s->tv))) {
        return MC_ENOMEM;
    }
    mc_cpentry *e = &c->e[(size_t)cp & (CPCACHE_SIZE - 1)];
    if (e->cp != cp) {
        e->cp = cp;
        e->kind = (uint8_t)cp_classify(cp, e->bytes, &e->len);
    }
    switch (e->kind) {
    case CP_SEP:
        return close_word(s);
    case CP_IGNORE:
        return 0;
    case CP_MIXED:
        return feed_cp(s, cp, at, next);
    default:
        break;
    }
    int cjk = e->kind == CP_CJK;
    int rc = cjk ? close_word(s) : 0;
    if (rc == 0) {
        rc = grow_norm(s->tv, sizeof(*e)); /* the whole entry is copied */
    }
    if (rc < 0) {
        return rc;
    }
    open_word(s, at);
    memcpy(s->tv->norm + s->tv->norm_len, e, sizeof(*e));
    s->tv->norm_len += e->len;
    s->end = next;
    return cjk ? close_word(s) : 0;
}

/* The common case of feed_cached(), inline: a cached letter that continues
 * or opens a word. Returns 0 when done, 1 when feed_cached() must do it. */
static inline int feed_letter(tokstate *s, utf8proc_int32_t cp, uint32_t at, uint32_t next)
{
    mc_cpcache *c = s->tv->cache;
    if (!c) {
        return 1;
    }
    const mc_cpentry *e = &c->e[(size_t)cp & (CPCACHE_SIZE - 1)];
    if (e->cp != cp || e->kind != CP_WORD || grow_norm(s->tv, sizeof(*e)) < 0) {
        return 1;
    }
    open_word(s, at);
    memcpy(s->tv->norm + s->tv->norm_len, e, sizeof(*e));
    s->tv->norm_len += e->len;
    s->end = next;
    return 0;
}

/* Decode the UTF-8 sequence at p (avail >= 1 bytes) into *cp; returns its
 * length, or <= 0 if it is invalid. Two- and three-byte sequences are
 * decoded here; the rest, and every invalid form, go to utf8proc, so the
 * result is always utf8proc_iterate's. */
static inline utf8proc_ssize_t decode_utf8(const unsigned char *p, size_t avail,
                                           utf8proc_int32_t *cp)
{
    unsigned c = p[0];
    if (c >= 0xC2 && c < 0xE0 && avail >= 2 && (p[1] & 0xC0) == 0x80) {
        *cp = (utf8proc_int32_t)((c & 0x1F) << 6 | (p[1] & 0x3F));
        return 2;
    }
    if (c >= 0xE0 && c < 0xF0 && avail >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        utf8proc_int32_t v = (utf8proc_int32_t)((c & 0x0F) << 12 | (p[1] & 0x3F) << 6 |
                                                (p[2] & 0x3F));
        if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
            *cp = v;
            return 3;
        }
    }
    return utf8proc_iterate(p, (utf8proc_ssize_t)avail, cp);
}

/* ASCII letters and digits to their lower-case form; 0 for the rest. */
static const unsigned char ascii_word[256] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f',
    ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l',
    ['m'] = 'm', ['n'] = 'n', ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r',
    ['s'] = 's', ['t'] = 't', ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x',
    ['y'] = 'y', ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f',
    ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l',
    ['M'] = 'm', ['N'] = 'n', ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r',
    ['S'] = 's', ['T'] = 't', ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x',
    ['Y'] = 'y', ['Z'] = 'z',
};

/* A run of ASCII letters and digits starting at p[i]: lower-cased into the
 * open word in one go. Returns the index after the run. */
static size_t ascii_run(tokstate *s, const unsigned char *p, size_t i, size_t len, int *rc)
{
    size_t j = i;
    while (j < len && ascii_word[p[j]]) {
        j++;
    }
    *rc = grow_norm(s->tv, j - i);
    if (*rc == 0 && !s->in_word && (j == len || p[j] < 0x80)) {
        /* the common case: a whole ASCII word, emitted at once */
        mc_tokvec *tv = s->tv;
        uint32_t noff = (uint32_t)tv->norm_len;
        char *dst = tv->norm + noff;
        for (size_t k = i; k < j; k++) {
            *dst++ = (char)ascii_word[p[k]];
        }
        tv->norm_len += j - i;
        *rc = push_token(tv, (uint32_t)i, (uint32_t)j, noff);
        return j;
    }
    if (*rc < 0) {
        return j;
    }
    open_word(s, (uint32_t)i);
    char *dst = s->tv->norm + s->tv->norm_len;
    for (size_t k = i; k < j; k++) {
        *dst++ = (char)ascii_word[p[k]];
    }
    s->tv->norm_len += j - i;
    s->end = (uint32_t)j;
    return j;
}

/* Emit the ASCII word p[i, i+n) (letters and digits only). */
static inline int emit_ascii(mc_tokvec *tv, const unsigned char *p, size_t i, size_t n,
                             size_t len)
{
    int rc = grow_norm(tv, n + 16);
    if (rc < 0) {
        return rc;
    }
    uint32_t noff = (uint32_t)tv->norm_len;
    char *dst = tv->norm + noff;
    if (MC_HAVE_LOWER16 && n <= 16 && i + 16 <= len) {
        mc__ascii_lower16(dst, p + i); /* letters |0x20, digits unchanged */
    } else {
        for (size_t k = 0; k < n; k++) {
            dst[k] = (char)ascii_word[p[i + k]];
        }
    }
    tv->norm_len += n;
    return push_token(tv, (uint32_t)i, (uint32_t)(i + n), noff);
}

/* A run p[i, j) of ASCII letters and digits and non-ASCII bytes, between
 * ASCII separators: tokenised code point by code point (non-ASCII ones
 * through the cache), exactly as the scalar loop would. */
static int mixed_run(mc_tokvec *tv, const unsigned char *p, size_t i, size_t j)
{
    tokstate s = {.tv = tv};
    int rc = 0;
    while (rc == 0 && i < j) {
        if (p[i] < 0x80) {
            size_t k = i;
            while (k < j && p[k] < 0x80) {
                k++;
            }
            rc = grow_norm(tv, k - i);
            if (rc < 0) {
                break;
            }
            open_word(&s, (uint32_t)i);
            for (; i < k; i++) {
                tv->norm[tv->norm_len++] = (char)ascii_word[p[i]];
            }
            s.end = (uint32_t)k;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = decode_utf8(p + i, j - i, &cp);
        if (n <= 0) {
            cp = 0xFFFD; /* invalid UTF-8: one byte, a separator */
            n = 1;
        }
        uint32_t at = (uint32_t)i;
        i += (size_t)n;
        if (feed_letter(&s, cp, at, (uint32_t)i)) {
            rc = feed_cached(&s, cp, at, (uint32_t)i);
        }
    }
    return rc == 0 ? close_word(&s) : rc;
}

/* Take the words of the 64 bytes at p[i]. Non-ASCII bytes may belong to
 * words, so runs of letters, digits and non-ASCII bytes are taken between
 * ASCII separators: pure ASCII ones at once, the others through
 * mixed_run(). A run that reaches the block's end is left for the next
 * block (its end is not known, and a UTF-8 sequence may be cut). Returns
 * where the caller goes on: i itself when one run fills the block (the
 * caller then takes a scalar step). */
static size_t ascii_block(mc_tokvec *tv, const unsigned char *p, size_t i, size_t len, int *rc)
{
    uint64_t word, high;
    mc__ascii_classify64(p + i, &word, &high);
    uint64_t run = word | high;
    uint64_t starts = run & ~(run << 1);
    while (starts) {
        unsigned k = mc__ctz64(starts);
        uint64_t rest = ~(run >> k);
        unsigned n = rest ? mc__ctz64(rest) : 64 - k;
        if (k + n >= 64) {
            return i + k;
        }
        uint64_t mask = ((UINT64_C(1) << n) - 1) << k;
        *rc = (high & mask) ? mixed_run(tv, p, i + k, i + k + n) : emit_ascii(tv, p, i + k, n, len);
        if (*rc < 0) {
            return i;
        }
        starts &= starts - 1;
    }
    return i + 64;
}

static int tokenize_medcheck(const char *text, size_t len, mc_tokvec *tv, int fast)
{
    tokstate s = {.tv = tv};
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    size_t simd_from = 0; /* after a block that gave nothing, wait a little */
    int rc = grow_norm(tv, len + 16);
    while (rc == 0 && i < len) {
        if (fast && !s.in_word && i >= simd_from && i + 64 <= len) {
            size_t next = ascii_block(tv, p, i, len, &rc);
            if (rc < 0) {
                break; /* out of memory: do not let the scalar step hide it */
            }
            if (next != i) {
                i = next;
                continue;
            }
            simd_from = i + 8;
        }
        unsigned char c = p[i];
        if (fast && c < 0x80) {
            if (ascii_word[c]) {
                i = ascii_run(&s, p, i, len, &rc);
            } else {
                rc = s.in_word ? close_word(&s) : 0;
                i++;
            }
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = fast ? decode_utf8(p + i, len - i, &cp)
                                  : utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) {
            cp = 0xFFFD; /* invalid UTF-8: one byte becomes U+FFFD, a separator */
            n = 1;
        }
        uint32_t at = (uint32_t)i;
        i += (size_t)n;
        if (!fast) {
            rc = feed_cp(&s, cp, at, (uint32_t)i);
        } else if (feed_letter(&s, cp, at, (uint32_t)i)) {
            rc = feed_cached(&s, cp, at, (uint32_t)i);
        }
    }
    if (rc == 0) {
        rc = close_word(&s);
    }
    return rc;
}

/* Python's string.punctuation: every printable ASCII character that is
 * neither a letter, a digit nor a space. */
static int ispunct_ascii(utf8proc_int32_t c)
{
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

/* Python's str.isspace() for the code points str.split() splits on. */
static int py_space(utf8proc_int32_t cp)
{
    if (cp < 0x80) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
    }
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static int tokenize_gpt3(const char *text, size_t len, mc_tokvec *tv)
{
    tokstate s = {.tv = tv};
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    int rc = grow_norm(tv, len + 16);
    while (rc == 0 && i < len) {
        utf8proc_int32_t cp = p[i];
        utf8proc_ssize_t n = 1;
        if (cp >= 0x80) {
            n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
            if (n <= 0) {
                cp = 0xFFFD;
                n = 1;
            }
        }
        if (py_space(cp)) {
            rc = close_word(&s);
        } else if (cp < 0x80 && ispunct_ascii(cp)) {
            /* deleted: does not split, "a.b" is one word "ab" */
        } else {
            rc = grow_norm(tv, 4);
            if (rc < 0) {
                break;
            }
            open_word(&s, (uint32_t)i);
            if (cp < 0x80) {
                tv->norm[tv->norm_len++] = (char)(cp >= 'A' && cp <= 'Z' ? cp | 0x20 : cp);
            } else {
                tv->norm_len += (size_t)utf8proc_encode_char(
                    cp, (utf8proc_uint8_t *)tv->norm + tv->norm_len);
            }
            s.end = (uint32_t)(i + (size_t)n);
        }
        i += (size_t)n;
    }
    if (rc == 0) {
        rc = close_word(&s);
    }
    return rc;
}

int mc__norm_tokenize(mc_norm_kind kind, const char *text, size_t len, mc_tokvec *tv)
{
    if (!tv || (!text && len)) {
        return MC_EINVAL;
    }
    if (len > UINT32_MAX - 64) {
        return MC_ELIMIT;
    }
    tv->n = 0;
    tv->norm_len = 0;
    switch (kind) {
    case MC_NORM_MEDCHECK:
        return tokenize_medcheck(text, len, tv, 1);
    case MC_NORM_GPT3:
        return tokenize_gpt3(text, len, tv);
    default:
        return MC_EINVAL;
    }
}

int mc__norm_tokenize_slow(const char *text, size_t len, mc_tokvec *tv)
{
    if (len > UINT32_MAX - 64) {
        return MC_ELIMIT;
    }
    tv->n = 0;
    tv->norm_len = 0;
    return tokenize_medcheck(text, len, tv, 0);
}

int mc_normalize(mc_norm_kind kind, const char *text, size_t len, char **out)
{
    if (!out || (!text && len)) {
        return MC_EINVAL;
    }
    mc_tokvec tv;
    mc__tokvec_init(&tv);
    int rc = mc__norm_tokenize(kind, text, len, &tv);
    if (rc < 0) {
        goto fail;
    }
    /* The result is freed by the caller with free(), so plain malloc. */
    char *s = malloc(tv.norm_len + tv.n + 1);
    if (!s) {
        rc = MC_ENOMEM;
        goto fail;
    }
    size_t w = 0;
    for (size_t i = 0; i < tv.n; i++) {
        if (i) {
            s[w++] = ' ';
        }
        memcpy(s + w, tv.norm + tv.tok[i].noff, tv.tok[i].nlen);
        w += tv.tok[i].nlen;
    }
    s[w] = '\0';
    *out = s;
    mc__tokvec_finish(&tv);
    return 0;
fail:
    mc__tokvec_finish(&tv);
    return rc;
}

const char *mc_unicode_version(void)
{
    return utf8proc_unicode_version();
}
