/* SPDX-License-Identifier: MIT */
/* Unit tests of the manifest validator (src/report/manifest.c): SPDX ids,
 * URLs, e-mail addresses, key suggestions, one error of each kind with its
 * line, checksums against a real file, dataset-card front matter and its
 * line numbers, alias expansion and alias bombs, size and nesting limits;
 * and criterion 23's formula. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/report_int.h"

static int parse(mc_manifest *m, const char *text)
{
    return mc__manifest_parse(m, "t.yaml", text, strlen(text));
}

/* The finding of `kind` on `line` whose message contains `needle`. */
static int has(const mc_manifest *m, const char *kind, int line, const char *needle)
{
    for (size_t i = 0; i < m->ndiag; i++) {
        if (strcmp(m->diag[i].kind, kind) == 0 && m->diag[i].line == line &&
            strstr(m->diag[i].msg, needle)) {
            return 1;
        }
    }
    return 0;
}

static void dump(const mc_manifest *m)
{
    for (size_t i = 0; i < m->ndiag; i++) {
        fprintf(stderr, "  [%s] %s\n", m->diag[i].kind, m->diag[i].msg);
    }
}

static void test_spdx(void **state)
{
    (void)state;
    assert_true(mc__spdx_known("MIT"));
    assert_true(mc__spdx_known("Apache-2.0"));
    assert_true(mc__spdx_known("cc-by-sa-4.0"));
    assert_true(mc__spdx_known("CC0-1.0"));
    assert_false(mc__spdx_known("MIT-2"));
    assert_false(mc__spdx_known("apache"));
    assert_false(mc__spdx_known(""));
    assert_false(mc__spdx_known(NULL));
}

static void test_url(void **state)
{
    (void)state;
    assert_true(mc__url_valid("https://example.org"));
    assert_true(mc__url_valid("http://example.org:8080/a/b?c=d#e"));
    assert_true(mc__url_valid("https://huggingface.co/datasets/x/y"));
    assert_true(mc__url_valid("http://localhost:3000/"));
    assert_false(mc__url_valid("htp://example.org"));
    assert_false(mc__url_valid("ftp://example.org"));
    assert_false(mc__url_valid("https://"));
    assert_false(mc__url_valid("https://exa mple.org"));
    assert_false(mc__url_valid("https://example.org/a b"));
    assert_false(mc__url_valid("https://nohost"));
    assert_false(mc__url_valid("https://.example.org"));
    assert_false(mc__url_valid("https://example.org:99999999/"));
    assert_false(mc__url_valid("example.org"));
    assert_true(mc__email_valid("bench@example.org"));
    assert_true(mc__email_valid("mailto:bench@example.org"));
    assert_false(mc__email_valid("bench@"));
    assert_false(mc__email_valid("@example.org"));
    assert_false(mc__email_valid("bench example.org"));
}

static void test_closest(void **state)
{
    (void)state;
    static const char *const keys[] = {"license", "license_url", "version", "feedback",
                                       "contamination", NULL};
    assert_string_equal(mc__closest_key("licence", keys), "license");
    assert_string_equal(mc__closest_key("licence_url", keys), "license_url");
    assert_string_equal(mc__closest_key("verison", keys), "version");
    assert_string_equal(mc__closest_key("contam", keys), "contamination");
    assert_null(mc__closest_key("zzzzzzzz", keys));
}

static void test_each_error_kind(void **state)
{
    (void)state;
    char dir[] = "/tmp/mcrepXXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], data[300];
    snprintf(data, sizeof(data), "%s/data.txt", dir);
    FILE *f = fopen(data, "w");
    assert_non_null(f);
    fputs("hello\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/m.yaml", dir);
    /* sha256("hello\n") */
    const char *good = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    char text[2048];
    snprintf(text, sizeof(text),
             "name: x\n"                                /* 1 */
             "license: MIT-2\n"                         /* 2 spdx */
             "release:\n"                               /* 3 */
             "  data_url: htp://example.org/data\n"     /* 4 url */
             "checksums:\n"                             /* 5 */
             "  - file: data.txt\n"                     /* 6 */
             "    sha256: %064d\n"                      /* 7 checksum */
             "  - file: data.txt\n"                     /* 8 */
             "    sha256: %s\n"                         /* 9 ok */
             "licence_url: https://example.org/l\n"     /* 10 unknown */
             "agreement:\n"                             /* 11 */
             "  value: high\n"                          /* 12 type */
             "contamination:\n"                         /* 13 */
             "  private_test_set: maybe\n"              /* 14 type */
             "  canarie: X\n"                           /* 15 unknown nested */
             "scope: [a, b]\n",                         /* 16 type */
             0, good);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    mc_manifest m;
    assert_int_equal(mc__manifest_load(&m, path), 0);
    dump(&m);
    assert_true(has(&m, "spdx", 2, "\"MIT-2\" is not a known SPDX licence id"));
    assert_true(has(&m, "url", 4, "htp://example.org/data"));
    assert_true(has(&m, "checksum", 7, "checksum mismatch for \"data.txt\""));
    assert_true(has(&m, "unknown_key", 10, "did you mean \"license_url\"?"));
    assert_true(has(&m, "type", 12, "\"agreement.value\" must be a number"));
    assert_true(has(&m, "type", 14, "must be true or false"));
    assert_true(has(&m, "unknown_key", 15, "did you mean \"contamination.canary\"?"));
    assert_true(has(&m, "type", 16, "\"scope\" must be a mapping"));
    assert_int_equal(m.ndiag, 8);
    /* every message names the file and line */
    for (size_t i = 0; i < m.ndiag; i++) {
        char want[300];
        snprintf(want, sizeof(want), "%s:%d: ", path, m.diag[i].line);
        assert_true(strncmp(m.diag[i].msg, want, strlen(want)) == 0);
    }
    assert_int_equal(m.checksums_bad, 1);
    assert_false(m.checksums_ok);
    mc__manifest_free(&m);
    unlink(data);
    unlink(path);
    rmdir(dir);
}

