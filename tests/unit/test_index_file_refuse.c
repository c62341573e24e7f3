/* SPDX-License-Identifier: MIT */
/* Index files: every damaged, truncated, foreign or crafted file is
 * refused with a message naming it, never dereferenced out of bounds. */
#include "index_file_test.h"

/* ---- refusals ------------------------------------------------------------ */

/* Load an image from memory; returns the code, *msg the message. */
static int load_mem(const unsigned char *img, size_t n, char *msg, size_t msglen)
{
    mc_index_file *f = NULL;
    msg[0] = '\0';
    int rc = mc__index_file_from_memory(&f, img, n, "x.mcx", msg, msglen);
    if (rc == 0) {
        assert_non_null(f);
        mc_index_file_close(&f);
    } else {
        assert_null(f);
    }
    return rc;
}

static void expect_refused(const unsigned char *img, size_t n, int code, const char *words)
{
    char msg[1024];
    int rc = load_mem(img, n, msg, sizeof(msg));
    if (rc != code || strncmp(msg, "x.mcx: ", 7) != 0 || (words && !strstr(msg, words))) {
        fprintf(stderr, "expected %s (\"%s\"), got %s: %s\n", mc_err_name(code), words ? words : "",
                mc_err_name(rc), msg);
    }
    assert_int_equal(rc, code);
    assert_true(strncmp(msg, "x.mcx: ", 7) == 0);
    if (words) {
        assert_non_null(strstr(msg, words));
    }
}

static void fix_checksum(unsigned char *img, size_t n)
{
    uint64_t sum = mc__index_file_checksum(img, n);
    memcpy(img + offsetof(mc_mcx_header, checksum), &sum, sizeof(sum));
}

static void test_mc__index_file_from_memory_every_byte_flip_refused(void **state)
{
    (void)state;
    size_t n;
    unsigned char *img = tiny_image(MC_PRESET_MEDCHECK, &n);
    char msg[1024];
    assert_int_equal(load_mem(img, n, msg, sizeof(msg)), 0);
    for (size_t k = 0; k < n; k++) {
        img[k] ^= 0x20;
        int rc = load_mem(img, n, msg, sizeof(msg));
        assert_true(rc == MC_EFORMAT || rc == MC_EVERSION);
        assert_true(strncmp(msg, "x.mcx: ", 7) == 0);
        img[k] ^= 0x20;
    }
    free(img);
}

static void test_mc__index_file_from_memory_truncated_everywhere_refused(void **state)
{
    (void)state;
    size_t n;
    unsigned char *img = tiny_image(MC_PRESET_MEDCHECK, &n);
    for (size_t k = 0; k < n; k++) {
        expect_refused(img, k, MC_EFORMAT, "truncated");
    }
    /* and a byte appended */
    unsigned char *longer = malloc(n + 1);
    memcpy(longer, img, n);
    longer[n] = 0;
    expect_refused(longer, n + 1, MC_EFORMAT, "appended");
    free(longer);
    free(img);
}

static void put32(unsigned char *img, size_t at, uint32_t v)
{
    memcpy(img + at, &v, sizeof(v));
}

static void put64(unsigned char *img, size_t at, uint64_t v)
{
    memcpy(img + at, &v, sizeof(v));
}

