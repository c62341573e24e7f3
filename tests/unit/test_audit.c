/* SPDX-License-Identifier: MIT */
/* Unit tests of the audit: the chi-square survival function against
 * closed forms, the criteria catalog and its validation, PHI-like string
 * and ICD code patterns on real-looking text, exact and near-duplicate
 * grouping (against brute force), and the real counts on real files. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <medcheck/audit.h>
#include <medcheck/bench.h>

#include "audit/audit_int.h"
#include "testutil.h"
#include "util/alloc.h"

/* ---- chi-square */

/* References from the closed forms (even df: Poisson sum; odd df: erfc
 * plus a finite series), computed independently in Python. */
static const struct {
    double x;
    int df;
    double p;
} chisq_ref[] = {
    {3.841458820694124, 1, 0.050000000000000079},
    {7.814727903251178, 3, 0.050000000000000044},
    {0.5, 1, 0.47950012218695348},
    {1.0, 2, 0.60653065971263342},
    {149.372938, 3, 3.5977705790531343e-32},
    {9.487729036781154, 4, 0.050000000000000058},
    {100.0, 100, 0.48119168452795585},
    {0.001, 5, 0.99999999831851227},
    {50.0, 3, 7.9891792449514769e-11},
    {30.0, 30, 0.46565370894400959},
    {2.0, 7, 0.95984036873010148},
    {1e-08, 2, 0.99999999500000003},
    {250.0, 4, 6.5096899973756672e-53},
    {60.0, 31, 0.0013497859785251329},
    {12.0, 9, 0.21330930508341647},
};

static void test_mc__chisq_sf_known_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(chisq_ref) / sizeof(chisq_ref[0]); i++) {
        double p = mc__chisq_sf(chisq_ref[i].x, chisq_ref[i].df);
        double rel = fabs(p - chisq_ref[i].p) / chisq_ref[i].p;
        if (rel > 1e-10) {
            fail_msg("chisq_sf(%g, %d) = %.17g, expected %.17g", chisq_ref[i].x,
                     chisq_ref[i].df, p, chisq_ref[i].p);
        }
    }
}

static void test_mc__gamma_q_edges(void **state)
{
    (void)state;
    assert_true(mc__gamma_q(2.5, 0.0) == 1.0);
    assert_true(mc__gamma_q(3.0, INFINITY) == 0.0);
    assert_true(isnan(mc__gamma_q(0.0, 1.0)));
    assert_true(isnan(mc__gamma_q(1.0, -1.0)));
    for (double x = 0.01; x < 40; x *= 1.7) { /* Q(1, x) = e^-x */
        assert_true(fabs(mc__gamma_q(1.0, x) - exp(-x)) <= 1e-14 * exp(-x) + 1e-300);
    }
    assert_true(mc__chisq_sf(0.0, 3) == 1.0);
    assert_true(mc__chisq_sf(-1.0, 3) == 1.0);
    assert_true(isnan(mc__chisq_sf(1.0, 0)));
    /* monotone in x */
    double last = 1.0;
    for (double x = 0.1; x < 200; x += 0.7) {
        double p = mc__chisq_sf(x, 4);
        assert_true(p <= last);
        last = p;
    }
}

/* ---- the criteria catalog */