static void test_lookup(void **state)
{
    (void)state;
    mc_manifest m;
    assert_int_equal(parse(&m, "base: &b {plan: yearly}\n"
                               "maintenance: *b\n"
                               "contamination: {canary: [\"C1\", \"C2\"], private_test_set: no}\n"),
                     0);
    /* "base" is unknown, the alias expands */
    assert_true(has(&m, "unknown_key", 1, "unknown key \"base\""));
    const mc_mnode *n = mc__manifest_get(&m, "maintenance.plan");
    assert_non_null(n);
    assert_string_equal(n->str, "yearly");
    assert_true(mc__mnode_truthy(mc__manifest_get(&m, "contamination.canary")));
    assert_false(mc__mnode_truthy(mc__manifest_get(&m, "contamination.private_test_set")));
    assert_null(mc__manifest_get(&m, "contamination.decontamination"));
    mc__manifest_free(&m);
}

static void test_dataset_card(void **state)
{
    (void)state;
    mc_manifest m;
    assert_int_equal(parse(&m, "---\n"
                               "license: apache-2.0\n"
                               "language:\n- en\n"
                               "task_categories: [question-answering]\n"
                               "source_datasets: [original]\n"
                               "licnese_name: x\n" /* line 7 */
                               "---\n# Card\n\nlicense: not: yaml: here\n"),
                     0);
    dump(&m);
    assert_true(m.hf_card);
    assert_true(has(&m, "unknown_key", 7, "did you mean \"license_name\"?"));
    assert_int_equal(m.ndiag, 1);
    const mc_mnode *l = mc__manifest_get(&m, "license");
    assert_non_null(l);
    assert_string_equal(l->str, "apache-2.0");
    assert_non_null(mc__manifest_get(&m, "scope.task_types"));
    assert_non_null(mc__manifest_get(&m, "sources"));
    assert_null(mc__manifest_get(&m, "intended_use"));
    mc__manifest_free(&m);
}

static void test_limits(void **state)
{
    (void)state;
    /* billion laughs: 9^9 nodes after expansion */
    char bomb[4096];
    size_t o = (size_t)snprintf(bomb, sizeof(bomb), "a: &a [x,x,x,x,x,x,x,x,x]\n");
    for (int i = 1; i < 9; i++) {
        o += (size_t)snprintf(bomb + o, sizeof(bomb) - o, "%c: &%c [", 'a' + i, 'a' + i);
        for (int k = 0; k < 9; k++) {
            o += (size_t)snprintf(bomb + o, sizeof(bomb) - o, "%s*%c", k ? "," : "", 'a' + i - 1);
        }
        o += (size_t)snprintf(bomb + o, sizeof(bomb) - o, "]\n");
    }
    mc_manifest m;
    assert_int_equal(parse(&m, bomb), 0);
    assert_null(m.root);
    assert_int_equal(m.ndiag, 1);
    assert_string_equal(m.diag[0].kind, "limit");
    mc__manifest_free(&m);

    /* deep nesting */
    char deep[1024];
    memset(deep, '[', 200);
    deep[200] = '\0';
    assert_int_equal(parse(&m, deep), 0);
    assert_null(m.root);
    assert_true(m.ndiag >= 1);
    mc__manifest_free(&m);

    /* syntax error with its line; not a mapping */
    assert_int_equal(parse(&m, "name: x\nversion: [1\n"), 0);
    assert_null(m.root);
    assert_string_equal(m.diag[0].kind, "syntax");
    assert_true(m.diag[0].line >= 2);
    mc__manifest_free(&m);
    assert_int_equal(parse(&m, "- a\n- b\n"), 0);
    assert_null(m.root);
    assert_true(has(&m, "type", 1, "must be a mapping"));
    mc__manifest_free(&m);

    /* oversized */
    size_t big = MC_MANIFEST_MAX_BYTES + 10;
    char *t = malloc(big + 1);
    assert_non_null(t);
    memset(t, '#', big);
    t[big] = '\0';
    assert_int_equal(mc__manifest_parse(&m, "big.yaml", t, big), 0);
    assert_null(m.root);
    assert_string_equal(m.diag[0].kind, "limit");
    mc__manifest_free(&m);
    free(t);
}

static void test_contamination_formula(void **state)
{
    (void)state;
    assert_int_equal(mc__contamination_score(0.0, 1), 2);
    assert_int_equal(mc__contamination_score(0.0099, 1), 2);
    assert_int_equal(mc__contamination_score(0.01, 1), 1);
    assert_int_equal(mc__contamination_score(0.0, 0), 1);
    assert_int_equal(mc__contamination_score(0.5, 0), 0);
    assert_int_equal(mc__contamination_score(-1.0, 1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spdx),
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_closest),
        cmocka_unit_test(test_each_error_kind),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_dataset_card),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_contamination_formula),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