static void test_mc__index_file_from_memory_header_refused(void **state)
{
    (void)state;
    size_t n;
    unsigned char *img = tiny_image(MC_PRESET_MEDCHECK, &n);
    unsigned char *w = malloc(n);
    /* magic */
    memcpy(w, img, n);
    w[1] = 'X';
    expect_refused(w, n, MC_EFORMAT, "not a medcheck index file");
    memcpy(w, "{\"question\": 1}\n", 16); /* a benchmark file given by mistake */
    expect_refused(w, n, MC_EFORMAT, "wrong magic");
    /* another version, older or newer */
    memcpy(w, img, n);
    put32(w, offsetof(mc_mcx_header, version), 2);
    expect_refused(w, n, MC_EVERSION, "format version 2");
    put32(w, offsetof(mc_mcx_header, version), 0);
    expect_refused(w, n, MC_EVERSION, "version 0");
    /* the other byte order, and a damaged mark */
    memcpy(w, img, n);
    uint32_t swapped = ((MC_MCX_BOM & 0xFF) << 24) | ((MC_MCX_BOM & 0xFF00) << 8) |
                       ((MC_MCX_BOM >> 8) & 0xFF00) | (MC_MCX_BOM >> 24);
    put32(w, offsetof(mc_mcx_header, bom), swapped);
    expect_refused(w, n, MC_EFORMAT, "big-endian machine");
    put32(w, offsetof(mc_mcx_header, bom), 0x12345678);
    expect_refused(w, n, MC_EFORMAT, "byte-order mark");
    /* reserved bytes, header size, section count */
    memcpy(w, img, n);
    w[50] = 1;
    expect_refused(w, n, MC_EFORMAT, "reserved");
    memcpy(w, img, n);
    put32(w, offsetof(mc_mcx_header, header_size), 128);
    expect_refused(w, n, MC_EFORMAT, "header size");
    put32(w, offsetof(mc_mcx_header, header_size), 64);
    put32(w, offsetof(mc_mcx_header, nsections), 100000);
    expect_refused(w, n, MC_EFORMAT, "sections");
    /* huge sizes */
    memcpy(w, img, n);
    put64(w, offsetof(mc_mcx_header, file_size), UINT64_C(1) << 62);
    expect_refused(w, n, MC_EFORMAT, "truncated");
    put64(w, offsetof(mc_mcx_header, file_size), UINT64_MAX);
    expect_refused(w, n, MC_EFORMAT, "truncated");
    /* the checksum */
    memcpy(w, img, n);
    w[offsetof(mc_mcx_header, checksum)] ^= 1;
    expect_refused(w, n, MC_EFORMAT, "checksum mismatch");
    free(w);
    free(img);
}

/* The table entry of a section, and where the section lies. */
static mc_mcx_entry *entry_of(unsigned char *img, uint32_t id)
{
    mc_mcx_header h;
    memcpy(&h, img, sizeof(h));
    for (uint32_t k = 0; k < h.nsections; k++) {
        mc_mcx_entry *e = (mc_mcx_entry *)(img + 64 + 32 * (size_t)k);
        if (e->id == id) {
            return e;
        }
    }
    fail();
    return NULL;
}

static void *sec(unsigned char *img, uint32_t id)
{
    return img + entry_of(img, id)->offset;
}

/* Apply a patch, fix the checksum, expect a refusal naming `words`. */
typedef void (*patch_fn)(unsigned char *img, size_t n);
static void refused_after(const unsigned char *img, size_t n, patch_fn patch, int code,
                          const char *words)
{
    unsigned char *w = malloc(n);
    memcpy(w, img, n);
    patch(w, n);
    fix_checksum(w, n);
    expect_refused(w, n, code, words);
    free(w);
}

static void p_misaligned(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_SEQS)->offset += 8;
}
static void p_huge_size(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_TOKENS)->size = UINT64_C(1) << 63;
}
static void p_beyond(unsigned char *img, size_t n)
{
    entry_of(img, MC_MCX_ANC_FILTER)->offset = ((uint64_t)n + 64) & ~(uint64_t)63;
}
static void p_overlap(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_NORM)->offset = entry_of(img, MC_MCX_TOKENS)->offset;
}
static void p_elem(unsigned char *img, size_t n)
{
    (void)n;
    mc_mcx_entry *e = entry_of(img, MC_MCX_POSTS);
    e->elem = 4;
}
static void p_elem0(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_SLOTS)->elem = 0;
}
static void p_dup(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_NORM)->id = MC_MCX_TOKENS;
}
static void p_missing(unsigned char *img, size_t n)
{
    (void)n;
    mc_mcx_entry *e = entry_of(img, MC_MCX_SLOT_FLAGS);
    e->id = 63; /* unknown and optional: skipped, so slot_flags is missing */
    e->flags = 0;
}
static void p_required(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_SLOT_FLAGS)->id = 41;
}
static void p_flags(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_SEQS)->flags |= 2;
}
static void p_short_count(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_SEQS)->size -= sizeof(mc_seq);
}

static void p_meta_empty(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_META)->size = 0;
}

