/* SPDX-License-Identifier: MIT */
/* The field names the generic JSONL and CSV readers try, in order, when
 * --fields does not name them. */
#include <stddef.h>

#include "bench/bench_int.h"

const char *const mc__bench_guess_question[] = {"question", "body", "qtext", "stem", NULL};
const char *const mc__bench_guess_options[] = {
    "options", "choices", "A|B|C|D|E|F|G|H|I|J", "opa|opb|opc|opd|ope", NULL,
};
/* answer_idx before answer: MedAgentsBench has both, and the label is
 * unambiguous */
const char *const mc__bench_guess_answer[] = {"answer_idx", "answer", "label", "cop", NULL};
const char *const mc__bench_guess_passage[] = {"context", "passage", "contexts", NULL};
const char *const mc__bench_guess_id[] = {"id", "realidx", "qid", NULL};
const char *const mc__bench_guess_split[] = {"split", NULL};
const char *const mc__bench_guess_subject[] = {"subject", "subject_name", "category", NULL};
