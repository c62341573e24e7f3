/* SPDX-License-Identifier: MIT */
/* Checking a detector's stored arrays (as an index file would hold them)
 * and deriving everything else, so that a corrupt file is refused with
 * MC_EFORMAT instead of crashing the scanner. */
#include <string.h>

#include <medcheck/common.h>

#include "near/near.h"
#include "util/alloc.h"

int mc__near_params_check(const mc_near_params *p)
{
    int ok = p->shingle >= 1 && p->shingle <= 16 && p->perms >= 1 && p->perms <= 1024 &&
             p->bands >= 1 && p->bands <= MC_NEAR_MAX_BANDS && p->rows >= 1 &&
             (uint64_t)p->bands * p->rows <= p->perms && p->min_shingles >= 1 && p->threshold > 0 &&
             p->threshold <= 1;
    return ok ? 0 : MC_EINVAL;
}

int mc__near_derive_perms(mc_near *nx)
{
    uint32_t K = nx->p.perms;
    uint64_t *a = mc__reallocarray(NULL, K, sizeof(uint64_t));
    uint64_t *b = mc__reallocarray(NULL, K, sizeof(uint64_t));
    if (!a || !b) {
        mc__free(a);
        mc__free(b);
        return MC_ENOMEM;
    }
    uint64_t st = nx->p.seed;
    for (uint32_t i = 0; i < K; i++) {
        a[i] = mc__near_splitmix(&st) | 1;
        b[i] = mc__near_splitmix(&st);
    }
    mc__free(nx->perm_a);
    mc__free(nx->perm_b);
    nx->perm_a = a;
    nx->perm_b = b;
    nx->band_seed = mc__near_splitmix(&st);
    return 0;
}

static int entries_ok(const mc_near *nx)
{
    for (uint32_t e = 0; e < nx->nentries; e++) {
        const mc_near_entry *ent = &nx->entries[e];
        if (ent->status > MC_NEAR_LONG) {
            return 0;
        }
        if (ent->status != MC_NEAR_OK) {
            if (ent->nsh != 0) {
                return 0;
            }
            continue;
        }
        if (ent->cls > MC_NEAR_MAX_CLASS || ent->nsh == 0 || ent->need == 0 ||
            ent->need > ent->nsh || (uint64_t)ent->sh0 + ent->nsh > nx->nshingles) {
            return 0;
        }
        const uint64_t *k = nx->shingles + ent->sh0;
        for (uint32_t i = 1; i < ent->nsh; i++) {
            if (k[i - 1] >= k[i]) {
                return 0; /* the confirmation searches them */
            }
        }
    }
    return 1;
}

static int table_ok(const mc_near *nx)
{
    uint64_t nslots = nx->slot_mask + 1, empty = 0;
    if (nslots == 0 || (nslots & nx->slot_mask) != 0 || nslots > ((uint64_t)1 << 40)) {
        return 0;
    }
    for (uint64_t i = 0; i < nslots; i++) {
        const mc_near_slot *sl = &nx->slots[i];
        if (sl->key == 0) {
            empty++; /* a probe must meet one to stop */
            continue;
        }
        if ((uint64_t)sl->post0 + sl->npost > nx->nposts) {
            return 0;
        }
    }
    for (uint32_t i = 0; i < nx->nposts; i++) {
        if (nx->posts[i] >= nx->nentries) {
            return 0;
        }
    }
    return empty > 0;
}

static int shift_ok(const uint64_t *filter, uint32_t shift)
{
    return filter && shift >= 20 && shift <= 58;
}

/* The fields that follow from the entries. */
static void derive_counts(mc_near *nx)
{
    nx->nindexed = nx->max_nsh = nx->max_class = nx->class_mask = 0;
    memset(nx->nstatus, 0, sizeof(nx->nstatus));
    for (uint32_t c = 0; c <= MC_NEAR_MAX_CLASS; c++) {
        nx->class_need[c] = UINT32_MAX;
    }
    for (uint32_t e = 0; e < nx->nentries; e++) {
        const mc_near_entry *ent = &nx->entries[e];
        nx->nstatus[ent->status]++;
        if (ent->status != MC_NEAR_OK) {
            continue;
        }
        nx->nindexed++;
        nx->max_nsh = ent->nsh > nx->max_nsh ? ent->nsh : nx->max_nsh;
        nx->max_class = ent->cls > nx->max_class ? ent->cls : nx->max_class;
        nx->class_mask |= UINT32_C(1) << ent->cls;
        if (ent->need < nx->class_need[ent->cls]) {
            nx->class_need[ent->cls] = ent->need;
        }
    }
}

int mc__near_validate(mc_near *nx)
{
    if (!nx || mc__near_params_check(&nx->p) < 0) {
        return MC_EFORMAT;
    }
    if ((nx->nentries && (!nx->entries || !nx->sigs)) || (nx->nshingles && !nx->shingles) ||
        (nx->nposts && !nx->posts) || !nx->slots || !shift_ok(nx->filter, nx->filter_shift) ||
        !shift_ok(nx->cfilter, nx->cfilter_shift) || !shift_ok(nx->band_filter, nx->band_shift)) {
        return MC_EFORMAT;
    }
    if (!entries_ok(nx) || !table_ok(nx)) {
        return MC_EFORMAT;
    }
    derive_counts(nx);
    return mc__near_derive_perms(nx);
}