static void test_mc_criteria_open_builtin(void **state)
{
    (void)state;
    char err[512] = "";
    mc_criteria *c = NULL;
    assert_int_equal(mc_criteria_open(&c, NULL, err, sizeof(err)), 0);
    assert_string_equal(mc_criteria_origin(c), "built-in");
    static const char *const phases[] = {
        "Design & Conceptualization", "Dataset Construction & Management",
        "Technical Implementation & Evaluation Methodology",
        "Benchmark Validity & Performance Verification", "Documentation, Openness & Governance",
    };
    for (uint32_t p = 1; p <= 5; p++) {
        assert_string_equal(mc_criteria_phase_name(c, p), phases[p - 1]);
    }
    assert_null(mc_criteria_phase_name(c, 0));
    assert_null(mc_criteria_phase_name(c, 6));
    assert_null(mc_criteria_get(c, 0));
    assert_null(mc_criteria_get(c, 47));
    int per_phase[6] = {0}, basis[3] = {0}, last_phase = 1;
    uint64_t confirmed = 0;
    for (uint32_t id = 1; id <= 46; id++) {
        const mc_criterion *k = mc_criteria_get(c, id);
        assert_non_null(k);
        assert_int_equal(k->id, id);
        assert_true(k->phase >= (uint32_t)last_phase); /* phases run in id order */
        last_phase = (int)k->phase;
        per_phase[k->phase]++;
        basis[k->basis]++;
        confirmed |= k->confirmed ? UINT64_C(1) << id : 0;
        assert_true(strlen(k->name) > 3 && strlen(k->meaning) > 20 && strlen(k->scoring) > 10);
    }
    /* exactly the criteria whose number and content are public */
    uint64_t want = 0;
    static const int seen[] = {9, 12, 13, 16, 23, 28, 30, 37};
    for (size_t i = 0; i < 8; i++) {
        want |= UINT64_C(1) << seen[i];
    }
    assert_true(confirmed == want);
    assert_int_equal(per_phase[1] + per_phase[2] + per_phase[3] + per_phase[4] + per_phase[5],
                     46);
    assert_int_equal(basis[MC_BASIS_COMPUTED], 6);
    assert_int_equal(basis[MC_BASIS_REVIEW], 9);
    assert_int_equal(mc_criteria_get(c, 23)->basis, MC_BASIS_COMPUTED);
    assert_string_equal(mc_basis_name(MC_BASIS_MANIFEST), "manifest");
    mc_criteria_close(&c);
    assert_null(c);
    mc_criteria_close(&c);
}

/* The file in data/ and the compiled-in copy are the same catalog. */
static void test_mc_criteria_open_file_matches_builtin(void **state)
{
    (void)state;
    char err[512] = "";
    mc_criteria *f = NULL, *b = NULL;
    assert_int_equal(mc_criteria_open(&f, tu_src("data/criteria.json"), err, sizeof(err)), 0);
    assert_int_equal(mc_criteria_open(&b, NULL, err, sizeof(err)), 0);
    for (uint32_t id = 1; id <= 46; id++) {
        assert_string_equal(mc_criteria_get(f, id)->name, mc_criteria_get(b, id)->name);
        assert_string_equal(mc_criteria_get(f, id)->meaning, mc_criteria_get(b, id)->meaning);
        assert_int_equal(mc_criteria_get(f, id)->basis, mc_criteria_get(b, id)->basis);
    }
    mc_criteria_close(&f);
    mc_criteria_close(&b);
}

/* The built-in catalog with `from` replaced by `to` (first occurrence). */
static char *patched(const char *from, const char *to)
{
    size_t n;
    char *text = tu_slurp(tu_src("data/criteria.json"), &n);
    assert_non_null(text);
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t nf = strlen(from), nt = strlen(to);
    char *out = malloc(n - nf + nt + 1);
    assert_non_null(out);
    memcpy(out, text, (size_t)(at - text));
    memcpy(out + (at - text), to, nt);
    memcpy(out + (at - text) + nt, at + nf, n - (size_t)(at - text) - nf + 1);
    free(text);
    return out;
}

static void expect_invalid(const char *from, const char *to, const char *msg_part)
{
    char *text = patched(from, to);
    char err[512] = "";
    mc_criteria *c = NULL;
    int rc = mc_criteria_parse(&c, text, strlen(text), "my.json", err, sizeof(err));
    free(text);
    if (rc != MC_EFORMAT || !strstr(err, msg_part) || strncmp(err, "my.json", 7) != 0) {
        fail_msg("replacing %s by %s: rc %d, message '%s' (wanted '%s')", from, to, rc, err,
                 msg_part);
    }
    assert_null(c);
}