static void test_mc__index_file_from_memory_table_refused(void **state)
{
    (void)state;
    size_t n;
    unsigned char *img = tiny_image(MC_PRESET_MEDCHECK, &n);
    refused_after(img, n, p_misaligned, MC_EFORMAT, "section table");
    refused_after(img, n, p_huge_size, MC_EFORMAT, "out of bounds");
    refused_after(img, n, p_beyond, MC_EFORMAT, "out of bounds");
    refused_after(img, n, p_overlap, MC_EFORMAT, "out of order");
    refused_after(img, n, p_elem, MC_EFORMAT, "section posts: elements of 4 bytes");
    refused_after(img, n, p_elem0, MC_EFORMAT, "section table");
    refused_after(img, n, p_dup, MC_EFORMAT, "twice");
    refused_after(img, n, p_missing, MC_EFORMAT, "slot_flags is missing");
    refused_after(img, n, p_required, MC_EVERSION, "newer medcheck");
    refused_after(img, n, p_flags, MC_EFORMAT, "section table");
    refused_after(img, n, p_short_count, MC_EFORMAT, "section seqs");
    refused_after(img, n, p_meta_empty, MC_EFORMAT, "section meta: 0 bytes");
    free(img);
}

/* A section appended under an id this reader does not know: skipped when
 * optional (a later addition, such as the near-duplicate index), refused
 * when required. The file is laid out again, as a later writer would. */
static unsigned char *with_extra(const unsigned char *img, size_t n, uint32_t flags, size_t *out_n)
{
    mc_mcx_header h;
    memcpy(&h, img, sizeof(h));
    uint32_t ns = h.nsections + 1;
    static const char extra[] = "MinHash signatures would be here";
    size_t cap = n + 256 + sizeof(extra) + 64;
    unsigned char *w = calloc(1, cap);
    uint64_t off = (64 + 32 * (uint64_t)ns + 63) & ~(uint64_t)63;
    for (uint32_t k = 0; k < ns; k++) {
        mc_mcx_entry e;
        if (k < h.nsections) {
            memcpy(&e, img + 64 + 32 * (size_t)k, sizeof(e));
            memcpy(w + off, img + e.offset, e.size);
        } else {
            e = (mc_mcx_entry){63, flags, 0, sizeof(extra), 1, 0};
            memcpy(w + off, extra, sizeof(extra));
        }
        e.offset = off;
        memcpy(w + 64 + 32 * (size_t)k, &e, sizeof(e));
        off = (off + e.size + 63) & ~(uint64_t)63;
    }
    h.nsections = ns;
    h.file_size = off;
    memcpy(w, &h, sizeof(h));
    fix_checksum(w, (size_t)off);
    *out_n = (size_t)off;
    return w;
}

static void test_mc__index_file_from_memory_unknown_sections(void **state)
{
    (void)state;
    size_t n, m;
    unsigned char *img = tiny_image(MC_PRESET_MEDCHECK, &n);
    unsigned char *w = with_extra(img, n, 0, &m);
    char msg[1024];
    assert_int_equal(load_mem(w, m, msg, sizeof(msg)), 0);
    free(w);
    w = with_extra(img, n, MC_MCX_REQUIRED, &m);
    expect_refused(w, m, MC_EVERSION, "section 63");
    free(w);
    free(img);
}

/* ---- crafted files: right checksum, wrong contents ----------------------- */

static mc_mcx_meta *meta(unsigned char *img)
{
    return sec(img, MC_MCX_META);
}

/* One field of one element of a section set (or xor'ed) to a value. */
typedef struct fpatch {
    uint32_t id;
    uint32_t elem;
    size_t off;
    size_t width;
    int xor ;
    uint64_t value;
    int code;
    const char *words;
} fpatch;
#define RAW(id, i, v, code, words)                                                                 \
    {                                                                                              \
        id, i, 0, 4, 0, v, code, words                                                             \
    }
#define SET(id, T, i, f, v, code, words)                                                           \
    {                                                                                              \
        id, i, offsetof(T, f), sizeof(((T *)0)->f), 0, v, code, words                              \
    }
#define XOR(id, T, i, f, v, code, words)                                                           \
    {                                                                                              \
        id, i, offsetof(T, f), sizeof(((T *)0)->f), 1, v, code, words                              \
    }
