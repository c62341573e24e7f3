/* SPDX-License-Identifier: MIT */
/* The state of `medcheck nightly` in SQLite: shards seen, runs, and every
 * item's contamination history; and the lock that keeps one run at a time.
 * The schema and the crash-safety order are in docs/nightly.md. */
#ifndef MC_NIGHTLY_STATE_H
#define MC_NIGHTLY_STATE_H

#include <stdint.h>

#include <sqlite3.h>

typedef struct mc_nightly_state {
    sqlite3 *db;
    int lock_fd;
    char err[512];
} mc_nightly_state;

/* Take the exclusive lock (STATE.lock, an fcntl write lock, released by the kernel when the process dies), then open
 * or create the database (WAL, synchronous=FULL) and its schema. Returns
 * 0; 1 when another run holds the lock; -1 on error (st->err says why). */
int mc__nightly_state_open(mc_nightly_state *st, const char *path);

/* Close the database and release the lock. NULL-safe, idempotent. */
void mc__nightly_state_close(mc_nightly_state *st);

/* What the state knows of a shard. */
typedef struct mc_nightly_shard {
    int64_t size;  /* -1: unknown (URL, stdin) */
    int64_t mtime_ns;
    char status[16];
    char fingerprint[80];
    char preset[16];
} mc_nightly_shard;

/* Look up a shard: 1 found, 0 not seen, -1 error. */
int mc__nightly_shard_get(mc_nightly_state *st, const char *loc, mc_nightly_shard *out);

/* Whether a shard must be scanned: never seen, not ok, another
 * fingerprint or preset, or another size or mtime. */
int mc__nightly_shard_due(int found, const mc_nightly_shard *old, int64_t size,
                          int64_t mtime_ns, const char *fingerprint, const char *preset);

/* Run SQL with no result rows; 0 or -1 (st->err). */
int mc__nightly_exec(mc_nightly_state *st, const char *sql);

#endif /* MC_NIGHTLY_STATE_H */