static void test_mc_criteria_parse_rejects_bad_catalogs(void **state)
{
    (void)state;
    expect_invalid("{\"id\": 2,", "{\"id\": 1,", "criterion 1: duplicate id");
    expect_invalid("{\"id\": 46,", "{\"id\": 47,", "\"id\" must be an integer from 1 to 46");
    expect_invalid("{\"id\": 3, \"phase\": 1,", "{\"id\": 3, \"phase\": 6,",
                   "criterion 3: \"phase\" must be 1 to 5");
    expect_invalid("\"basis\": \"review\"", "\"basis\": \"reviewer\"",
                   "\"basis\" must be computed, manifest or review, not \"reviewer\"");
    expect_invalid("\"catalog_source\": \"confirmed\"", "\"catalog_source\": \"seen\"",
                   "criterion 9: \"catalog_source\" must be confirmed or reconstructed");
    expect_invalid("\"checks\": [\"codes\"]", "\"checks\": [\"icd\"]",
                   "criterion 9: unknown check \"icd\"");
    expect_invalid("\"Design & Conceptualization\"", "\"Design\"",
                   "phase 1: name must be \"Design & Conceptualization\"");
    expect_invalid("\"medcheck-criteria/1\"", "\"medcheck-criteria/2\"", "not a criteria catalog");
    expect_invalid("\"name\": \"Licence\",", "\"name\": \"\",",
                   "criterion 43: \"name\" must be a non-empty string");
    expect_invalid("\"criteria\": [", "\"criteria\": [{\"id\": 47},", "46 entries (found 47)");
    expect_invalid("\"phases\": [", "\"phases\": [,", "my.json:");
    /* a JSON error names the line */
    char err[512] = "";
    mc_criteria *c = NULL;
    assert_int_equal(mc_criteria_parse(&c, "{\n\"format\":\n}", 13, "x.json", err, sizeof(err)),
                     MC_EFORMAT);
    assert_non_null(strstr(err, "x.json:3:"));
    assert_int_equal(mc_criteria_open(&c, "/nonexistent/criteria.json", err, sizeof(err)),
                     MC_ENOENT);
    assert_non_null(strstr(err, "/nonexistent/criteria.json"));
    assert_null(c);
}

/* ---- PHI-like strings */

typedef struct found {
    int kinds[64];
    int n;
} found;

static int on_found(void *ctx, int kind, size_t off, size_t len)
{
    found *f = ctx;
    (void)off;
    (void)len;
    if (f->n < 64) {
        f->kinds[f->n++] = kind;
    }
    return 0;
}

static found phi_of(const char *s)
{
    found f;
    memset(&f, 0, sizeof(f));
    assert_true(mc__phi_scan(s, strlen(s), on_found, &f) >= 0);
    return f;
}

/* Every string must give exactly one match, of the kind and text given. */
typedef struct phi_case {
    const char *text;
    int kind;
    const char *match;
} phi_case;

static const char *match_text;
static int match_kind;
static int match_count;

static int on_check(void *ctx, int kind, size_t off, size_t len)
{
    const char *s = ctx;
    match_count++;
    if (kind != match_kind || strlen(match_text) != len || strncmp(s + off, match_text, len)) {
        fail_msg("'%s': got %s '%.*s', expected %s '%s'", s, mc__phi_kind_name(kind), (int)len,
                 s + off, mc__phi_kind_name(match_kind), match_text);
    }
    return 0;
}