static const fpatch fpatches[] = {
    SET(MC_MCX_META, mc_mcx_meta, 0, preset, 9, MC_EFORMAT, "section meta"),
    SET(MC_MCX_META, mc_mcx_meta, 0, n, 1, MC_EFORMAT, "section meta"),
    SET(MC_MCX_META, mc_mcx_meta, 0, norm, MC_NORM_GPT3, MC_EFORMAT, "section meta"),
    SET(MC_MCX_META, mc_mcx_meta, 0, norm_version, MC_NORM_VERSION + 1, MC_EVERSION,
        "normalisation"),
    XOR(MC_MCX_META, mc_mcx_meta, 0, hash_kat, 1, MC_EVERSION, "hash functions"),
    XOR(MC_MCX_META, mc_mcx_meta, 0, norm_kat, 1, MC_EVERSION, "normaliser"),
    SET(MC_MCX_META, mc_mcx_meta, 0, nlengths, 17, MC_EFORMAT, "key lengths"),
    XOR(MC_MCX_META, mc_mcx_meta, 0, slot_mask, 1, MC_EFORMAT, "key table"),
    SET(MC_MCX_META, mc_mcx_meta, 0, filter_shift, 2, MC_EFORMAT, "key table"),
    SET(MC_MCX_META, mc_mcx_meta, 0, nseqs, 1000, MC_EFORMAT, "section seqs"),
    SET(MC_MCX_TOKENS, mc_token, 3, noff, 0x7fffffff, MC_EFORMAT, "section tokens"),
    SET(MC_MCX_SEQS, mc_seq, 2, tok0, 0xfffffff0u, MC_EFORMAT, "section seqs"),
    SET(MC_MCX_SEQS, mc_seq, 0, item, 1000, MC_EFORMAT, "section seqs"),
    SET(MC_MCX_SEQS, mc_seq, 0, comp, 7, MC_EFORMAT, "section seqs"),
    SET(MC_MCX_IITEMS, mc_iitem, 1, seq, 0, MC_EFORMAT, "section iitems"), /* item 0's */
    SET(MC_MCX_IITEMS, mc_iitem, 0, nopt, 1000, MC_EFORMAT, "section iitems"),
    RAW(MC_MCX_SEQ_KEYS, 4, 0x7fffffff, MC_EFORMAT, "section seq_keys"),
    SET(MC_MCX_SLOTS, mc_keyslot, 0, post0, 0x7fffffff, MC_EFORMAT, "section slots"),
    SET(MC_MCX_POSTS, mc_posting, 0, seq, 100000, MC_EFORMAT, "section posts"),
    SET(MC_MCX_POSTS, mc_posting, 0, pos, 100000, MC_EFORMAT, "section posts"),
    SET(MC_MCX_ANC_POSTS, mc_posting, 0, seq, 0, MC_EFORMAT, "section anc_posts"), /* an option */
    SET(MC_MCX_ITEMS, mc_mcx_item, 2, question, 0x7fffffff, MC_EFORMAT, "section items"),
    SET(MC_MCX_ITEMS, mc_mcx_item, 2, index, 7, MC_EFORMAT, "section items"),
    SET(MC_MCX_ITEMS, mc_mcx_item, 0, malformed, 1, MC_EFORMAT, "section items"),
    SET(MC_MCX_ITEMS, mc_mcx_item, 0, n_options, 65, MC_EFORMAT, "section items"),
    SET(MC_MCX_ITEMS, mc_mcx_item, 0, answer_index, 3, MC_EFORMAT, "section items"),
    SET(MC_MCX_OPTIONS, mc_mcx_option, 1, label, 0x7fffffff, MC_EFORMAT, "section items"),
    SET(MC_MCX_FILES, mc_mcx_file, 0, sha256, 'G', MC_EFORMAT, "section files"),
    SET(MC_MCX_FILES, mc_mcx_file, 0, items, 7, MC_EFORMAT, "section files"),
    SET(MC_MCX_FILES, mc_mcx_file, 0, format, 0, MC_EFORMAT, "section files"),
    SET(MC_MCX_FILES, mc_mcx_file, 0, source, 0x7fffffff, MC_EFORMAT, "section files"),
    /* the near-duplicate detector (optional sections, checksummed) */
    SET(MC_MCX_NEAR_META, mc_mcx_near_meta, 0, bands, 1000, MC_EFORMAT, "near-duplicate"),
    SET(MC_MCX_NEAR_META, mc_mcx_near_meta, 0, shingle, 0, MC_EFORMAT, "near-duplicate"),
    SET(MC_MCX_NEAR_META, mc_mcx_near_meta, 0, nshingles, 0x7fffffff, MC_EFORMAT,
        "section near_shingles"),
    SET(MC_MCX_NEAR_META, mc_mcx_near_meta, 0, nentries, 0, MC_EFORMAT, "section near_entries"),
    SET(MC_MCX_NEAR_META, mc_mcx_near_meta, 0, filter_shift, 0, MC_EFORMAT,
        "section near_filter"),
    SET(MC_MCX_NEAR_META, mc_mcx_near_meta, 0, perms, 64, MC_EFORMAT, "section near_sigs"),
    XOR(MC_MCX_NEAR_META, mc_mcx_near_meta, 0, slot_mask, 1, MC_EFORMAT, "section near_slots"),
    SET(MC_MCX_NEAR_ENTRIES, mc_near_entry, 0, item, 100000, MC_EFORMAT, "section near_entries"),
    SET(MC_MCX_NEAR_ENTRIES, mc_near_entry, 0, comp, 7, MC_EFORMAT, "section near_entries"),
    SET(MC_MCX_NEAR_ENTRIES, mc_near_entry, 0, status, 9, MC_EFORMAT, "near-duplicate"),
    SET(MC_MCX_NEAR_ENTRIES, mc_near_entry, 0, sh0, 0x7fffffff, MC_EFORMAT, "near-duplicate"),
    SET(MC_MCX_NEAR_ENTRIES, mc_near_entry, 0, need, 0, MC_EFORMAT, "near-duplicate"),
    SET(MC_MCX_NEAR_ENTRIES, mc_near_entry, 0, cls, 99, MC_EFORMAT, "near-duplicate"),
    RAW(MC_MCX_NEAR_POSTS, 0, 100000, MC_EFORMAT, "near-duplicate"),
};
#undef RAW
#undef SET
#undef XOR

