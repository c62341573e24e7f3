/* SPDX-License-Identifier: MIT */
/* PHI-like strings in item text: e-mail addresses, US phone numbers, US
 * social security numbers, dates of birth, medical record numbers and
 * street addresses. The patterns are deliberately conservative (clinical
 * vignettes are full of numbers): dates and record numbers count only
 * after a keyword, phone numbers only in a separated North American
 * layout. A hit is a lead for a reviewer, not proof; docs/audit.md lists
 * what each pattern accepts and what it misses. ASCII only. */
#include <string.h>

#include "audit/audit_int.h"

static const char *const kind_names[MC__PHI_NKINDS] = {
    "email", "phone", "ssn", "date_of_birth", "medical_record_number", "street_address",
};

const char *mc__phi_kind_name(int kind)
{
    return kind >= 0 && kind < MC__PHI_NKINDS ? kind_names[kind] : "unknown";
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_alpha(char c)
{
    return is_upper(c) || (c >= 'a' && c <= 'z');
}

static int is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static char lower(char c)
{
    return is_upper(c) ? (char)(c + 32) : c;
}

/* Digits at s[i..]; returns how many (at most max + 1, to detect "more"). */
static size_t digits(const char *s, size_t n, size_t i, size_t max)
{
    size_t k = 0;
    while (i + k < n && is_digit(s[i + k]) && k <= max) {
        k++;
    }
    return k;
}

/* A number may start at i: not glued to a word, nor continuing a longer
 * number ("12-" or "3." just before). */
static int num_start_ok(const char *s, size_t i)
{
    if (i == 0) {
        return 1;
    }
    char p = s[i - 1];
    if (is_alnum(p)) {
        return 0;
    }
    return !((p == '-' || p == '.' || p == '/') && i >= 2 && is_digit(s[i - 2]));
}

/* A number may end at i: no digit or letter follows, nor a separator and
 * another digit ("-12", ".5"). */
static int num_end_ok(const char *s, size_t n, size_t i)
{
    if (i >= n) {
        return 1;
    }
    if (is_alnum(s[i])) {
        return 0;
    }
    return !((s[i] == '-' || s[i] == '.' || s[i] == '/') && i + 1 < n && is_digit(s[i + 1]));
}

/* Case-insensitive match of the ASCII word w at s[i..]; returns its length
 * or 0. The word must not continue with a letter. */
static size_t word_at(const char *s, size_t n, size_t i, const char *w)
{
    size_t k = strlen(w);
    if (i + k > n) {
        return 0;
    }
    for (size_t j = 0; j < k; j++) {
        if (lower(s[i + j]) != w[j]) {
            return 0;
        }
    }
    return i + k < n && is_alpha(s[i + k]) ? 0 : k;
}

/* ---- e-mail: local@domain.tld, local part [A-Za-z0-9._%+-], labels of
 * [A-Za-z0-9-], a final label of 2 to 24 letters. */

static int local_char(char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static int scan_email(const char *s, size_t n, mc__phi_fn fn, void *ctx)
{
    int found = 0;
    for (size_t at = 1; at + 1 < n; at++) {
        if (s[at] != '@') {
            continue;
        }
        size_t l = at;
        while (l > 0 && local_char(s[l - 1])) {
            l--;
        }
        while (l < at && s[l] == '.') {
            l++;
        }
        size_t r = at + 1, labels = 0, last = 0, last_alpha = 1;
        while (r < n) {
            size_t k = 0;
            int alpha = 1;
            while (r + k < n && (is_alnum(s[r + k]) || s[r + k] == '-')) {
                alpha &= is_alpha(s[r + k]);
                k++;
            }
            if (k == 0) {
                break;
            }
            /* "petagene.comSupplementary": text glued to the address; a
             * lower-to-upper case change ends the final label */
            int final = !(r + k + 1 < n && s[r + k] == '.' && is_alnum(s[r + k + 1]));
            for (size_t j = 1; final && alpha && j < k; j++) {
                if (is_upper(s[r + j]) && !is_upper(s[r + j - 1]) && j >= 2) {
                    k = j;
                    break;
                }
            }
            labels++;
            last = k;
            last_alpha = alpha;
            r += k;
            if (r + 1 < n && s[r] == '.' && is_alnum(s[r + 1])) {
                r++;
            } else {
                break;
            }
        }
        if (l < at && labels >= 2 && last_alpha && last >= 2 && last <= 24) {
            int rc = fn(ctx, MC__PHI_EMAIL, l, r - l);
            if (rc < 0) {
                return rc;
            }
            found++;
            at = r;
        }
    }
    return found;
}

/* ---- US phone numbers: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX, with
 * an optional +1 or 1- in front; N is 2-9 (NANP). Spaces alone never
 * separate the groups: "250 300 1000" is more likely three values. */

static int nxx(const char *s, size_t i)
{
    return s[i] >= '2' && s[i] <= '9';
}

/* Length of a phone number starting at i, or 0. */
static size_t phone_at(const char *s, size_t n, size_t i)
{
    size_t p = i;
    if (p + 1 < n && s[p] == '+' && s[p + 1] == '1') {
        p += 2;
        p += p < n && (s[p] == ' ' || s[p] == '-' || s[p] == '.');
    } else if (p + 1 < n && s[p] == '1' && (s[p + 1] == '-' || s[p + 1] == '.')) {
        p += 2;
    }
    if (p < n && s[p] == '(') {
        if (p + 5 > n || digits(s, n, p + 1, 3) != 3 || !nxx(s, p + 1) || s[p + 4] != ')') {
            return 0;
        }
        p += 5;
        p += p < n && s[p] == ' ';
        if (p + 8 > n || digits(s, n, p, 3) != 3 || !nxx(s, p) || s[p + 3] != '-' ||
            digits(s, n, p + 4, 4) != 4) {
            return 0;
        }
        return p + 8 - i;
    }
    if (p + 12 > n || digits(s, n, p, 3) != 3 || !nxx(s, p)) {
        return 0;
    }
    char sep = s[p + 3];
    if ((sep != '-' && sep != '.') || digits(s, n, p + 4, 3) != 3 || !nxx(s, p + 4) ||
        s[p + 7] != sep || digits(s, n, p + 8, 4) != 4) {
        return 0;
    }
    return p + 12 - i;
}

static int scan_phone(const char *s, size_t n, mc__phi_fn fn, void *ctx)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(is_digit(s[i]) || s[i] == '(' || s[i] == '+') || !num_start_ok(s, i)) {
            continue;
        }
        size_t k = phone_at(s, n, i);
        if (k && num_end_ok(s, n, i + k)) {
            int rc = fn(ctx, MC__PHI_PHONE, i, k);
            if (rc < 0) {
                return rc;
            }
            found++;
            i += k - 1;
        }
    }
    return found;
}

