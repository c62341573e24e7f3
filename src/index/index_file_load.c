/* SPDX-License-Identifier: MIT */
/* Loading index files: the file mapped (or read), its header, checksum
 * and section table checked, the index arrays pointed into it and the
 * benchmark set rebuilt over its strings (docs/index-format.md); and the
 * public API of opened files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <medcheck/normalize.h>

#include "bench/bench_store.h"
#include "index/index_file.h"
#include "index/index_file_int.h"
#include "near/near.h"
#include "util/alloc.h"

#define fail mc__mcx_fail
#define arrays mc__mcx_arrays
#define NARRAYS mc__mcx_narrays
#define section_name mc__mcx_section_name

static uint64_t align_up(uint64_t x)
{
    return (x + MC_MCX_ALIGN - 1) & ~(uint64_t)(MC_MCX_ALIGN - 1);
}

const mc_index *mc__index_file_index(const mc_index_file *f)
{
    return f ? f->idx : NULL;
}

/* The sections of an image by id (known ids only), after the table check. */
typedef struct secs {
    const unsigned char *p[MC_MCX_MAX_KNOWN + 1];
    uint64_t size[MC_MCX_MAX_KNOWN + 1];
    int have[MC_MCX_MAX_KNOWN + 1];
} secs;

static int known_id(uint32_t id)
{
    return (id >= MC_MCX_META && id <= MC_MCX_STRINGS) ||
           (id >= MC_MCX_TOKENS && id <= MC_MCX_ANC_FILTER) ||
           (id >= MC_MCX_NEAR_META && id <= MC_MCX_NEAR_BAND_FILTER);
}

static uint32_t swap32(uint32_t x)
{
    return (x >> 24) | ((x >> 8) & 0xFF00u) | ((x << 8) & 0xFF0000u) | (x << 24);
}