static void apply_fpatch(unsigned char *img, const fpatch *p)
{
    unsigned char *at =
        (unsigned char *)sec(img, p->id) + p->elem * entry_of(img, p->id)->elem + p->off;
    uint64_t v = 0;
    size_t w = p->width > 8 ? 1 : p->width; /* arrays: their first byte */
    memcpy(&v, at, w);
    v = p->xor ? v ^ p->value : p->value;
    memcpy(at, &v, w); /* little-endian: the low bytes */
}

/* Patches that need more than one field. */
static void p_unicode(unsigned char *img, size_t n)
{
    (void)n;
    char *s = (char *)sec(img, MC_MCX_STRINGS) + meta(img)->unicode;
    s[0] = s[0] == '9' ? '8' : '9';
}
static void p_seq_keys_range(unsigned char *img, size_t n)
{
    (void)n;
    mc_seq *s = sec(img, MC_MCX_SEQS);
    for (uint32_t k = 0; k < meta(img)->nseqs; k++) {
        if (s[k].keyed && !s[k].whole_key) {
            s[k].key0 = meta(img)->nseq_keys;
            return;
        }
    }
    fail();
}
static void p_slots_full(unsigned char *img, size_t n)
{
    (void)n;
    mc_keyslot *s = sec(img, MC_MCX_SLOTS);
    for (uint64_t k = 0; k <= meta(img)->slot_mask; k++) {
        s[k].hash = s[k].hash ? s[k].hash : k + 1;
    }
}
static void p_slot_moved(unsigned char *img, size_t n)
{
    (void)n;
    mc_keyslot *s = sec(img, MC_MCX_SLOTS);
    uint64_t mask = meta(img)->slot_mask;
    for (uint64_t k = 0; k <= mask; k++) {
        /* two slots further on, behind an empty one: never found there */
        if (s[k].hash && !s[(k + 1) & mask].hash && !s[(k + 2) & mask].hash) {
            s[(k + 2) & mask] = s[k];
            memset(&s[k], 0, sizeof(s[k]));
            return;
        }
    }
    fail();
}
static void p_strings_nul(unsigned char *img, size_t n)
{
    (void)n;
    mc_mcx_entry *e = entry_of(img, MC_MCX_STRINGS);
    img[e->offset + e->size - 1] = 'x';
}