/* ---- US SSN: AAA-GG-SSSS with hyphens, area not 000, 666 or 9xx, group
 * not 00, serial not 0000 (numbers never issued); or nine digits within
 * 16 bytes after "SSN" or "social security". */

static int ssn_valid(const char *a)
{
    if ((a[0] == '0' && a[1] == '0' && a[2] == '0') ||
        (a[0] == '6' && a[1] == '6' && a[2] == '6') || a[0] == '9') {
        return 0;
    }
    if (a[3] == '0' && a[4] == '0') {
        return 0;
    }
    return !(a[5] == '0' && a[6] == '0' && a[7] == '0' && a[8] == '0');
}

/* Nine digits (AAA-GG-SSSS or AAAGGSSSS) at i into d; returns length or 0. */
static size_t ssn_at(const char *s, size_t n, size_t i, int dashes_required, char *d)
{
    if (digits(s, n, i, 9) == 9 && !dashes_required) {
        memcpy(d, s + i, 9);
        return 9;
    }
    if (i + 11 <= n && digits(s, n, i, 3) == 3 && s[i + 3] == '-' &&
        digits(s, n, i + 4, 2) == 2 && s[i + 6] == '-' && digits(s, n, i + 7, 4) == 4) {
        memcpy(d, s + i, 3);
        memcpy(d + 3, s + i + 4, 2);
        memcpy(d + 5, s + i + 7, 4);
        return 11;
    }
    return 0;
}

