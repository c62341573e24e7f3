/* SPDX-License-Identifier: MIT */
/* Medical codes carried in item text: an ICD marker ("ICD-10", "ICD-9-CM",
 * "ICD11", ...) followed by one or more codes, each checked against the
 * format of its revision. Code-like tokens count only right after the
 * marker ("ICD-9=752.51", "ICD-10 codes F32.0, F33.1"), so that "ICD-10
 * in 2015" or a defibrillator called an ICD is not read as a code. */
#include <string.h>

#include "audit/audit_int.h"

static const char *const system_names[MC__CODE_NSYSTEMS] = {"ICD-9", "ICD-10", "ICD-11"};

const char *mc__code_system_name(int system)
{
    return system >= 0 && system < MC__CODE_NSYSTEMS ? system_names[system] : "unknown";
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_alnum(char c)
{
    return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

/* "ICD" (any case), optional '-' or ' ', the revision 9, 10 or 11, an
 * optional "-CM" / "-PCS" / "CM". Returns the marker length and the
 * system, or 0. */
static size_t marker_at(const char *s, size_t n, size_t i, int *system)
{
    if (i + 4 > n || (i > 0 && is_alnum(s[i - 1]))) {
        return 0;
    }
    if ((s[i] | 32) != 'i' || (s[i + 1] | 32) != 'c' || (s[i + 2] | 32) != 'd') {
        return 0;
    }
    size_t p = i + 3;
    p += p < n && (s[p] == '-' || s[p] == ' ');
    if (p + 1 < n && s[p] == '1' && (s[p + 1] == '0' || s[p + 1] == '1')) {
        *system = s[p + 1] == '0' ? MC__CODE_ICD10 : MC__CODE_ICD11;
        p += 2;
    } else if (p < n && s[p] == '9') {
        *system = MC__CODE_ICD9;
        p += 1;
    } else {
        return 0;
    }
    if (p < n && is_digit(s[p])) {
        return 0;
    }
    size_t q = p + (p < n && s[p] == '-');
    if (q + 2 <= n && (s[q] | 32) == 'c' && (s[q + 1] | 32) == 'm') {
        p = q + 2;
    } else if (q + 3 <= n && (s[q] | 32) == 'p' && (s[q + 1] | 32) == 'c' &&
               (s[q + 2] | 32) == 's') {
        p = q + 3;
    }
    return p < n && is_alnum(s[p]) ? 0 : p - i;
}

/* n characters of s all in [0-9]; in [A-Z0-9] (upper case). */
static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) {
            return 0;
        }
    }
    return 1;
}