static void p_near_missing(unsigned char *img, size_t n)
{
    (void)n;
    mc_mcx_entry *e = entry_of(img, MC_MCX_NEAR_SIGS);
    e->id = 63; /* unknown and optional: skipped, so near_sigs is missing */
}
static void p_near_slots_full(unsigned char *img, size_t n)
{
    (void)n;
    mc_mcx_near_meta *m = sec(img, MC_MCX_NEAR_META);
    mc_near_slot *s = sec(img, MC_MCX_NEAR_SLOTS);
    for (uint64_t k = 0; k <= m->slot_mask; k++) {
        s[k].key = s[k].key ? s[k].key : k + 1;
    }
}
static void p_near_unsorted(unsigned char *img, size_t n)
{
    (void)n;
    mc_mcx_near_meta *m = sec(img, MC_MCX_NEAR_META);
    mc_near_entry *e = sec(img, MC_MCX_NEAR_ENTRIES);
    uint64_t *sh = sec(img, MC_MCX_NEAR_SHINGLES);
    for (uint32_t k = 0; k < m->nentries; k++) {
        if (e[k].status == MC_NEAR_OK && e[k].nsh >= 2) {
            uint64_t t = sh[e[k].sh0];
            sh[e[k].sh0] = sh[e[k].sh0 + 1];
            sh[e[k].sh0 + 1] = t;
            return;
        }
    }
    fail();
}
static void p_near_meta_size(unsigned char *img, size_t n)
{
    (void)n;
    entry_of(img, MC_MCX_NEAR_META)->size -= 8;
    entry_of(img, MC_MCX_NEAR_META)->elem = 8;
}
/* every near section under an id this reader does not know: skipped */
static void near_unknown(unsigned char *img)
{
    for (uint32_t id = MC_MCX_NEAR_META; id <= MC_MCX_NEAR_BAND_FILTER; id++) {
        entry_of(img, id)->id = id + 20;
    }
}

static void test_mc__index_file_from_memory_crafted_refused(void **state)
{
    (void)state;
    size_t n;
    unsigned char *img = tiny_image(MC_PRESET_MEDCHECK, &n);
    unsigned char *w = malloc(n);
    for (size_t k = 0; k < sizeof(fpatches) / sizeof(fpatches[0]); k++) {
        memcpy(w, img, n);
        apply_fpatch(w, &fpatches[k]);
        fix_checksum(w, n);
        expect_refused(w, n, fpatches[k].code, fpatches[k].words);
    }
    refused_after(img, n, p_unicode, MC_EVERSION, "Unicode");
    refused_after(img, n, p_seq_keys_range, MC_EFORMAT, "section seqs");
    refused_after(img, n, p_slots_full, MC_EFORMAT, "no empty slot");
    refused_after(img, n, p_slot_moved, MC_EFORMAT, "not found where");
    refused_after(img, n, p_strings_nul, MC_EFORMAT, "section strings");
    refused_after(img, n, p_near_missing, MC_EFORMAT, "near_sigs is missing");
    refused_after(img, n, p_near_slots_full, MC_EFORMAT, "near-duplicate");
    refused_after(img, n, p_near_unsorted, MC_EFORMAT, "near-duplicate");
    refused_after(img, n, p_near_meta_size, MC_EFORMAT, "near_meta");
    /* without its near sections (as a file of an older medcheck), the
     * file loads, and a scan builds the detector */
    memcpy(w, img, n);
    near_unknown(w);
    fix_checksum(w, n);
    mc_index_file *f = NULL;
    char msg[1024];
    assert_int_equal(mc__index_file_from_memory(&f, w, n, "x.mcx", msg, sizeof(msg)), 0);
    assert_null(f->near);
    mc_index_file_close(&f);
    free(img);
    /* a whole key outside the medcheck preset would let palm count
     * n-gram starts of a span shorter than n */
    img = tiny_image(MC_PRESET_PALM, &n);
    w = realloc(w, n);
    memcpy(w, img, n);
    mc_seq *s = sec(w, MC_MCX_SEQS);
    for (uint32_t k = 0; k < meta(w)->nseqs; k++) {
        s[k].whole_key |= s[k].keyed;
    }
    fix_checksum(w, n);
    expect_refused(w, n, MC_EFORMAT, "whole key");
    free(w);
    free(img);
}

