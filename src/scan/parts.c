/* SPDX-License-Identifier: MIT */
/* The per-shard data a merge needs, next to the scan results:
 * shard_results.jsonl (one line per scanned shard: its position in the
 * list, and for each item it touched the exact per-shard result) and
 * shard_list.txt (the whole shard list, one path a line). */
#include <stdio.h>
#include <string.h>

#include "scan/output.h"
#include "util/jsonw.h"
#include "util/wfile.h"

static void bits_part(mc_jsonw *w, const mc_output *o, const mc_itemres *r)
{
    if (!r->bits) {
        mc__jw_null(w);
        return;
    }
    uint32_t nw = (mc__bits_len(o->idx, r->item) + 63) / 64;
    char hex[17];
    mc__jw_arr(w);
    for (uint32_t k = 0; k < nw; k++) {
        snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)r->bits[k]);
        mc__jw_str(w, hex);
    }
    mc__jw_arr_end(w);
}

/* Does the result say anything a fold would keep? */
static int nonzero(const mc_itemres *r)
{
    int any = r->status || r->answer_any || r->score > 0 || r->near_score > 0 || r->bits ||
              r->nev;
    for (int k = 0; k < MC_NCOMP; k++) {
        any |= r->longest[k] || r->cov[k] > 0;
    }
    return any;
}

static void item_part(mc_jsonw *w, const mc_output *o, const mc_itemres *r)
{
    mc__jw_obj(w);
    mc__jw_key(w, "item");
    mc__jw_uint(w, r->item);
    mc__jw_key(w, "status");
    mc__jw_uint(w, r->status);
    mc__jw_key(w, "answer_any");
    mc__jw_bool(w, r->answer_any);
    mc__jw_key(w, "score");
    mc__jw_real_exact(w, r->score);
    if (r->near_score > 0) { /* optional: absent means 0 */
        mc__jw_key(w, "near_score");
        mc__jw_real_exact(w, r->near_score);
    }
    mc__jw_key(w, "longest");
    mc__jw_arr(w);
    for (int k = 0; k < MC_NCOMP; k++) {
        mc__jw_uint(w, r->longest[k]);
    }
    mc__jw_arr_end(w);
    mc__jw_key(w, "cov");
    mc__jw_arr(w);
    for (int k = 0; k < MC_NCOMP; k++) {
        mc__jw_real_exact(w, r->cov[k]);
    }
    mc__jw_arr_end(w);
    mc__jw_key(w, "bits");
    bits_part(w, o, r);
    mc__jw_key(w, "evidence");
    mc__evidence_json(w, o, r, 1);
    mc__jw_obj_end(w);
}

static void canaries_part(mc_jsonw *w, const mc_output *o, const mc_shardres *r)
{
    mc__jw_arr(w);
    for (size_t k = 0; r->canary_hits && k < o->opts->n_canaries; k++) {
        mc__jw_obj(w);
        mc__jw_key(w, "hits");
        mc__jw_uint(w, r->canary_hits[k]);
        mc__jw_key(w, "examples");
        mc__jw_arr(w);
        for (uint32_t e = 0; e < r->canary_nex[k]; e++) {
            mc__jw_arr(w);
            mc__jw_uint(w, r->canary_ex[k * 5 + e][0]);
            mc__jw_uint(w, r->canary_ex[k * 5 + e][1]);
            mc__jw_arr_end(w);
        }
        mc__jw_arr_end(w);
        mc__jw_obj_end(w);
    }
    mc__jw_arr_end(w);
}

int mc__parts_write(const mc_output *o, FILE *results, FILE *list)
{
    mc_buf line;
    mc__buf_init(&line, (size_t)1 << 32);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < o->nmine; k++) {
        size_t s = o->mine[k];
        const mc_shardres *r = &o->res[s];
        mc_jsonw w;
        mc__jw_init(&w, &line);
        mc__jw_obj(&w);
        mc__jw_key(&w, "list_index");
        mc__jw_uint(&w, s);
        mc__jw_key(&w, "shard");
        mc__jw_str(&w, o->shards[s]);
        mc__jw_key(&w, "ok");
        mc__jw_bool(&w, r->status_ok);
        mc__jw_key(&w, "items");
        mc__jw_arr(&w);
        for (uint32_t i = 0; r->status_ok && i < r->nitems; i++) {
            if (nonzero(&r->items[i])) {
                item_part(&w, o, &r->items[i]);
            }
        }
        mc__jw_arr_end(&w);
        mc__jw_key(&w, "canaries");
        canaries_part(&w, o, r);
        mc__jw_obj_end(&w);
        rc = mc__buf_write_line(&line, results, w.rc);
    }
    mc__buf_finish(&line);
    for (size_t s = 0; rc == 0 && s < o->nshards; s++) {
        rc = mc__wfile_write(list, o->shards[s], strlen(o->shards[s]));
        if (rc == 0) {
            rc = mc__wfile_write(list, "\n", 1);
        }
    }
    return rc;
}
