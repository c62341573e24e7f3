/* SPDX-License-Identifier: MIT */
/* The criteria catalog: loading data/criteria.json (built in, or a file
 * given with --criteria) and validating it before anything uses it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <medcheck/audit.h>

#include "audit/audit_int.h"
#include "util/alloc.h"
#include "util/buf.h"

extern const unsigned char mc__criteria_builtin[];
extern const size_t mc__criteria_builtin_len;

/* The phase names of the contract, which a catalog must use exactly. */
static const char *const phase_names[MC_PHASE_COUNT] = {
    "Design & Conceptualization",
    "Dataset Construction & Management",
    "Technical Implementation & Evaluation Methodology",
    "Benchmark Validity & Performance Verification",
    "Documentation, Openness & Governance",
};

/* Evidence a criterion may cite: the sections of audit.json, and the
 * scan's contamination verdicts. */
static const char *const check_names[] = {
    "duplicates", "cross_source", "split_leakage", "answer_balance", "malformed",
    "phi", "codes", "coverage", "contamination", NULL,
};

struct mc_criteria {
    json_t *doc; /* owns every string below */
    char *origin;
    const char *provenance;
    const char *phase[MC_PHASE_COUNT];
    mc_criterion crit[MC_CRITERIA_COUNT];
    const char **checks; /* all criteria's check lists, back to back */
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

const char *mc_basis_name(mc_basis b)
{
    switch (b) {
    case MC_BASIS_COMPUTED:
        return "computed";
    case MC_BASIS_MANIFEST:
        return "manifest";
    case MC_BASIS_REVIEW:
        return "review";
    }
    return "unknown";
}

static int basis_parse(const char *s)
{
    for (int b = MC_BASIS_COMPUTED; s && b <= MC_BASIS_REVIEW; b++) {
        if (strcmp(s, mc_basis_name((mc_basis)b)) == 0) {
            return b;
        }
    }
    return -1;
}

static int known_check(const char *s)
{
    for (size_t i = 0; s && check_names[i]; i++) {
        if (strcmp(s, check_names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A member that must be a non-empty string. */
static const char *need_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && s[0] ? s : NULL;
}

static int check_phases(mc_criteria *c, const char *name, char *err, size_t errlen)
{
    const json_t *ph = json_object_get(c->doc, "phases");
    if (!json_is_array(ph) || json_array_size(ph) != MC_PHASE_COUNT) {
        return fail(err, errlen, MC_EFORMAT, "%s: \"phases\" must be an array of %d phases",
                    name, MC_PHASE_COUNT);
    }
    for (size_t i = 0; i < MC_PHASE_COUNT; i++) {
        const json_t *p = json_array_get(ph, i);
        json_int_t n = json_integer_value(json_object_get(p, "phase"));
        const char *pn = need_str(p, "name");
        if (!json_is_integer(json_object_get(p, "phase")) || n != (json_int_t)i + 1) {
            return fail(err, errlen, MC_EFORMAT, "%s: phases[%zu]: \"phase\" must be %zu", name,
                        i, i + 1);
        }
        if (!pn || strcmp(pn, phase_names[i]) != 0) {
            return fail(err, errlen, MC_EFORMAT,
                        "%s: phase %zu: name must be \"%s\" (the contract's name)", name, i + 1,
                        phase_names[i]);
        }
        c->phase[i] = pn;
    }
    return 0;
}

/* Validate one entry into c->crit[id - 1]; `seen` marks ids used. */
static int check_entry(mc_criteria *c, const json_t *e, size_t pos, const char *name,
                       uint8_t *seen, char *err, size_t errlen)
{
    const json_t *jid = json_object_get(e, "id");
    json_int_t id = json_integer_value(jid);
    if (!json_is_object(e) || !json_is_integer(jid) || id < 1 || id > MC_CRITERIA_COUNT) {
        return fail(err, errlen, MC_EFORMAT,
                    "%s: criteria[%zu]: \"id\" must be an integer from 1 to %d", name, pos,
                    MC_CRITERIA_COUNT);
    }
    if (seen[id - 1]) {
        return fail(err, errlen, MC_EFORMAT, "%s: criterion %d: duplicate id", name, (int)id);
    }
    seen[id - 1] = 1;
    mc_criterion *k = &c->crit[id - 1];
    const json_t *jph = json_object_get(e, "phase");
    json_int_t ph = json_integer_value(jph);
    if (!json_is_integer(jph) || ph < 1 || ph > MC_PHASE_COUNT) {
        return fail(err, errlen, MC_EFORMAT, "%s: criterion %d: \"phase\" must be 1 to %d",
                    name, (int)id, MC_PHASE_COUNT);
    }
    static const char *const texts[] = {"name", "meaning", "scoring"};
    const char *t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = need_str(e, texts[i]);
        if (!t[i]) {
            return fail(err, errlen, MC_EFORMAT,
                        "%s: criterion %d: \"%s\" must be a non-empty string", name, (int)id,
                        texts[i]);
        }
    }
    const char *basis = json_string_value(json_object_get(e, "basis"));
    int b = basis_parse(basis);
    if (b < 0) {
        return fail(err, errlen, MC_EFORMAT,
                    "%s: criterion %d: \"basis\" must be computed, manifest or review, not %s%s%s",
                    name, (int)id, basis ? "\"" : "", basis ? basis : "missing",
                    basis ? "\"" : "");
    }
    const char *src = json_string_value(json_object_get(e, "catalog_source"));
    if (!src || (strcmp(src, "confirmed") != 0 && strcmp(src, "reconstructed") != 0)) {
        return fail(err, errlen, MC_EFORMAT,
                    "%s: criterion %d: \"catalog_source\" must be confirmed or reconstructed",
                    name, (int)id);
    }
    const json_t *note = json_object_get(e, "note");
    if (note && !json_is_string(note)) {
        return fail(err, errlen, MC_EFORMAT, "%s: criterion %d: \"note\" must be a string",
                    name, (int)id);
    }
    k->id = (uint32_t)id;
    k->phase = (uint32_t)ph;
    k->name = t[0];
    k->meaning = t[1];
    k->scoring = t[2];
    k->basis = (mc_basis)b;
    k->confirmed = strcmp(src, "confirmed") == 0;
    k->note = json_string_value(note);
    return 0;
}

/* The "checks" lists, validated, into one pointer array. */
static int check_lists(mc_criteria *c, const json_t *list, const char *name, char *err,
                       size_t errlen)
{
    size_t total = 0, i;
    const json_t *e;
    json_array_foreach(list, i, e) {
        const json_t *ch = json_object_get(e, "checks");
        if (ch && !json_is_array(ch)) {
            return fail(err, errlen, MC_EFORMAT, "%s: criterion %d: \"checks\" must be an array",
                        name, (int)json_integer_value(json_object_get(e, "id")));
        }
        total += json_array_size(ch);
    }
    c->checks = mc__calloc(total ? total : 1, sizeof(*c->checks));
    if (!c->checks) {
        return MC_ENOMEM;
    }
    size_t at = 0;
    json_array_foreach(list, i, e) {
        mc_criterion *k = &c->crit[json_integer_value(json_object_get(e, "id")) - 1];
        const json_t *ch = json_object_get(e, "checks");
        k->checks = c->checks + at;
        size_t j;
        const json_t *s;
        json_array_foreach(ch, j, s) {
            if (!known_check(json_string_value(s))) {
                return fail(err, errlen, MC_EFORMAT, "%s: criterion %u: unknown check %s%s%s",
                            name, k->id, json_is_string(s) ? "\"" : "",
                            json_is_string(s) ? json_string_value(s) : "(not a string)",
                            json_is_string(s) ? "\"" : "");
            }
            c->checks[at++] = json_string_value(s);
            k->n_checks++;
        }
    }
    return 0;
}

static int validate(mc_criteria *c, const char *name, char *err, size_t errlen)
{
    const char *fmt = json_string_value(json_object_get(c->doc, "format"));
    if (!json_is_object(c->doc) || !fmt || strcmp(fmt, "medcheck-criteria/1") != 0) {
        return fail(err, errlen, MC_EFORMAT,
                    "%s: not a criteria catalog (\"format\" must be \"medcheck-criteria/1\")",
                    name);
    }
    c->provenance = need_str(c->doc, "provenance");
    if (!c->provenance) {
        return fail(err, errlen, MC_EFORMAT, "%s: \"provenance\" must be a non-empty string",
                    name);
    }
    int rc = check_phases(c, name, err, errlen);
    if (rc < 0) {
        return rc;
    }
    const json_t *list = json_object_get(c->doc, "criteria");
    if (!json_is_array(list) || json_array_size(list) != MC_CRITERIA_COUNT) {
        return fail(err, errlen, MC_EFORMAT, "%s: \"criteria\" must be an array of %d entries "
                    "(found %zu)", name, MC_CRITERIA_COUNT, json_array_size(list));
    }
    uint8_t seen[MC_CRITERIA_COUNT] = {0};
    size_t i;
    const json_t *e;
    json_array_foreach(list, i, e) {
        rc = check_entry(c, e, i, name, seen, err, errlen);
        if (rc < 0) {
            return rc;
        }
    }
    return check_lists(c, list, name, err, errlen);
}

int mc_criteria_parse(mc_criteria **out, const char *text, size_t len, const char *name,
                      char *err, size_t errlen)
{
    if (!out || !text || !name) {
        return fail(err, errlen, MC_EINVAL, "criteria: invalid argument");
    }
    mc_criteria *c = mc__calloc(1, sizeof(*c));
    if (!c) {
        return MC_ENOMEM;
    }
    int rc = MC_ENOMEM;
    c->origin = mc__strdup(name);
    if (!c->origin) {
        goto fail;
    }
    json_error_t je;
    c->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!c->doc) {
        rc = fail(err, errlen, MC_EFORMAT, "%s:%d:%d: not valid JSON: %s", name, je.line,
                  je.column, je.text);
        goto fail;
    }
    rc = validate(c, name, err, errlen);
    if (rc < 0) {
        goto fail;
    }
    *out = c;
    return 0;
fail:
    mc_criteria_close(&c);
    return rc;
}

int mc_criteria_open(mc_criteria **out, const char *path, char *err, size_t errlen)
{
    if (!path) {
        return mc_criteria_parse(out, (const char *)mc__criteria_builtin,
                                 mc__criteria_builtin_len, "built-in", err, errlen);
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return fail(err, errlen, e == ENOENT ? MC_ENOENT : MC_EIO, "%s: cannot open: %s", path,
                    strerror(e));
    }
    mc_buf b;
    mc__buf_init(&b, MC__CRITERIA_MAX_BYTES);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = mc__buf_append(&b, chunk, n);
    }
    if (rc == 0 && ferror(f)) {
        rc = MC_EIO;
    }
    fclose(f);
    if (rc < 0) {
        mc__buf_finish(&b);
        return fail(err, errlen, rc == MC_ELIMIT ? MC_EFORMAT : rc, "%s: cannot read: %s", path,
                    rc == MC_ELIMIT ? "larger than 1 MiB" : mc_strerror(rc));
    }
    rc = mc_criteria_parse(out, b.data ? b.data : "", b.len, path, err, errlen);
    mc__buf_finish(&b);
    return rc;
}

const char *mc_criteria_origin(const mc_criteria *c)
{
    return c ? c->origin : NULL;
}

const char *mc_criteria_provenance(const mc_criteria *c)
{
    return c ? c->provenance : NULL;
}

const mc_criterion *mc_criteria_get(const mc_criteria *c, uint32_t id)
{
    return c && id >= 1 && id <= MC_CRITERIA_COUNT ? &c->crit[id - 1] : NULL;
}

const char *mc_criteria_phase_name(const mc_criteria *c, uint32_t phase)
{
    return c && phase >= 1 && phase <= MC_PHASE_COUNT ? c->phase[phase - 1] : NULL;
}

void mc_criteria_close(mc_criteria **c)
{
    if (!c || !*c) {
        return;
    }
    json_decref((*c)->doc);
    mc__free((*c)->origin);
    mc__free((*c)->checks);
    mc__free(*c);
    *c = NULL;
}