/* Is position i within 16 bytes after an SSN keyword? */
static int after_ssn_keyword(const char *s, size_t i)
{
    size_t from = i > 24 ? i - 24 : 0;
    for (size_t j = from; j < i; j++) {
        if ((j == 0 || !is_alpha(s[j - 1])) &&
            (word_at(s, i, j, "ssn") || word_at(s, i, j, "social security"))) {
            return 1;
        }
    }
    return 0;
}

static int scan_ssn(const char *s, size_t n, mc__phi_fn fn, void *ctx)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]) || !num_start_ok(s, i)) {
            continue;
        }
        char d[9];
        size_t k = ssn_at(s, n, i, !after_ssn_keyword(s, i), d);
        if (k && num_end_ok(s, n, i + k) && ssn_valid(d)) {
            int rc = fn(ctx, MC__PHI_SSN, i, k);
            if (rc < 0) {
                return rc;
            }
            found++;
            i += k - 1;
        }
    }
    return found;
}

/* ---- dates, for dates of birth */

static const char *const months[12] = {
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
};

/* A month name (full, or its first three letters with an optional '.')
 * at i; returns its length and month 1..12 in *m, or 0. */
static size_t month_at(const char *s, size_t n, size_t i, int *m)
{
    for (int k = 0; k < 12; k++) {
        size_t w = word_at(s, n, i, months[k]);
        if (w) {
            *m = k + 1;
            return w;
        }
        char abbr[4] = {months[k][0], months[k][1], months[k][2], 0};
        w = word_at(s, n, i, abbr);
        if (w) {
            *m = k + 1;
            return w + (i + w < n && s[i + w] == '.');
        }
    }
    return 0;
}

/* A number of 1..maxd digits at *p with value in [lo, hi]; advances *p. */
static int num_in(const char *s, size_t n, size_t *p, size_t maxd, int lo, int hi)
{
    size_t k = digits(s, n, *p, maxd);
    if (k == 0 || k > maxd) {
        return 0;
    }
    int v = 0;
    for (size_t j = 0; j < k; j++) {
        v = v * 10 + (s[*p + j] - '0');
    }
    if (v < lo || v > hi) {
        return 0;
    }
    *p += k;
    return 1;
}

/* A year of 2 or 4 digits at *p (four digits: 1880..2099). */
static int year_in(const char *s, size_t n, size_t *p)
{
    size_t k = digits(s, n, *p, 4);
    if (k == 4) {
        return num_in(s, n, p, 4, 1880, 2099);
    }
    return k == 2 && num_in(s, n, p, 2, 0, 99);
}

/* A calendar date at i: M/D/Y, M-D-Y, D.M.Y (numbers), Y-M-D, "Month D,
 * Y", "D Month Y". Returns its length or 0. */
static size_t date_at(const char *s, size_t n, size_t i)
{
    size_t p = i;
    int m;
    if (digits(s, n, i, 4) == 4) { /* Y-M-D */
        if (num_in(s, n, &p, 4, 1880, 2099) && p < n && (s[p] == '-' || s[p] == '/')) {
            char sep = s[p++];
            if (num_in(s, n, &p, 2, 1, 12) && p < n && s[p] == sep) {
                p++;
                if (num_in(s, n, &p, 2, 1, 31) && num_end_ok(s, n, p)) {
                    return p - i;
                }
            }
        }
        return 0;
    }
    if (is_digit(s[i])) {
        if (num_in(s, n, &p, 2, 1, 31) && p < n && (s[p] == '/' || s[p] == '-' || s[p] == '.')) {
            char sep = s[p++];
            if (num_in(s, n, &p, 2, 1, 31) && p < n && s[p] == sep) {
                p++;
                return year_in(s, n, &p) && num_end_ok(s, n, p) ? p - i : 0;
            }
            return 0;
        }
        p = i;
        if (num_in(s, n, &p, 2, 1, 31) && p < n && s[p] == ' ') {
            size_t w = month_at(s, n, p + 1, &m);
            if (w) {
                p += 1 + w;
                p += p < n && s[p] == ',';
                if (p < n && s[p] == ' ') {
                    p++;
                    return digits(s, n, p, 4) == 4 && year_in(s, n, &p) ? p - i : 0;
                }
            }
        }
        return 0;
    }
    size_t w = month_at(s, n, i, &m);
    if (w && p + w + 1 < n && s[p + w] == ' ') {
        p += w + 1;
        if (num_in(s, n, &p, 2, 1, 31)) {
            p += p + 1 < n && (s[p] == 's' || s[p] == 'n' || s[p] == 'r' || s[p] == 't') &&
                         is_alpha(s[p + 1])
                     ? 2
                     : 0;
            p += p < n && s[p] == ',';
            if (p < n && s[p] == ' ') {
                p++;
                return digits(s, n, p, 4) == 4 && year_in(s, n, &p) ? p - i : 0;
            }
        }
    }
    return 0;
}