static void test_mc__phi_scan_positives(void **state)
{
    (void)state;
    static const phi_case cases[] = {
        {"Contact the study coordinator at maria.gonzalez@stanfordhealth.org for records.",
         MC__PHI_EMAIL, "maria.gonzalez@stanfordhealth.org"},
        {"*Correspondence: l.coin@imb.uq.edu.au", MC__PHI_EMAIL, "l.coin@imb.uq.edu.au"},
        {"Availability: contact dan@petagene.comSupplementary data are available.",
         MC__PHI_EMAIL, "dan@petagene.com"},
        {"Her daughter can be reached at (617) 555-0143 after 5 pm.", MC__PHI_PHONE,
         "(617) 555-0143"},
        {"Call 617-555-0143 to schedule.", MC__PHI_PHONE, "617-555-0143"},
        {"Pager: +1 415.555.2671.", MC__PHI_PHONE, "+1 415.555.2671"},
        {"Patient SSN 078-05-1120 was found on the intake form.", MC__PHI_SSN, "078-05-1120"},
        {"Social security number: 219099999 (verified).", MC__PHI_SSN, "219099999"},
        {"Name: John Smith, DOB: 03/14/1958, presents with chest pain.", MC__PHI_DOB,
         "03/14/1958"},
        {"Date of birth: March 4, 1962. Admitted for pneumonia.", MC__PHI_DOB, "March 4, 1962"},
        {"The infant, born on 2019-07-23, was discharged.", MC__PHI_DOB, "2019-07-23"},
        {"d.o.b. 4 Jan 1949; allergies: none", MC__PHI_DOB, "4 Jan 1949"},
        {"MRN: 00482913. Chief complaint: fever.", MC__PHI_MRN, "00482913"},
        {"Medical record number 7734-2201-9 was merged.", MC__PHI_MRN, "7734-2201-9"},
        {"He lives at 1420 Maple Street with his wife.", MC__PHI_ADDRESS, "1420 Maple Street"},
        {"Send forms to 77 W. Oak Ave. before Monday.", MC__PHI_ADDRESS, "77 W. Oak Ave."},
        {"Mail to P.O. Box 1187, Springfield.", MC__PHI_ADDRESS, "P.O. Box 1187"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        match_text = cases[i].match;
        match_kind = cases[i].kind;
        match_count = 0;
        mc__phi_scan(cases[i].text, strlen(cases[i].text), on_check, (void *)cases[i].text);
        if (match_count != 1) {
            fail_msg("'%s': %d matches, expected 1", cases[i].text, match_count);
        }
    }
}

/* Vignette text full of numbers that look a little like PHI. */
static void test_mc__phi_scan_negatives(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "A 45-year-old man presents with a blood pressure of 150/95 mm Hg and pulse 110/min.",
        ("Laboratory studies show: Hemoglobin 12.5 g/dL, Leukocyte count 11,500/mm3, "
         "Platelet count 250,000/mm3, Na+ 140 mEq/L."),
        "ISBN 978-0-07-180215-4; PMID 23456789; doi:10.1056/NEJMoa1200303.",
        "Values 250 300 1000 and 120-130-1400 appear in the table.",
        "She was born at 38 weeks' gestation after an uncomplicated pregnancy.",
        "Best noninvasive investigation: FDG-18 PET CT",
        "The 2 Main findings were 3 Large Lesions.",
        "Follow-up in 2019-2020 showed 555-12-345 copies.",
        "SSN-like 000-12-3456 and 666-12-3456 and 900-12-3456 are never issued.",
        "Reply to @handle or email me at name@host.",
        "The medical record shows 3 prior admissions; patient ID pending.",
        "Dosage: 5 mg/kg on day 1, 2.5 mg/kg on days 2-5; follow up on 12/2020.",
        "Stage 3 Hodgkin disease; type 2 Diabetes Mellitus.",
        "He takes 2 St. John's wort capsules and 1 Dr. Smith prescribed.",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        found f = phi_of(texts[i]);
        if (f.n != 0) {
            fail_msg("'%s': %d PHI-like matches (kind %s), expected none", texts[i], f.n,
                     mc__phi_kind_name(f.kinds[0]));
        }
    }
}

/* ---- medical codes */