/* Random changes with the checksum made right: each file is refused, or
 * loads and survives a scan (under ASan/UBSan and valgrind, any read out
 * of bounds fails the test). */
static void test_mc__index_file_from_memory_random_crafted_files(void **state)
{
    (void)state;
    for (int p = 0; p < 4; p++) {
        size_t n;
        unsigned char *img = tiny_image((mc_preset)p, &n);
        unsigned char *w = malloc(n);
        uint64_t rng = 0x9e3779b97f4a7c15u * (uint64_t)(p + 1);
        int loaded = 0, refused = 0;
        for (int iter = 0; iter < 1500; iter++) {
            memcpy(w, img, n);
            for (int k = 0; k < 1 + iter % 3; k++) {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                size_t at = 64 + (size_t)(rng % (n - 64));
                /* small values are the likeliest to be valid indexes */
                w[at] = (uint8_t)(rng >> 40) & (iter & 1 ? 0x0f : 0xff);
            }
            fix_checksum(w, n);
            mc_index_file *f = NULL;
            char msg[1024];
            if (mc__index_file_from_memory(&f, w, n, "x.mcx", msg, sizeof(msg)) == 0) {
                exercise(f->idx, f->bench);
                mc_index_file_close(&f);
                loaded++;
            } else {
                refused++;
            }
        }
        assert_true(loaded > 0 && refused > 0);
        free(w);
        free(img);
    }
}

/* ---- files, atomic writes, allocation failures, public API ------------- */

static void test_mc_index_file_open_refusals_name_the_file(void **state)
{
    (void)state;
    mc_index_file_opts o;
    mc_index_file_opts_default(&o);
    o.logger.fn = capture;
    mc_index_file *f = NULL;
    const char *missing = tmp_path("missing.mcx");
    assert_int_equal(mc_index_file_open(&f, missing, &o), MC_ENOENT);
    assert_null(f);
    assert_non_null(strstr(logged, missing));
    /* empty, short, a directory */
    const char *empty = tmp_path("empty.mcx");
    FILE *fp = fopen(empty, "w");
    fclose(fp);
    for (int how = 0; how < 2; how++) {
        o.no_mmap = how;
        logged[0] = '\0';
        assert_int_equal(mc_index_file_open(&f, empty, &o), MC_EFORMAT);
        assert_non_null(strstr(logged, empty));
        assert_non_null(strstr(logged, "truncated"));
        logged[0] = '\0';
        assert_int_equal(mc_index_file_open(&f, tmpdir, &o), MC_EIO);
        assert_non_null(strstr(logged, "not a regular file"));
    }
    /* a truncated file on disk, both ways */
    size_t n;
    unsigned char *img = tiny_image(MC_PRESET_MEDCHECK, &n);
    const char *cut = tmp_path("cut.mcx");
    fp = fopen(cut, "wb");
    fwrite(img, 1, n / 2, fp);
    fclose(fp);
    for (int how = 0; how < 2; how++) {
        o.no_mmap = how;
        assert_int_equal(mc_index_file_open(&f, cut, &o), MC_EFORMAT);
        assert_non_null(strstr(logged, cut));
    }
    assert_int_equal(mc_index_file_open(NULL, cut, &o), MC_EINVAL);
    mc_index_file_close(NULL);
    mc_index_file_close(&f);
    free(img);
}
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc__index_file_from_memory_every_byte_flip_refused),
        cmocka_unit_test(test_mc__index_file_from_memory_truncated_everywhere_refused),
        cmocka_unit_test(test_mc__index_file_from_memory_header_refused),
        cmocka_unit_test(test_mc__index_file_from_memory_table_refused),
        cmocka_unit_test(test_mc__index_file_from_memory_unknown_sections),
        cmocka_unit_test(test_mc__index_file_from_memory_crafted_refused),
        cmocka_unit_test(test_mc__index_file_from_memory_random_crafted_files),
        cmocka_unit_test(test_mc_index_file_open_refusals_name_the_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