/* Keywords after which a date is a date of birth, and after which an
 * identifier is a medical record number. */
static const char *const dob_words[] = {
    "dob", "d.o.b.", "d.o.b", "date of birth", "birth date", "birthdate", "born on", "born", NULL,
};
static const char *const mrn_words[] = {
    "mrn", "medical record number", "medical record no", "medical record #", "medical record",
    "med rec #", "record number", "chart number", "chart no", "hospital number", "patient id",
    "hospital id", NULL,
};

/* Length of a keyword of `words` at i (word start), or 0. */
static size_t keyword_at(const char *s, size_t n, size_t i, const char *const *words)
{
    if (i > 0 && is_alnum(s[i - 1])) {
        return 0;
    }
    for (size_t k = 0; words[k]; k++) {
        size_t len = strlen(words[k]);
        if (i + len > n) {
            continue;
        }
        size_t j = 0;
        while (j < len && lower(s[i + j]) == words[k][j]) {
            j++;
        }
        if (j == len && (i + len >= n || !is_alpha(s[i + len]) || !is_alpha(words[k][len - 1]))) {
            return len;
        }
    }
    return 0;
}

/* Skip ": ", " - ", " is ", " was ", " # " and "no." between a keyword
 * and its value, at most 12 bytes. */
static size_t skip_glue(const char *s, size_t n, size_t p)
{
    size_t start = p;
    while (p < n && p - start < 12) {
        if (s[p] == ' ' || s[p] == ':' || s[p] == '-' || s[p] == '#' || s[p] == '=') {
            p++;
        } else if (word_at(s, n, p, "is") || word_at(s, n, p, "on")) {
            p += 2;
        } else if (word_at(s, n, p, "was")) {
            p += 3;
        } else if (word_at(s, n, p, "no") && p + 2 < n && s[p + 2] == '.') {
            p += 3;
        } else {
            break;
        }
    }
    return p;
}

static int scan_dob(const char *s, size_t n, mc__phi_fn fn, void *ctx)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = keyword_at(s, n, i, dob_words);
        if (!k) {
            continue;
        }
        size_t p = skip_glue(s, n, i + k);
        size_t d = p < n ? date_at(s, n, p) : 0;
        if (d) {
            int rc = fn(ctx, MC__PHI_DOB, p, d);
            if (rc < 0) {
                return rc;
            }
            found++;
            i = p + d - 1;
        }
    }
    return found;
}

/* A record number: 5 to 15 characters of [A-Za-z0-9-] with at least 5
 * digits, e.g. "00482913", "MR-4410293". */
static int scan_mrn(const char *s, size_t n, mc__phi_fn fn, void *ctx)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = keyword_at(s, n, i, mrn_words);
        if (!k) {
            continue;
        }
        size_t p = skip_glue(s, n, i + k);
        size_t len = 0, nd = 0;
        while (p + len < n && (is_alnum(s[p + len]) || s[p + len] == '-') && len <= 15) {
            nd += is_digit(s[p + len]);
            len++;
        }
        while (len && s[p + len - 1] == '-') {
            len--;
        }
        if (len >= 5 && len <= 15 && nd >= 5) {
            int rc = fn(ctx, MC__PHI_MRN, p, len);
            if (rc < 0) {
                return rc;
            }
            found++;
            i = p + len - 1;
        }
    }
    return found;
}