typedef struct code_seen {
    int n, valid, system;
    char first[32];
} code_seen;

static int on_code_seen(void *ctx, int system, size_t off, size_t len, int valid)
{
    code_seen *c = ctx;
    (void)off;
    (void)len;
    c->n++;
    c->valid += valid;
    c->system = system;
    return 0;
}

static code_seen codes_of(const char *s, int *markers)
{
    code_seen c;
    memset(&c, 0, sizeof(c));
    *markers = mc__codes_scan(s, strlen(s), on_code_seen, &c);
    return c;
}

static void test_mc__codes_scan(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int markers, codes, valid, system;
    } cases[] = {
        {"A total of 349 testicles from 1126 charts (ICD-9=752.51) were identified.", 1, 1, 1,
         MC__CODE_ICD9},
        {"Depression was defined by ICD-10 codes F32.0, F32.1 and F33.9.", 1, 3, 3,
         MC__CODE_ICD10},
        {"coded as ICD-10-CM E11.65 or Z3A.32", 1, 2, 2, MC__CODE_ICD10},
        {"ICD-10: F3.21 (a typo for F32.1)", 1, 1, 0, MC__CODE_ICD10},
        {"ICD-11 6A70 (single episode depressive disorder)", 1, 1, 1, MC__CODE_ICD11},
        {"ICD-11 6I70", 1, 1, 0, MC__CODE_ICD11},
        {"ICD9 V45.81 and E849.0", 1, 2, 2, MC__CODE_ICD9},
        {"Which personality disorder is not in the ICD-10 ?", 1, 0, 0, 0},
        {"ICD-10 in 2015 replaced ICD-9.", 2, 0, 0, 0},
        {"Best method to know the position and integrity of ICD is:", 0, 0, 0, 0},
        {"ICDAS scores caries; AICD placed.", 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int markers;
        code_seen c = codes_of(cases[i].text, &markers);
        if (markers != cases[i].markers || c.n != cases[i].codes || c.valid != cases[i].valid ||
            (c.n && c.system != cases[i].system)) {
            fail_msg("'%s': %d markers, %d codes, %d valid (expected %d, %d, %d)",
                     cases[i].text, markers, c.n, c.valid, cases[i].markers, cases[i].codes,
                     cases[i].valid);
        }
    }
}

/* ---- grouping */

static void test_mc__group_exact_groups_and_reps(void **state)
{
    (void)state;
    const char *t[] = {"a b", "c", NULL, "a b", "", "c", "d", "a b"};
    uint32_t rep[8];
    mc__groups g;
    assert_int_equal(mc__group_exact(t, 8, &g, rep), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.surplus, 3);
    assert_int_equal(g.start[1] - g.start[0], 3); /* "a b": 0, 3, 7 */
    assert_int_equal(g.members[0], 0);
    assert_int_equal(g.members[1], 3);
    assert_int_equal(g.members[2], 7);
    assert_int_equal(g.members[3], 1); /* "c": 1, 5 */
    assert_int_equal(g.members[4], 5);
    assert_int_equal(rep[2], MC__NONE);
    assert_int_equal(rep[4], MC__NONE);
    assert_int_equal(rep[7], 0);
    assert_int_equal(rep[5], 1);
    assert_int_equal(rep[6], 6);
    mc__groups_finish(&g);
}

/* Random texts over a small vocabulary: clusters from the prefix-filtered
 * join must equal those of a brute-force comparison of every pair. */