static int little_endian(void)
{
    uint32_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

static int check_header(const unsigned char *mem, size_t size, char *err, size_t errlen)
{
    mc_mcx_header h;
    if (size < sizeof(h)) {
        return fail(err, errlen, MC_EFORMAT,
                    "truncated: %zu bytes, shorter than the %u-byte header", size,
                    MC_MCX_HEADER_SIZE);
    }
    memcpy(&h, mem, sizeof(h));
    if (memcmp(h.magic, MC_MCX_MAGIC, sizeof(h.magic)) != 0) {
        return fail(err, errlen, MC_EFORMAT, "not a medcheck index file (wrong magic bytes)");
    }
    if (h.bom != MC_MCX_BOM) {
        if (h.bom == swap32(MC_MCX_BOM)) {
            return fail(err, errlen, MC_EFORMAT,
                        "written on a %s-endian machine, this one is "
                        "%s-endian: rebuild it here with medcheck index",
                        little_endian() ? "big" : "little", little_endian() ? "little" : "big");
        }
        return fail(err, errlen, MC_EFORMAT, "corrupt header (byte-order mark 0x%08x)", h.bom);
    }
    if (h.version != MC_MCX_VERSION) {
        return fail(err, errlen, MC_EVERSION,
                    "index format version %u; this medcheck reads "
                    "version %u: rebuild it with medcheck index",
                    h.version, MC_MCX_VERSION);
    }
    for (size_t k = 0; k < sizeof(h.reserved); k++) {
        if (h.reserved[k]) {
            return fail(err, errlen, MC_EFORMAT, "corrupt header (reserved byte %zu is not zero)",
                        40 + k);
        }
    }
    if (h.header_size != MC_MCX_HEADER_SIZE || h.nsections == 0 ||
        h.nsections > MC_MCX_MAX_SECTIONS) {
        return fail(err, errlen, MC_EFORMAT, "corrupt header (header size %u, %u sections)",
                    h.header_size, h.nsections);
    }
    if (h.file_size != size) {
        return fail(err, errlen, MC_EFORMAT, "%s: the header says %llu bytes, the file has %zu",
                    h.file_size > size ? "truncated" : "corrupt or with bytes appended",
                    (unsigned long long)h.file_size, size);
    }
    uint64_t sum = mc__index_file_checksum(mem, size);
    if (sum != h.checksum) {
        return fail(err, errlen, MC_EFORMAT,
                    "corrupt: checksum mismatch (XXH64 %016llx, "
                    "the header says %016llx)",
                    (unsigned long long)sum, (unsigned long long)h.checksum);
    }
    return 0;
}

/* The section table: aligned, in bounds, in file order without overlap,
 * each id once; unknown optional sections skipped, unknown required ones
 * refused. */
static int read_table(const unsigned char *mem, size_t size, secs *sc, char *err, size_t errlen)
{
    mc_mcx_header h;
    memcpy(&h, mem, sizeof(h));
    uint64_t table_end = MC_MCX_HEADER_SIZE + (uint64_t)h.nsections * MC_MCX_ENTRY_SIZE;
    if (table_end > size) {
        return fail(err, errlen, MC_EFORMAT, "truncated section table (%u sections)", h.nsections);
    }
    uint64_t next = align_up(table_end);
    memset(sc, 0, sizeof(*sc));
    for (uint32_t k = 0; k < h.nsections; k++) {
        mc_mcx_entry e;
        memcpy(&e, mem + MC_MCX_HEADER_SIZE + (size_t)k * MC_MCX_ENTRY_SIZE, sizeof(e));
        if (e.offset % MC_MCX_ALIGN || e.offset < next || e.offset > size ||
            e.size > size - e.offset || e.elem == 0 || e.size % e.elem || e.reserved ||
            (e.flags & ~MC_MCX_REQUIRED)) {
            return fail(err, errlen, MC_EFORMAT,
                        "corrupt section table: entry %u (id %u, "
                        "offset %llu, size %llu) is out of bounds, misaligned or out of order",
                        k, e.id, (unsigned long long)e.offset, (unsigned long long)e.size);
        }
        next = e.offset + e.size;
        if (!known_id(e.id)) {
            if (e.flags & MC_MCX_REQUIRED) {
                return fail(err, errlen, MC_EVERSION,
                            "holds section %u, which this medcheck "
                            "does not know and which is required: use a newer medcheck",
                            e.id);
            }
            continue; /* optional: a later addition older readers skip */
        }
        if (sc->have[e.id]) {
            return fail(err, errlen, MC_EFORMAT, "corrupt section table: section %s twice",
                        section_name(e.id));
        }
        sc->have[e.id] = 1;
        sc->p[e.id] = mem + e.offset;
        sc->size[e.id] = e.size;
        if (e.elem != mc__mcx_elem_size(e.id)) {
            return fail(err, errlen, MC_EFORMAT, "section %s: elements of %u bytes, expected %u",
                        section_name(e.id), e.elem, mc__mcx_elem_size(e.id));
        }
    }
    for (uint32_t id = 0; id <= MC_MCX_MAX_ID; id++) { /* the required ones */
        if (known_id(id) && !sc->have[id]) {
            return fail(err, errlen, MC_EFORMAT, "section %s is missing", section_name(id));
        }
    }
    return 0;
}

/* Scalars of the index from META; array pointers into the image. */
static int attach_arrays(mc_index *idx, const mc_mcx_meta *m, const secs *sc, char *err,
                         size_t errlen)
{
    idx->preset = (mc_preset)m->preset;
    idx->norm = (mc_norm_kind)m->norm;
    idx->n = m->n;
    idx->template_items = m->template_items;
    idx->nitems = m->nitems;
    idx->nseqs = m->nseqs;
    idx->nseq_keys = m->nseq_keys;
    idx->nkeys = m->nkeys;
    idx->ntemplates = m->ntemplates;
    idx->filter_shift = m->filter_shift;
    idx->nanchors = m->nanchors;
    idx->anc_shift = m->anc_shift;
    idx->nlengths = m->nlengths;
    memcpy(idx->lengths, m->lengths, sizeof(idx->lengths));
    idx->slot_mask = m->slot_mask;
    idx->anc_mask = m->anc_mask;
    idx->fingerprint = m->fingerprint;
    if (m->ntok > UINT32_MAX || m->norm_len > UINT32_MAX || m->slot_mask >= UINT32_MAX ||
        m->anc_mask >= UINT32_MAX || m->nposts > UINT32_MAX) {
        return fail(err, errlen, MC_EFORMAT, "section meta: sizes over 32 bits");
    }
    idx->tv.n = idx->tv.cap = (size_t)m->ntok;
    idx->tv.norm_len = idx->tv.norm_cap = (size_t)m->norm_len;
    idx->tv.cache = NULL;
    for (size_t k = 0; k < NARRAYS; k++) {
        const mc_mcx_array *a = &arrays[k];
        uint64_t want = a->count(m);
        if (sc->size[a->id] / a->elem != want) {
            return fail(err, errlen, MC_EFORMAT, "section %s: %llu elements, the index needs %llu",
                        a->name, (unsigned long long)(sc->size[a->id] / a->elem),
                        (unsigned long long)want);
        }
        *mc__mcx_member(idx, a) = want ? (void *)sc->p[a->id] : NULL;
    }
    return 0;
}

/* The benchmark set, its strings borrowed from the image. */
static int attach_bench(mc_index_file *f, const mc_mcx_meta *m, const secs *sc, char *err,
                        size_t errlen)
{
    const mc_mcx_file *files = (const mc_mcx_file *)sc->p[MC_MCX_FILES];
    const mc_mcx_item *items = (const mc_mcx_item *)sc->p[MC_MCX_ITEMS];
    const mc_mcx_option *opts = (const mc_mcx_option *)sc->p[MC_MCX_OPTIONS];
    const char *str = (const char *)sc->p[MC_MCX_STRINGS];
    int rc = mc__mcx_check_bench(m, sc->p, sc->size, err, errlen);
    if (rc == 0) {
        rc = mc_bench_create(&f->bench);
    }
    f->fields = m->fields == MC_MCX_NONE ? NULL : str + m->fields;
    uint32_t at = 0;
    for (uint32_t k = 0; rc == 0 && k < m->nfiles; k++) {
        mc_bench_file bf;
        memset(&bf, 0, sizeof(bf));
        bf.source = str + files[k].source;
        memcpy(bf.sha256, files[k].sha256, 64);
        bf.format = (mc_bench_format)files[k].format;
        bf.items = files[k].items;
        bf.malformed = files[k].malformed;
        rc = mc__bench_store_file(f->bench, &bf);
        for (uint32_t i = 0; rc == 0 && i < files[k].items; i++, at++) {
            const mc_mcx_item *x = &items[at];
            const char *ov[64], *lv[64]; /* n_options <= 64 is checked */
#define S(ref) ((ref) == MC_MCX_NONE ? NULL : str + (ref))
            for (uint32_t o = 0; o < x->n_options; o++) {
                ov[o] = S(opts[x->opt0 + o].text);
                lv[o] = S(opts[x->opt0 + o].label);
            }
            mc_item it = {bf.source,     x->index,          x->line,      S(x->id),
                          S(x->split),   S(x->question),    ov,           lv,
                          x->n_options,  x->answer_index,   S(x->answer), S(x->passage),
                          S(x->subject), (int)x->malformed, S(x->error)};
#undef S
            rc = mc__bench_store_item(f->bench, &it);
        }
    }
    return rc;
}

/* The near-duplicate detector, when the file holds one (all of its
 * sections or none): arrays borrowed from the image, checked by
 * mc__near_validate and against the index's items. */
static int attach_near(mc_index_file *f, const secs *sc, char *err, size_t errlen)
{
    int any = 0;
    for (uint32_t id = MC_MCX_NEAR_META; id <= MC_MCX_NEAR_BAND_FILTER; id++) {
        any |= sc->have[id];
    }
    if (!any) {
        return 0; /* an older file, or a preset without the near pass */
    }
    for (uint32_t id = MC_MCX_NEAR_META; id <= MC_MCX_NEAR_BAND_FILTER; id++) {
        if (!sc->have[id]) {
            return fail(err, errlen, MC_EFORMAT, "section %s is missing", section_name(id));
        }
    }
    mc_mcx_near_meta m;
    if (sc->size[MC_MCX_NEAR_META] != sizeof(m)) {
        return fail(err, errlen, MC_EFORMAT, "section near_meta: %llu bytes, expected %zu",
                    (unsigned long long)sc->size[MC_MCX_NEAR_META], sizeof(m));
    }
    memcpy(&m, sc->p[MC_MCX_NEAR_META], sizeof(m));
    mc_near *nx = mc__calloc(1, sizeof(*nx));
    if (!nx) {
        return MC_ENOMEM;
    }
    nx->borrowed = 1;
    nx->p.shingle = m.shingle;
    nx->p.perms = m.perms;
    nx->p.bands = m.bands;
    nx->p.rows = m.rows;
    nx->p.min_shingles = m.min_shingles;
    nx->p.template_items = m.template_items;
    nx->p.threshold = m.threshold;
    nx->p.seed = m.seed;
    nx->nentries = m.nentries;
    nx->nshingles = m.nshingles;
    nx->nposts = m.nposts;
    nx->filter_shift = m.filter_shift;
    nx->cfilter_shift = m.cfilter_shift;
    nx->band_shift = m.band_shift;
    nx->slot_mask = m.slot_mask;
    f->near = nx;
    for (size_t k = 0; k < mc__mcx_near_narrays; k++) {
        const mc_mcx_near_array *a = &mc__mcx_near_arrays[k];
        uint64_t want = a->count(&m), have = sc->size[a->id] / a->elem;
        if (have != want) {
            return fail(err, errlen, MC_EFORMAT, "section %s: %llu elements, the detector needs %llu",
                        a->name, (unsigned long long)have, (unsigned long long)want);
        }
        *(const void **)((char *)nx + a->member) = want ? (const void *)sc->p[a->id] : NULL;
    }
    int rc = mc__near_validate(nx);
    if (rc == MC_ENOMEM) {
        return rc;
    }
    if (rc < 0) {
        return fail(err, errlen, MC_EFORMAT,
                    "the near-duplicate sections are inconsistent (parameters, entries, "
                    "postings or hash table)");
    }
    /* what the scan looks up with a hit's item and component */
    for (uint32_t e = 0; e < nx->nentries; e++) {
        if (nx->entries[e].item >= f->idx->nitems || nx->entries[e].comp >= MC_NCOMP) {
            return fail(err, errlen, MC_EFORMAT,
                        "section near_entries: entry %u names item %u (component %u) of %u", e,
                        nx->entries[e].item, nx->entries[e].comp, f->idx->nitems);
        }
    }
    return 0;
}

int mc__index_file_near(const mc_index_file *f, const mc_near_params *np, mc_near **out)
{
    *out = NULL;
    const mc_near *s = f ? f->near : NULL;
    if (!s || s->p.shingle != np->shingle || s->p.perms != np->perms || s->p.bands != np->bands ||
        s->p.rows != np->rows || s->p.min_shingles != np->min_shingles ||
        s->p.template_items != np->template_items || s->p.threshold != np->threshold ||
        s->p.seed != np->seed) {
        return 0; /* none stored, or built with other parameters */
    }
    mc_near *nx = mc__malloc(sizeof(*nx));
    if (!nx) {
        return MC_ENOMEM;
    }
    *nx = *s;
    nx->borrowed = 1;
    nx->perm_a = nx->perm_b = NULL;
    int rc = mc__near_derive_perms(nx);
    if (rc < 0) {
        mc__free(nx);
        return rc;
    }
    *out = nx;
    return 0;
}

static int parse(mc_index_file *f, char *err, size_t errlen)
{
    secs *sc = mc__calloc(1, sizeof(*sc));
    if (!sc) {
        return MC_ENOMEM;
    }
    int rc = check_header(f->mem, f->size, err, errlen);
    if (rc == 0) {
        rc = read_table(f->mem, f->size, sc, err, errlen);
    }
    mc_mcx_meta m;
    if (rc == 0 && sc->size[MC_MCX_META] != sizeof(m)) {
        rc = fail(err, errlen, MC_EFORMAT, "section meta: %llu bytes, expected %zu",
                  (unsigned long long)sc->size[MC_MCX_META], sizeof(m));
    }
    if (rc == 0) {
        memcpy(&m, sc->p[MC_MCX_META], sizeof(m));
        rc = mc__mcx_check_meta(&m, sc->size[MC_MCX_STRINGS], (const char *)sc->p[MC_MCX_STRINGS],
                                err, errlen);
    }
    if (rc == 0) {
        f->idx = mc__calloc(1, sizeof(*f->idx));
        rc = f->idx ? 0 : MC_ENOMEM;
    }
    if (rc == 0) {
        f->idx->borrowed = 1;
        rc = attach_arrays(f->idx, &m, sc, err, errlen);
    }
    if (rc == 0) {
        rc = mc__mcx_check_index(f->idx, m.nposts, err, errlen);
    }
    if (rc == 0) {
        rc = attach_bench(f, &m, sc, err, errlen);
    }
    if (rc == 0) {
        rc = attach_near(f, sc, err, errlen);
    }
    if (rc == 0) {
        memcpy(&f->checksum, f->mem + offsetof(mc_mcx_header, checksum), sizeof(f->checksum));
    }
    mc__free(sc);
    return rc == MC_ENOMEM ? fail(err, errlen, rc, "out of memory") : rc;
}

static void file_free(mc_index_file *f)
{
    if (!f) {
        return;
    }
    mc__near_destroy(&f->near);
    mc__index_destroy(&f->idx);
    mc_bench_destroy(&f->bench);
    if (f->mapped) {
        munmap(f->mem, f->size);
    } else {
        mc__free(f->mem);
    }
    mc__free(f->path);
    mc__free(f);
}

/* Prefix the message with the file's name. */
static int named(const char *name, int rc, char *err, size_t errlen)
{
    char msg[768];
    snprintf(msg, sizeof(msg), "%s", err);
    snprintf(err, errlen, "%s: %s", name, msg);
    return rc;
}

static int read_whole(int fd, unsigned char *p, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, p + got, size - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return MC_EIO;
        }
        got += (size_t)r;
    }
    return 0;
}

