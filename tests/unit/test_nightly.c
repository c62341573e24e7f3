/* SPDX-License-Identifier: MIT */
/* Unit tests of `medcheck nightly`'s config reader, state and lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nightly/config.h"
#include "nightly/state.h"

static char dir[64];

static const char *write_cfg(const char *text)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/c.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mcnightly.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_config_load_full(void **state)
{
    (void)state;
    mc_nightly_config c;
    char err[256] = "";
    const char *p = write_cfg("benchmark: [b1.jsonl, /abs/b2.csv]\n"
                              "shards:\n  - 'sh/*.zst'\n  - '@list.txt'\n"
                              "  - https://example.org/x.jsonl.zst\n"
                              "preset: gpt3\nstate: s.db\nout: o\n"
                              "scan:\n  jobs: 2\n  canary: [A, B]\n"
                              "  redact-snippets: true\n  quiet: false\n");
    assert_int_equal(mc__nightly_config_load(&c, p, err, sizeof(err)), 0);
    assert_int_equal(c.benchmark.n, 2);
    /* relative paths are relative to the config's directory */
    char want[160];
    snprintf(want, sizeof(want), "%s/b1.jsonl", dir);
    assert_string_equal(c.benchmark.v[0].s, want);
    assert_string_equal(c.benchmark.v[1].s, "/abs/b2.csv");
    snprintf(want, sizeof(want), "@%s/list.txt", dir);
    assert_string_equal(c.shards.v[1].s, want);
    assert_string_equal(c.shards.v[2].s, "https://example.org/x.jsonl.zst");
    assert_int_equal(c.shards.v[2].line, 5);
    assert_string_equal(c.preset, "gpt3");
    /* jobs, canary twice, redact-snippets; quiet: false is dropped */
    assert_int_equal(c.scan_keys.n, 4);
    assert_string_equal(c.scan_keys.v[1].s, "canary");
    assert_string_equal(c.scan_vals.v[2].s, "B");
    assert_string_equal(c.scan_vals.v[3].s, "");
    mc__nightly_config_finish(&c);
    mc__nightly_config_finish(NULL);
}

static void expect_error(const char *text, const char *msg)
{
    mc_nightly_config c;
    char err[256] = "";
    const char *p = write_cfg(text);
    assert_int_equal(mc__nightly_config_load(&c, p, err, sizeof(err)), -1);
    char want[256];
    snprintf(want, sizeof(want), "%s:%s", p, msg);
    if (!strstr(err, want)) {
        fail_msg("got '%s', expected '%s'", err, want);
    }
    assert_null(c.path);
}

static void test_config_load_errors(void **state)
{
    (void)state;
    const char *base = "benchmark: b\nshards: s\nstate: s.db\nout: o\n";
    char buf[256];
    snprintf(buf, sizeof(buf), "%sbogus: 1\n", base);
    expect_error(buf, "5: unknown key 'bogus'");
    snprintf(buf, sizeof(buf), "%sscan:\n  jobs: 1\n  task: 0/2\n", base);
    expect_error(buf, "7: unknown scan option 'task'");
    snprintf(buf, sizeof(buf), "%sscan:\n  quiet: maybe\n", base);
    expect_error(buf, "6: 'quiet' must be true or false");
    snprintf(buf, sizeof(buf), "%sindex: x.mcx\n", base);
    expect_error(buf, "1: 'benchmark' and 'index' are exclusive");
    expect_error("shards: s\nstate: s.db\nout: o\n", "1: no 'benchmark'");
    expect_error("benchmark: b\nstate: s.db\nout: o\n", "1: no 'shards'");
    expect_error("benchmark: b\nshards: s\nout: o\n", "1: no 'state'");
    expect_error("benchmark: [b\nshards: s\n", "2: bad YAML");
    expect_error("- a\n- b\n", "1: the config must be a mapping");
}