#define NT 240

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted distinct 3-grams (as strings) of a text. */
static int grams(const char *t, char out[][48], int max)
{
    char w[64][16];
    int nw = 0;
    for (const char *p = t; *p && nw < 64;) {
        int k = 0;
        while (p[k] && p[k] != ' ') {
            k++;
        }
        snprintf(w[nw++], sizeof(w[0]), "%.*s", k, p);
        p += k + (p[k] == ' ');
    }
    int len = nw < 3 ? nw : 3, n = 0;
    for (int i = 0; i + len <= nw && n < max; i++) {
        out[n][0] = '\0';
        for (int j = 0; j < len; j++) {
            strcat(out[n], w[i + j]);
            strcat(out[n], " ");
        }
        n++;
    }
    char *ptr[64];
    for (int i = 0; i < n; i++) {
        ptr[i] = out[i];
    }
    qsort(ptr, (size_t)n, sizeof(char *), cmp_str);
    char tmp[64][48];
    int u = 0;
    for (int i = 0; i < n; i++) {
        if (u == 0 || strcmp(tmp[u - 1], ptr[i]) != 0) {
            snprintf(tmp[u++], sizeof(tmp[0]), "%s", ptr[i]);
        }
    }
    memcpy(out, tmp, sizeof(tmp[0]) * (size_t)u);
    return u;
}

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        x = p[x];
    }
    return x;
}

static void test_mc__group_near_matches_brute_force(void **state)
{
    (void)state;
    static const char *const vocab[] = {"the", "of", "pain", "fever", "acute", "renal",
                                        "failure", "drug", "x"};
    static char buf[NT][200];
    const char *t[NT];
    srand(12345);
    for (int i = 0; i < NT; i++) {
        int len = 2 + rand() % 10;
        buf[i][0] = '\0';
        if (i >= 20 && rand() % 3 == 0) { /* a variant of an earlier text */
            snprintf(buf[i], sizeof(buf[i]), "%s %s", buf[rand() % 20], vocab[rand() % 9]);
        } else {
            for (int j = 0; j < len; j++) {
                strcat(buf[i], j ? " " : "");
                strcat(buf[i], vocab[rand() % 4 == 0 ? rand() % 9 : rand() % 3 + 2]);
            }
        }
        t[i] = buf[i];
    }
    for (double th = 0.5; th <= 1.0; th += 0.25) {
        uint32_t rep[NT];
        mc__groups ex, ne;
        assert_int_equal(mc__group_exact(t, NT, &ex, rep), 0);
        assert_int_equal(mc__group_near(t, rep, NT, th, &ne), 0);
        assert_true(ne.n >= (th < 0.6 ? 10u : 1u)); /* the test compares something */
        uint32_t parent[NT];
        static char ga[64][48], gb[64][48];
        for (uint32_t i = 0; i < NT; i++) {
            parent[i] = i;
        }
        for (uint32_t i = 0; i < NT; i++) {
            if (rep[i] != i) {
                continue;
            }
            int na = grams(t[i], ga, 64);
            for (uint32_t j = i + 1; j < NT; j++) {
                if (rep[j] != j) {
                    continue;
                }
                int nb = grams(t[j], gb, 64), k = 0;
                for (int x = 0; x < na; x++) {
                    for (int y = 0; y < nb; y++) {
                        k += strcmp(ga[x], gb[y]) == 0;
                    }
                }
                if ((double)k / (na + nb - k) >= th - 1e-12) {
                    uint32_t a = uf_find(parent, i), b = uf_find(parent, j);
                    parent[a > b ? a : b] = a < b ? a : b;
                }
            }
        }
        /* every item's cluster (by its text's root) against the groups */
        uint32_t cl_of[NT], size[NT] = {0};
        for (uint32_t i = 0; i < NT; i++) {
            size[uf_find(parent, i)] += rep[i] == i;
            cl_of[i] = MC__NONE;
        }
        for (uint32_t k = 0; k < ne.n; k++) {
            for (uint32_t m = ne.start[k]; m < ne.start[k + 1]; m++) {
                cl_of[ne.members[m]] = k;
            }
        }
        for (uint32_t i = 0; i < NT; i++) {
            uint32_t root = uf_find(parent, rep[i]);
            if (size[root] < 2) {
                assert_int_equal(cl_of[i], MC__NONE);
                continue;
            }
            assert_int_not_equal(cl_of[i], MC__NONE);
            for (uint32_t j = 0; j < i; j++) {
                int same = uf_find(parent, rep[j]) == root;
                assert_int_equal(same, cl_of[j] == cl_of[i]);
            }
        }
        mc__groups_finish(&ex);
        mc__groups_finish(&ne);
    }
}