/* The file's bytes into f->mem, read or mapped. */
static int load_bytes(mc_index_file *f, int fd, mc_mcx_load how, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail(err, errlen, MC_EIO, "not a regular file");
    }
    if ((uint64_t)st.st_size > SIZE_MAX / 2) {
        return fail(err, errlen, MC_EFORMAT, "too large (%lld bytes)", (long long)st.st_size);
    }
    f->size = (size_t)st.st_size;
    if (f->size < MC_MCX_HEADER_SIZE) {
        return check_header(NULL, f->size, err, errlen);
    }
    if (how == MC_MCX_LOAD_MMAP) {
        void *p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            return fail(err, errlen, MC_EIO, "cannot map: %s", strerror(errno));
        }
        f->mem = p;
        f->mapped = 1;
        return 0;
    }
    f->mem = mc__malloc(f->size);
    if (!f->mem) {
        return fail(err, errlen, MC_ENOMEM, "out of memory (%zu bytes)", f->size);
    }
    return read_whole(fd, f->mem, f->size) == 0
               ? 0
               : fail(err, errlen, MC_EIO, "read error: %s", strerror(errno));
}

int mc__index_file_load(mc_index_file **out, const char *path, mc_mcx_load how, char *err,
                        size_t errlen)
{
    mc_index_file *f = mc__calloc(1, sizeof(*f));
    if (!f || !(f->path = mc__strdup(path))) {
        mc__free(f);
        return named(path, fail(err, errlen, MC_ENOMEM, "out of memory"), err, errlen);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;
    if (fd < 0) {
        int e = errno;
        rc = fail(err, errlen, e == ENOENT ? MC_ENOENT : MC_EIO, "cannot open: %s", strerror(e));
    } else {
        rc = load_bytes(f, fd, how, err, errlen);
        close(fd);
    }
    if (rc == 0) {
        rc = parse(f, err, errlen);
    }
    if (rc < 0) {
        file_free(f);
        return named(path, rc, err, errlen);
    }
    *out = f;
    return 0;
}

int mc__index_file_from_memory(mc_index_file **out, const void *data, size_t size, const char *name,
                               char *err, size_t errlen)
{
    mc_index_file *f = mc__calloc(1, sizeof(*f));
    int rc = f && (f->path = mc__strdup(name)) && (f->mem = mc__malloc(size ? size : 1))
                 ? 0
                 : fail(err, errlen, MC_ENOMEM, "out of memory");
    if (rc == 0) {
        if (size) {
            memcpy(f->mem, data, size);
        }
        f->size = size;
        rc = parse(f, err, errlen);
    }
    if (rc < 0) {
        file_free(f);
        return named(name, rc, err, errlen);
    }
    *out = f;
    return 0;
}

/* ---- public API ------------------------------------------------------------ */

void mc_index_file_opts_default(mc_index_file_opts *opts)
{
    if (opts) {
        memset(opts, 0, sizeof(*opts));
        opts->size = sizeof(*opts);
    }
}

int mc_index_file_open(mc_index_file **out, const char *path, const mc_index_file_opts *opts)
{
    if (!out || !path) {
        return MC_EINVAL;
    }
    mc_index_file_opts o;
    mc_index_file_opts_default(&o);
    if (opts) {
        memcpy(&o, opts, opts->size && opts->size < sizeof(o) ? opts->size : sizeof(o));
    }
    char err[1024];
    int rc = mc__index_file_load(out, path, o.no_mmap ? MC_MCX_LOAD_READ : MC_MCX_LOAD_MMAP, err,
                                 sizeof(err));
    if (rc < 0 && o.logger.fn) {
        o.logger.fn(o.logger.ctx, MC_LOG_ERROR, err);
    }
    return rc;
}

void mc_index_file_close(mc_index_file **f)
{
    if (f && *f) {
        file_free(*f);
        *f = NULL;
    }
}

const mc_bench *mc_index_file_bench(const mc_index_file *f)
{
    return f ? f->bench : NULL;
}

void mc_index_file_get_info(const mc_index_file *f, mc_index_file_info *info)
{
    if (!f || !info) {
        return;
    }
    memset(info, 0, sizeof(*info));
    info->path = f->path;
    info->preset = f->idx->preset;
    info->ngram = f->idx->n;
    info->template_items = f->idx->template_items;
    info->items = f->idx->nitems;
    info->fingerprint = f->idx->fingerprint;
    info->checksum = f->checksum;
    info->file_size = f->size;
    info->fields = f->fields;
}
