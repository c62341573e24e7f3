/* SPDX-License-Identifier: MIT */
/* The nightly state database and its lock (see state.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nightly/files.h"
#include "nightly/state.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS runs("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, started TEXT NOT NULL,"
    " finished TEXT, status TEXT NOT NULL, fingerprint TEXT, preset TEXT,"
    " shards_planned INTEGER, shards_ok INTEGER, shards_failed INTEGER,"
    " new_flags INTEGER, exit_status INTEGER, elapsed_s REAL);"
    "CREATE TABLE IF NOT EXISTS shards("
    " location TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, etag TEXT,"
    " xxh64 TEXT, fingerprint TEXT, preset TEXT, status TEXT NOT NULL,"
    " error TEXT, scanned_at TEXT, run_id INTEGER, records INTEGER,"
    " bytes_in INTEGER, bytes_decompressed INTEGER, duration_s REAL);"
    "CREATE TABLE IF NOT EXISTS flags("
    " key TEXT NOT NULL, fingerprint TEXT NOT NULL, preset TEXT NOT NULL,"
    " status TEXT NOT NULL, first_seen TEXT NOT NULL, first_run INTEGER,"
    " first_shard TEXT, evidence TEXT,"
    " PRIMARY KEY(key, fingerprint, preset));"
    "CREATE TABLE IF NOT EXISTS item_history("
    " run_id INTEGER NOT NULL, key TEXT NOT NULL, fingerprint TEXT, preset TEXT,"
    " status TEXT NOT NULL, shard TEXT, evidence TEXT);";

int mc__nightly_exec(mc_nightly_state *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        mc__nightly_fmt(st->err, sizeof(st->err), "%s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int mc__nightly_state_open(mc_nightly_state *st, const char *path)
{
    memset(st, 0, sizeof(*st));
    st->lock_fd = -1;
    char lock[4096];
    mc__nightly_fmt(lock, sizeof(lock), "%s.lock", path);
    st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (st->lock_fd < 0) {
        mc__nightly_fmt(st->err, sizeof(st->err), "%s: %s", lock, strerror(errno));
        return -1;
    }
    struct flock fl;
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(st->lock_fd, F_SETLK, &fl) != 0) {
        int e = errno;
        close(st->lock_fd);
        st->lock_fd = -1;
        if (e == EAGAIN || e == EACCES) {
            mc__nightly_fmt(st->err, sizeof(st->err), "%s is locked by another nightly run "
                     "(lock file %s)", path, lock);
            return 1;
        }
        mc__nightly_fmt(st->err, sizeof(st->err), "%s: %s", lock, strerror(e));
        return -1;
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        mc__nightly_fmt(st->err, sizeof(st->err), "%s: %s", path,
                 st->db ? sqlite3_errmsg(st->db) : "out of memory");
        mc__nightly_state_close(st);
        return -1;
    }
    if (mc__nightly_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") < 0 ||
        mc__nightly_exec(st, schema) < 0) {
        char e[512];
        mc__nightly_fmt(e, sizeof(e), "%s", st->err);
        mc__nightly_state_close(st);
        mc__nightly_fmt(st->err, sizeof(st->err), "%s: %s", path, e);
        return -1;
    }
    return 0;
}

void mc__nightly_state_close(mc_nightly_state *st)
{
    if (!st) {
        return;
    }
    if (st->db) {
        sqlite3_close(st->db);
        st->db = NULL;
    }
    if (st->lock_fd >= 0) {
        close(st->lock_fd); /* releases the lock */
        st->lock_fd = -1;
    }
}

int mc__nightly_shard_get(mc_nightly_state *st, const char *loc, mc_nightly_shard *out)
{
    sqlite3_stmt *q = NULL;
    memset(out, 0, sizeof(*out));
    if (sqlite3_prepare_v2(st->db, "SELECT size, mtime_ns, status, fingerprint, preset "
                                   "FROM shards WHERE location = ?", -1, &q, NULL) != SQLITE_OK) {
        mc__nightly_fmt(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
        return -1;
    }
    sqlite3_bind_text(q, 1, loc, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    int found = 0;
    if (rc == SQLITE_ROW) {
        found = 1;
        out->size = sqlite3_column_type(q, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 0);
        out->mtime_ns = sqlite3_column_int64(q, 1);
        const unsigned char *s = sqlite3_column_text(q, 2);
        mc__nightly_fmt(out->status, sizeof(out->status), "%s", s ? (const char *)s : "");
        s = sqlite3_column_text(q, 3);
        mc__nightly_fmt(out->fingerprint, sizeof(out->fingerprint), "%s", s ? (const char *)s : "");
        s = sqlite3_column_text(q, 4);
        mc__nightly_fmt(out->preset, sizeof(out->preset), "%s", s ? (const char *)s : "");
    } else if (rc != SQLITE_DONE) {
        mc__nightly_fmt(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
        found = -1;
    }
    sqlite3_finalize(q);
    return found;
}

int mc__nightly_shard_due(int found, const mc_nightly_shard *old, int64_t size,
                          int64_t mtime_ns, const char *fingerprint, const char *preset)
{
    if (!found || strcmp(old->status, "ok") != 0) {
        return 1;
    }
    if (strcmp(old->fingerprint, fingerprint) != 0 || strcmp(old->preset, preset) != 0) {
        return 1;
    }
    return old->size != size || old->mtime_ns != mtime_ns;
}