/* ---- the audit on real files */

static mc_bench *read_bench(const char *const *paths, size_t n)
{
    mc_bench *b = NULL;
    mc_bench_opts o;
    mc_bench_opts_default(&o);
    assert_int_equal(mc_bench_create(&b), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(mc_bench_read(b, paths[i], &o), 0);
    }
    return b;
}

static void compute(mc__audit *a, mc_bench *b, mc_audit_opts *o, mc_criteria **c)
{
    mc_audit_opts_default(o);
    assert_int_equal(mc_criteria_open(c, NULL, NULL, 0), 0);
    assert_int_equal(mc__audit_compute(a, b, o, *c), 0);
}

/* MedMCQA dev (bundled copy): 17 duplicate stems under the lm-eval rule,
 * 20 under the medcheck normalisation (which also splits "stage-I" and
 * "non- competitive"), 12 duplicate question + options texts. */
static void test_mc__audit_compute_medmcqa_dev(void **state)
{
    (void)state;
    const char *p[] = {tu_src("corpora/benchmarks/dev.json.zst")};
    mc_bench *b = read_bench(p, 1);
    mc__audit a;
    mc_audit_opts o;
    mc_criteria *c = NULL;
    compute(&a, b, &o, &c);
    assert_int_equal(a.n, 4183);
    assert_int_equal(a.stems_gpt3.n, 17);
    assert_int_equal(a.stems_gpt3.surplus, 17);
    assert_int_equal(a.stems.n, 20);
    assert_int_equal(a.exact.n, 12);
    assert_int_equal(a.exact.surplus, 12);
    assert_int_equal(a.near.n, 10);
    /* the answer-letter test: counts from the file, p from chisq_sf */
    const mc__balance *bl = &a.bal[0];
    assert_int_equal(bl->answered, 4183);
    assert_int_equal(bl->counts[0] + bl->counts[1] + bl->counts[2] + bl->counts[3], 4183);
    assert_int_equal(bl->df, 3);
    assert_true(fabs(bl->p - mc__chisq_sf(bl->chi2, 3)) == 0.0);
    assert_true(bl->p < 1e-20);
    mc__audit_finish(&a);
    mc_criteria_close(&c);
    mc_bench_destroy(&b);
}

/* The MMLU test files of college_medicine and clinical_knowledge share 77
 * distinct questions (78 items on each side: one stem occurs twice in
 * each file with other options), i.e. 78 question + options texts. */
static void test_mc__audit_compute_mmlu_shared(void **state)
{
    (void)state;
    char p0[4096], p1[4096];
    snprintf(p0, sizeof(p0), "%s", tu_src("corpora/benchmarks/college_medicine_test.csv.zst"));
    snprintf(p1, sizeof(p1), "%s", tu_src("corpora/benchmarks/clinical_knowledge_test.csv.zst"));
    const char *p[] = {p0, p1};
    mc_bench *b = read_bench(p, 2);
    mc__audit a;
    mc_audit_opts o;
    mc_criteria *c = NULL;
    compute(&a, b, &o, &c);
    assert_int_equal(a.n, 173 + 265);
    assert_int_equal(a.stems.n, 77);
    assert_int_equal(a.exact.n, 78);
    for (uint32_t k = 0; k < a.exact.n; k++) { /* each: one item of each file */
        assert_int_equal(a.exact.start[k + 1] - a.exact.start[k], 2);
        assert_int_not_equal(a.src[a.exact.members[a.exact.start[k]]],
                             a.src[a.exact.members[a.exact.start[k] + 1]]);
    }
    mc__audit_finish(&a);
    mc_criteria_close(&c);
    mc_bench_destroy(&b);
}