static void test_scan_key_kind(void **state)
{
    (void)state;
    assert_int_equal(mc__nightly_scan_key_kind("jobs"), 1);
    assert_int_equal(mc__nightly_scan_key_kind("text-field"), 1);
    assert_int_equal(mc__nightly_scan_key_kind("redact-snippets"), 0);
    assert_int_equal(mc__nightly_scan_key_kind("canary"), 2);
    assert_int_equal(mc__nightly_scan_key_kind("bench"), -1);
    assert_int_equal(mc__nightly_scan_key_kind("shards-from"), -1);
}

static void test_shard_due_rules(void **state)
{
    (void)state;
    mc_nightly_shard old = {.size = 10, .mtime_ns = 5};
    strcpy(old.status, "ok");
    strcpy(old.fingerprint, "fp");
    strcpy(old.preset, "medcheck");
    assert_int_equal(mc__nightly_shard_due(0, &old, 10, 5, "fp", "medcheck"), 1);
    assert_int_equal(mc__nightly_shard_due(1, &old, 10, 5, "fp", "medcheck"), 0);
    assert_int_equal(mc__nightly_shard_due(1, &old, 11, 5, "fp", "medcheck"), 1);
    assert_int_equal(mc__nightly_shard_due(1, &old, 10, 6, "fp", "medcheck"), 1);
    assert_int_equal(mc__nightly_shard_due(1, &old, 10, 5, "fp2", "medcheck"), 1);
    assert_int_equal(mc__nightly_shard_due(1, &old, 10, 5, "fp", "gpt3"), 1);
    strcpy(old.status, "failed");
    assert_int_equal(mc__nightly_shard_due(1, &old, 10, 5, "fp", "medcheck"), 1);
}

static void test_state_open_lock(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/s.db", dir);
    mc_nightly_state a, b;
    assert_int_equal(mc__nightly_state_open(&a, path), 0);
    mc_nightly_shard sh;
    assert_int_equal(mc__nightly_shard_get(&a, "x", &sh), 0);
    assert_int_equal(mc__nightly_exec(&a, "INSERT INTO shards(location, size, mtime_ns, "
                                          "status, fingerprint, preset) "
                                          "VALUES('x', 3, 4, 'ok', 'f', 'gpt3')"), 0);
    assert_int_equal(mc__nightly_shard_get(&a, "x", &sh), 1);
    assert_int_equal(sh.size, 3);
    assert_string_equal(sh.preset, "gpt3");
    mc__nightly_state_close(&a);
    mc__nightly_state_close(&a);
    /* fcntl locks are per process: a child holds the state, the parent is
     * refused at once, then gets it once the child has closed it */
    int up[2], down[2];
    assert_int_equal(pipe(up), 0);
    assert_int_equal(pipe(down), 0);
    pid_t pid = fork();
    if (pid == 0) {
        char ch = mc__nightly_state_open(&a, path) == 0 ? 'y' : 'n';
        int ok = write(up[1], &ch, 1) == 1 && read(down[0], &ch, 1) == 1;
        mc__nightly_state_close(&a);
        _exit(ok ? 0 : 1);
    }
    char ch = 0;
    assert_int_equal(read(up[0], &ch, 1), 1);
    assert_int_equal(ch, 'y');
    assert_int_equal(mc__nightly_state_open(&b, path), 1);
    assert_non_null(strstr(b.err, "locked by another nightly run"));
    assert_int_equal(write(down[1], &ch, 1), 1);
    int status = -1;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(status, 0);
    close(up[0]);
    close(up[1]);
    close(down[0]);
    close(down[1]);
    assert_int_equal(mc__nightly_state_open(&b, path), 0);
    assert_int_equal(mc__nightly_shard_get(&b, "x", &sh), 1);
    mc__nightly_state_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_load_full),
        cmocka_unit_test(test_config_load_errors),
        cmocka_unit_test(test_scan_key_kind),
        cmocka_unit_test(test_shard_due_rules),
        cmocka_unit_test(test_state_open_lock),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