static int all_alnum_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]) && !is_upper(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Split a code at its '.' into head and tail lengths; 0 if two dots. */
static int split_dot(const char *c, size_t n, size_t *head, size_t *tail)
{
    const char *dot = memchr(c, '.', n);
    *head = dot ? (size_t)(dot - c) : n;
    *tail = dot ? n - *head - 1 : 0;
    return !(dot && memchr(dot + 1, '.', n - *head - 1)) && !(dot && *tail == 0);
}

/* ICD-9-CM: 001-999 with up to 2 decimals; V01-V91 likewise; E000-E999
 * with up to 1 decimal. Procedure codes (2 digits, 1-2 decimals) too. */
static int valid_icd9(const char *c, size_t n)
{
    size_t h, t;
    if (!split_dot(c, n, &h, &t) || !all_digits(c + h + (t > 0), t)) {
        return 0;
    }
    if (c[0] == 'V' || c[0] == 'v') {
        return h == 3 && all_digits(c + 1, 2) && t <= 2;
    }
    if (c[0] == 'E' || c[0] == 'e') {
        return h == 4 && all_digits(c + 1, 3) && t <= 1;
    }
    return all_digits(c, h) && ((h == 3 && t <= 2) || (h == 2 && t >= 1 && t <= 2));
}

/* ICD-10 (WHO and -CM): a letter, two digits (the third character may be
 * a letter in -CM chapters, e.g. C4A, Z3A), then optionally '.' and 1-4
 * characters of [0-9A-Z]. */
static int valid_icd10(const char *c, size_t n)
{
    size_t h, t;
    if (!split_dot(c, n, &h, &t) || h != 3) {
        return 0;
    }
    if (!is_upper(c[0]) || !is_digit(c[1]) || !(is_digit(c[2]) || is_upper(c[2]))) {
        return 0;
    }
    return t <= 4 && all_alnum_upper(c + 4, t);
}

/* ICD-11 MMS stem codes: four characters, the second a letter and the
 * third a digit, from an alphabet without I and O ("1A00", "BA00",
 * "6A70"), then optionally '.' and 1-2 characters. */
static int icd11_char(char c)
{
    return is_digit(c) || (is_upper(c) && c != 'I' && c != 'O');
}

static int valid_icd11(const char *c, size_t n)
{
    size_t h, t;
    if (!split_dot(c, n, &h, &t) || h != 4 || t > 2) {
        return 0;
    }
    if (!icd11_char(c[0]) || !is_upper(c[1]) || c[1] == 'I' || c[1] == 'O' ||
        !is_digit(c[2]) || !icd11_char(c[3])) {
        return 0;
    }
    for (size_t i = 0; i < t; i++) {
        if (!icd11_char(c[5 + i])) {
            return 0;
        }
    }
    return 1;
}

/* A code-like token at p: [A-Za-z0-9.]+ of 2 to 10 bytes with a digit,
 * not ending with '.'; its length or 0. */
static size_t token_at(const char *s, size_t n, size_t p)
{
    size_t k = 0, nd = 0;
    while (p + k < n && (is_alnum(s[p + k]) || s[p + k] == '.') && k <= 10) {
        nd += is_digit(s[p + k]);
        k++;
    }
    while (k && s[p + k - 1] == '.') {
        k--;
    }
    return k >= 2 && k <= 10 && nd > 0 ? k : 0;
}

/* Could the token be a code of this revision? ICD-10 and -11 codes hold
 * a letter; ICD-9 ones are 3 digits, digits with a '.', or V/E codes. A
 * bare year after the marker ("ICD-10 2016 edition") is not a code. */
static int candidate(int system, const char *c, size_t n)
{
    int letters = 0;
    for (size_t i = 0; i < n; i++) {
        letters += !is_digit(c[i]) && c[i] != '.';
    }
    if (system != MC__CODE_ICD9) {
        return letters > 0;
    }
    if ((c[0] == 'V' || c[0] == 'E') && n > 1 && is_digit(c[1])) {
        return 1;
    }
    return letters == 0 && (n == 3 || memchr(c, '.', n) != NULL);
}

/* Skip separators between codes (", ", "; ", " and ", " or ", "/", ")"). */
static size_t skip_list(const char *s, size_t n, size_t p)
{
    for (;;) {
        size_t q = p;
        while (q < n && (s[q] == ' ' || s[q] == ',' || s[q] == ';' || s[q] == '/' ||
                         s[q] == ')' || s[q] == '(' || s[q] == '-')) {
            q++;
        }
        if (q + 4 <= n && strncmp(s + q, "and ", 4) == 0) {
            q += 4;
        } else if (q + 3 <= n && strncmp(s + q, "or ", 3) == 0) {
            q += 3;
        }
        if (q == p) {
            return p;
        }
        p = q;
    }
}

/* Skip what may sit between the marker and the first code: spaces, ':',
 * '=', '(', '#', "code", "codes". */
static size_t skip_lead(const char *s, size_t n, size_t p)
{
    for (;;) {
        size_t q = p;
        while (q < n && (s[q] == ' ' || s[q] == ':' || s[q] == '=' || s[q] == '(' ||
                         s[q] == '#' || s[q] == ',')) {
            q++;
        }
        if (q + 5 <= n && strncmp(s + q, "codes", 5) == 0) {
            q += 5;
        } else if (q + 4 <= n && strncmp(s + q, "code", 4) == 0) {
            q += 4;
        }
        if (q == p) {
            return p;
        }
        p = q;
    }
}

int mc__codes_scan(const char *s, size_t n, mc__code_fn fn, void *ctx)
{
    int markers = 0;
    for (size_t i = 0; i < n; i++) {
        int system;
        size_t m = marker_at(s, n, i, &system);
        if (!m) {
            continue;
        }
        markers++;
        size_t p = skip_lead(s, n, i + m);
        for (int k = 0; k < 32; k++) {
            size_t t = token_at(s, n, p);
            if (!t || (p + t < n && is_alnum(s[p + t])) || !candidate(system, s + p, t)) {
                break;
            }
            int valid = system == MC__CODE_ICD9    ? valid_icd9(s + p, t)
                        : system == MC__CODE_ICD10 ? valid_icd10(s + p, t)
                                                   : valid_icd11(s + p, t);
            int rc = fn(ctx, system, p, t, valid);
            if (rc < 0) {
                return rc;
            }
            p = skip_list(s, n, p + t);
        }
        i = p > i ? p - 1 : i;
    }
    return markers;
}