/* HEAD-QA EN test: 12 surplus items in 8 groups of equal stems. */
static void test_mc__audit_compute_headqa_en(void **state)
{
    (void)state;
    const char *path = tu_ext("headqa/test_HEAD_EN.json");
    if (!path) {
        skip();
    }
    const char *p[] = {path};
    mc_bench *b = read_bench(p, 1);
    mc__audit a;
    mc_audit_opts o;
    mc_criteria *c = NULL;
    compute(&a, b, &o, &c);
    assert_int_equal(a.n, 2742);
    assert_int_equal(a.stems.n, 8);
    assert_int_equal(a.stems.surplus, 12);
    assert_int_equal(a.stems_gpt3.n, 8);
    assert_int_equal(a.exact.n, 1);
    mc__audit_finish(&a);
    mc_criteria_close(&c);
    mc_bench_destroy(&b);
}

/* Allocation failures anywhere in the audit are reported, never crash. */
static void test_mc__audit_compute_alloc_failure(void **state)
{
    (void)state;
    char dir[] = "/tmp/mcaudit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/b.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    const char *lines =
        "{\"question\": \"Which nerve? Contact a.b@example.org\", \"options\": {\"A\": \"x\","
        " \"B\": \"y\"}, \"answer_idx\": \"A\"}\n"
        "{\"question\": \"Which nerve? Contact a.b@example.org\", \"options\": {\"A\": \"x\","
        " \"B\": \"y\"}, \"answer_idx\": \"B\"}\n"
        "{\"question\": \"Which nerve is it? ICD-10 F32.1\", \"options\": {\"A\": \"x\","
        " \"B\": \"x\"}, \"answer_idx\": \"A\"}\n";
    assert_int_equal(fputs(lines, f) >= 0, 1);
    fclose(f);
    const char *p[] = {path};
    mc_bench *b = read_bench(p, 1);
    mc_criteria *c = NULL;
    assert_int_equal(mc_criteria_open(&c, NULL, NULL, 0), 0);
    mc_audit_opts o;
    mc_audit_opts_default(&o);
    int ok = 0;
    for (unsigned long n = 1; n < 400 && !ok; n++) {
        mc__audit a;
        mc__alloc_fail_after(n);
        int rc = mc__audit_compute(&a, b, &o, c);
        mc__alloc_fail_after(0);
        assert_true(rc == 0 || rc == MC_ENOMEM);
        ok = rc == 0;
        if (ok) {
            assert_int_equal(a.exact.n, 1);
            assert_int_equal(a.phi.n, 2);
            assert_int_equal(a.codes.n, 1);
            assert_int_equal(a.bad[2], MC__BAD_DUP_OPTIONS);
        }
        mc__audit_finish(&a);
    }
    assert_true(ok);
    mc_criteria_close(&c);
    mc_bench_destroy(&b);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc__chisq_sf_known_values),
        cmocka_unit_test(test_mc__gamma_q_edges),
        cmocka_unit_test(test_mc_criteria_open_builtin),
        cmocka_unit_test(test_mc_criteria_open_file_matches_builtin),
        cmocka_unit_test(test_mc_criteria_parse_rejects_bad_catalogs),
        cmocka_unit_test(test_mc__phi_scan_positives),
        cmocka_unit_test(test_mc__phi_scan_negatives),
        cmocka_unit_test(test_mc__codes_scan),
        cmocka_unit_test(test_mc__group_exact_groups_and_reps),
        cmocka_unit_test(test_mc__group_near_matches_brute_force),
        cmocka_unit_test(test_mc__audit_compute_medmcqa_dev),
        cmocka_unit_test(test_mc__audit_compute_mmlu_shared),
        cmocka_unit_test(test_mc__audit_compute_headqa_en),
        cmocka_unit_test(test_mc__audit_compute_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