/* ---- street addresses: a house number (1 to 6 digits), one to four
 * capitalised words, and a street type ("1420 Maple Street", "77 W. Oak
 * Ave"); or a PO box ("P.O. Box 1187"). */

static const char *const street_types[] = {
    "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln",
    "Drive", "Court", "Ct", "Place", "Terrace", "Parkway", "Pkwy", "Highway", "Hwy",
    "Circle", "Way", "Square", NULL,
};

/* A street type at i, spelled as listed ("CT" is a scan, not a court);
 * its length (with a following '.') or 0. */
static size_t street_type_at(const char *s, size_t n, size_t i)
{
    for (size_t k = 0; street_types[k]; k++) {
        size_t len = strlen(street_types[k]);
        if (i + len <= n && strncmp(s + i, street_types[k], len) == 0 &&
            (i + len >= n || !is_alnum(s[i + len]))) {
            return len + (i + len < n && s[i + len] == '.');
        }
    }
    return 0;
}

/* A capitalised word ("Maple": a capital, then lower-case letters; all
 * capitals are acronyms such as "PET") or a compass point with a '.'. */
static size_t cap_word_at(const char *s, size_t n, size_t i)
{
    if (i >= n || !is_upper(s[i])) {
        return 0;
    }
    if (i + 1 < n && s[i + 1] == '.') {
        return strchr("NSEW", s[i]) ? 2 : 0;
    }
    size_t k = 1;
    while (i + k < n && s[i + k] >= 'a' && s[i + k] <= 'z') {
        k++;
    }
    return k >= 2 && !(i + k < n && is_alpha(s[i + k])) ? k : 0;
}

static size_t address_at(const char *s, size_t n, size_t i)
{
    size_t k = digits(s, n, i, 6);
    if (k == 0 || k > 6 || i + k >= n || s[i + k] != ' ') {
        return 0;
    }
    size_t p = i + k + 1;
    for (int words = 0; words < 5 && p < n; words++) {
        size_t t = words > 0 ? street_type_at(s, n, p) : 0;
        if (t) {
            return p + t - i;
        }
        size_t w = cap_word_at(s, n, p);
        if (!w || p + w >= n || s[p + w] != ' ') {
            return 0;
        }
        p += w + 1;
    }
    return 0;
}

static size_t po_box_at(const char *s, size_t n, size_t i)
{
    static const char *const forms[] = {"P.O. Box ", "PO Box ", "P. O. Box ", "P.O. BOX ",
                                        "PO BOX ", NULL};
    for (size_t k = 0; forms[k]; k++) {
        size_t len = strlen(forms[k]);
        if (i + len < n && strncmp(s + i, forms[k], len) == 0) {
            size_t d = digits(s, n, i + len, 8);
            return d >= 1 && d <= 8 && num_end_ok(s, n, i + len + d) ? len + d : 0;
        }
    }
    return 0;
}

static int scan_address(const char *s, size_t n, mc__phi_fn fn, void *ctx)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        if (is_digit(s[i]) && num_start_ok(s, i)) {
            k = address_at(s, n, i);
        } else if (s[i] == 'P' && (i == 0 || !is_alnum(s[i - 1]))) {
            k = po_box_at(s, n, i);
        }
        if (k) {
            int rc = fn(ctx, MC__PHI_ADDRESS, i, k);
            if (rc < 0) {
                return rc;
            }
            found++;
            i += k - 1;
        }
    }
    return found;
}

int mc__phi_scan(const char *s, size_t n, mc__phi_fn fn, void *ctx)
{
    int (*const scanners[MC__PHI_NKINDS])(const char *, size_t, mc__phi_fn, void *) = {
        scan_email, scan_phone, scan_ssn, scan_dob, scan_mrn, scan_address,
    };
    int total = 0;
    for (int k = 0; k < MC__PHI_NKINDS; k++) {
        int rc = scanners[k](s, n, fn, ctx);
        if (rc < 0) {
            return rc;
        }
        total += rc;
    }
    return total;
}
