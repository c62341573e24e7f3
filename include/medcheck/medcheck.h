/* SPDX-License-Identifier: MIT */
/* Umbrella header of the medcheck library. */
#ifndef MC_MEDCHECK_H
#define MC_MEDCHECK_H

#include <medcheck/audit.h>
#include <medcheck/bench.h>
#include <medcheck/common.h>
#include <medcheck/eval.h>
#include <medcheck/normalize.h>
#include <medcheck/reader.h>
#include <medcheck/scan.h>
#include <medcheck/version.h>

#endif /* MC_MEDCHECK_H */
