/* Shapes: seven of the detectors' patterns matched in C, character by character, the way ``re`` matches them.
 *
 * A shop prompt's identifiers are tried ~20 times a prompt; each ``re`` call costs ~0.5 µs before it reads a
 * character. These patterns have a simple structure: each repeated piece consumes what it can without choice
 * (an optional separator is only taken before the character class that must follow it, and the classes do not
 * hold the separators), so ``re``'s backtracking only ever gives back whole repetitions, last first. A shape
 * does exactly that: it walks the repetitions forward, then tries the ends from the longest down, with the
 * pattern's lookaround at each, as ``re`` would. Classes are read as ``re`` reads them on ``str``: ``\d`` is a
 * Unicode decimal digit, ``\w`` a Unicode letter or digit or ``_``, and an ASCII letter class under IGNORECASE also
 * holds the four characters whose case folds into ASCII (İ ı ſ K). A lookbehind may read before ``pos``; nothing
 * is read at or past ``endpos``, where the text ends for the match. Each shape is bound to its pattern's source
 * and flags (``SHAPES``): a pattern edited in Python no longer gets its shape, and
 * ``tests/collector/test_detect_finder.py`` compares each shape with ``re`` on generated text.
 */
#ifndef DOUANE_SHAPES_H
#define DOUANE_SHAPES_H

#include <Python.h>
#include <string.h>

enum shape { NO_SHAPE = 0, CARD = 1, VAT = 2, IBAN = 3, EMAIL = 4, PHONE = 5, STREET = 6, POSTCODE = 7 };

typedef struct {
    const char *source;
    int flags; /* re's flags as Python reports them: 32 UNICODE, 34 UNICODE | IGNORECASE */
} ShapeSource;

static const ShapeSource SHAPES[] = {
    [CARD] = {"(\\d(?<![\\d-].)(?:[ -]?\\d){12,18})(?![\\d-])", 34},
    [VAT] = {"((?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)(?<!\\w..)"
             "(?:[ .]?[0-9A-Z]){8,12})(?![\\w])", 32},
    [IBAN] = {"([A-Z](?<!\\w.)[A-Z]\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)(?![\\w])", 34},
    [EMAIL] = {"(?<![\\w.+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}"
               "\\.[A-Za-z]{2,24})", 34},
    [PHONE] = {"(?<![\\w+-])((?:\\+|00)?\\(?\\d{1,4}\\)?(?:[ ./-]?\\(?\\d{1,5}\\)?){2,6})(?![\\w-])", 34},
    [STREET] = {"([A-ZÄÖÜ](?<!\\w.)[\\wäöüß.-]{1,40}(?=[abcdglprsuvw])(?:stra(?:ß|ss)e|str\\.|weg|gasse|allee|platz|"
                "ring|damm|ufer|rue|avenue|boulevard|bd|chemin|calle|avenida|plaza|via|viale|piazza|corso|straat|laan|"
                "plein|gracht|street|st\\.|road|rd\\.|lane) ?\\d{1,4}[a-z]?)(?![\\w])", 32},
    [POSTCODE] = {"(\\d(?<!\\d.)\\d{4} [A-ZÄÖÜÉ][a-zäöüßéèà]{2,30}(?:[ -][A-ZÄÖÜ]?[a-zäöüß]{2,30})?)(?![\\w])", 32},
};
#define SHAPE_COUNT 8

static const char VAT_COUNTRIES[] = "ATBEBGCYCZDEDKEEELESFIFRHRHUIEITLTLULVMTNLPLPTROSESISK";

typedef struct {
    int kind;
    const void *data;
} View;

static inline Py_UCS4 at(const View *v, Py_ssize_t i) { return PyUnicode_READ(v->kind, v->data, i); }

/* \d and \w as ``re`` reads them on str; ASCII answered without the Unicode tables (most shop text) */
static inline int is_digit(Py_UCS4 c) { return c < 128 ? c >= '0' && c <= '9' : Py_UNICODE_ISDECIMAL(c); }
static inline int is_word(Py_UCS4 c) {
    if (c < 128) return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
    return Py_UNICODE_ISALNUM(c);
}
static inline int is_ascii_digit(Py_UCS4 c) { return c >= '0' && c <= '9'; }           /* 0-9 in a class */

/* [A-Z] or [A-Za-z] under IGNORECASE: ASCII letters, and İ ı ſ K, whose case folds into them. */
static inline int is_letter_i(Py_UCS4 c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == 0x130 || c == 0x131 || c == 0x17f ||
           c == 0x212a;
}
static inline int is_alnum_i(Py_UCS4 c) { return is_letter_i(c) || is_ascii_digit(c); } /* [A-Z0-9], re.I */
static inline int is_local(Py_UCS4 c) {                                                 /* [A-Za-z0-9._%+-] */
    return is_alnum_i(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
static inline int is_label(Py_UCS4 c) { return is_alnum_i(c) || c == '-'; }             /* [A-Za-z0-9-] */
static inline int is_upper_alnum(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || is_ascii_digit(c); }

/* How many characters from ``from`` (before ``endpos``, at most ``most``) ``member`` holds. */
static inline Py_ssize_t run(const View *v, int (*member)(Py_UCS4), Py_ssize_t from, Py_ssize_t endpos,
                             Py_ssize_t most) {
    Py_ssize_t n = 0;
    while (n < most && from + n < endpos && member(at(v, from + n))) n++;
    return n;
}

/* Whether the character at ``i`` (the text ending at ``endpos``) is one ``member`` holds: a lookahead's test. */
static inline int holds(const View *v, int (*member)(Py_UCS4), Py_ssize_t i, Py_ssize_t endpos) {
    return i < endpos && member(at(v, i));
}

static int digit_or_hyphen(Py_UCS4 c) { return is_digit(c) || c == '-'; }

/* Whether ``c`` is one of the ASCII characters of ``seps``. */
static inline int is_separator(const char *seps, Py_UCS4 c) {
    for (; *seps; seps++)
        if (c == (Py_UCS4)(unsigned char)*seps) return 1;
    return 0;
}

/* Repetitions of ``[seps]?<class>`` from ``p``, at most ``most``: ends[1..n] after each; n. */
static int separated(const View *v, Py_ssize_t p, Py_ssize_t endpos, const char *seps, int (*member)(Py_UCS4),
                     int most, Py_ssize_t *ends) {
    int n = 0;
    while (n < most) {
        if (p + 1 < endpos && is_separator(seps, at(v, p)) && member(at(v, p + 1)))
            p += 2;
        else if (p < endpos && member(at(v, p)))
            p += 1;
        else
            break;
        ends[++n] = p;
    }
    return n;
}

/* The longest of ends[least..n] not followed by a character ``not_after`` holds (a negative lookahead): 1 and it. */
static int longest(const View *v, const Py_ssize_t *ends, int n, int least, int (*not_after)(Py_UCS4),
                   Py_ssize_t endpos, Py_ssize_t *end) {
    for (int k = n; k >= least; k--) {
        if (!holds(v, not_after, ends[k], endpos)) {
            *end = ends[k];
            return 1;
        }
    }
    return 0;
}

/* (\d(?<![\d-].)(?:[ -]?\d){12,18})(?![\d-]) */
static int card(const View *v, Py_ssize_t pos, Py_ssize_t endpos, Py_ssize_t *end) {
    Py_ssize_t ends[19];
    if (pos >= endpos || !is_digit(at(v, pos)) || (pos >= 1 && digit_or_hyphen(at(v, pos - 1)))) return 0;
    return longest(v, ends, separated(v, pos + 1, endpos, " -", is_digit, 18, ends), 12, digit_or_hyphen, endpos,
                   end);
}

/* ((?:AT|BE|...|SK)(?<!\w..)(?:[ .]?[0-9A-Z]){8,12})(?![\w]), case as written */
static int vat(const View *v, Py_ssize_t pos, Py_ssize_t endpos, Py_ssize_t *end) {
    Py_ssize_t ends[13];
    if (pos + 2 > endpos) return 0;
    Py_UCS4 first = at(v, pos), second = at(v, pos + 1);
    int known = 0;
    for (const char *code = VAT_COUNTRIES; *code && !known; code += 2) known = first == (Py_UCS4)code[0] &&
                                                                             second == (Py_UCS4)code[1];
    if (!known || (pos >= 1 && is_word(at(v, pos - 1)))) return 0;
    return longest(v, ends, separated(v, pos + 2, endpos, " .", is_upper_alnum, 12, ends), 8, is_word, endpos, end);
}

/* ([A-Z](?<!\w.)[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)(?![\w]), IGNORECASE */
static int iban(const View *v, Py_ssize_t pos, Py_ssize_t endpos, Py_ssize_t *end) {
    Py_ssize_t ends[8];
    if (pos + 4 > endpos || !is_letter_i(at(v, pos)) || (pos >= 1 && is_word(at(v, pos - 1))) ||
        !is_letter_i(at(v, pos + 1)) || !is_digit(at(v, pos + 2)) || !is_digit(at(v, pos + 3)))
        return 0;
    int n = 0;
    for (Py_ssize_t p = pos + 4; n < 7;) { /* a group: an optional space, then four of the class */
        Py_ssize_t q = p < endpos && at(v, p) == ' ' ? p + 1 : p;
        if (run(v, is_alnum_i, q, endpos, 4) < 4) break;
        p = ends[++n] = q + 4;
    }
    for (int k = n; k >= 2; k--) {
        Py_ssize_t q = ends[k] < endpos && at(v, ends[k]) == ' ' ? ends[k] + 1 : ends[k];
        for (Py_ssize_t j = run(v, is_alnum_i, q, endpos, 4); j >= 1; j--) { /* the last group, longest first */
            if (!holds(v, is_word, q + j, endpos)) {
                *end = q + j;
                return 1;
            }
        }
        if (!holds(v, is_word, ends[k], endpos)) { /* no last group */
            *end = ends[k];
            return 1;
        }
    }
    return 0;
}

static int before_address(Py_UCS4 c) { return is_word(c) || c == '.' || c == '+' || c == '-'; }

/* (?<![\w.+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}), IGNORECASE */
static int email(const View *v, Py_ssize_t pos, Py_ssize_t endpos, Py_ssize_t *end) {
    Py_ssize_t ends[9];
    if (pos >= 1 && before_address(at(v, pos - 1))) return 0;
    Py_ssize_t local = run(v, is_local, pos, endpos, 65);
    if (local < 1 || local > 64 || !(pos + local < endpos && at(v, pos + local) == '@')) return 0;
    Py_ssize_t label = run(v, is_label, pos + local + 1, endpos, 64);
    if (label < 1 || label > 63) return 0;
    ends[0] = pos + local + 1 + label;
    int n = 0;
    while (n < 8 && ends[n] < endpos && at(v, ends[n]) == '.') { /* the dotted labels, each whole */
        label = run(v, is_label, ends[n] + 1, endpos, 64);
        if (label < 1 || label > 63) break;
        ends[n + 1] = ends[n] + 1 + label;
        n++;
    }
    for (int r = n; r >= 0; r--) { /* the top-level domain: a dot and two to 24 letters, after r labels */
        if (ends[r] < endpos && at(v, ends[r]) == '.') {
            Py_ssize_t letters = run(v, is_letter_i, ends[r] + 1, endpos, 24);
            if (letters >= 2) {
                *end = ends[r] + 1 + letters;
                return 1;
            }
        }
    }
    return 0;
}

/* The phone pattern is the one shape whose pieces can split a run of digits in several ways, so its shape is a
 * backtracking search in the pattern's own order: each optional piece taken before it is left out, each count
 * of digits longest first, one more group before stopping, the lookahead last. What follows a given offset
 * after a given number of groups either matches or not, whichever way the digits before were split: a failure
 * is remembered, so a long digit run that fails at its end costs its offsets times the group counts, not every
 * split of it (re tries every split). */
#define PHONE_WIDTH 64  /* longer than any match: (+|00) 2, the head (d{1,4}) 6, six groups of [ ./-](d{1,5}) 8 */
#define PHONE_GROUPS 7  /* 0 to 6 groups */

typedef struct {
    const View *v;
    Py_ssize_t start, endpos;
    unsigned char failed[PHONE_WIDTH][PHONE_GROUPS]; /* offset from start, groups: known not to match from there */
} PhoneSearch;

static int phone_groups(PhoneSearch *s, Py_ssize_t p, int groups, Py_ssize_t *end);

static int hyphen_or_word(Py_UCS4 c) { return is_word(c) || c == '-'; }

/* \(?\d{1,<most>}\)? from ``p``, then the groups after it (``groups`` of them so far). */
static int phone_digits(PhoneSearch *s, Py_ssize_t p, Py_ssize_t most, int groups, Py_ssize_t *end) {
    for (int open = p < s->endpos && at(s->v, p) == '(' ? 1 : 0; open >= 0; open--) {
        for (Py_ssize_t k = run(s->v, is_digit, p + open, s->endpos, most); k >= 1; k--) {
            Py_ssize_t q = p + open + k;
            if (q < s->endpos && at(s->v, q) == ')' && phone_groups(s, q + 1, groups, end)) return 1;
            if (phone_groups(s, q, groups, end)) return 1;
        }
    }
    return 0;
}

/* (?:[ ./-]?\(?\d{1,5}\)?){2,6}(?![\w-]) after ``groups`` of the groups, at ``p``. */
static int phone_groups(PhoneSearch *s, Py_ssize_t p, int groups, Py_ssize_t *end) {
    Py_ssize_t offset = p - s->start;
    int remembered = offset >= 0 && offset < PHONE_WIDTH;
    if (remembered && s->failed[offset][groups]) return 0;
    if (groups < 6) {
        if (p < s->endpos && is_separator(" ./-", at(s->v, p)) && phone_digits(s, p + 1, 5, groups + 1, end)) return 1;
        if (phone_digits(s, p, 5, groups + 1, end)) return 1;
    }
    if (groups >= 2 && !holds(s->v, hyphen_or_word, p, s->endpos)) {
        *end = p;
        return 1;
    }
    if (remembered) s->failed[offset][groups] = 1;
    return 0;
}

/* (?<![\w+-])((?:\+|00)?\(?\d{1,4}\)?(?:[ ./-]?\(?\d{1,5}\)?){2,6})(?![\w-]) */
static int phone(const View *v, Py_ssize_t pos, Py_ssize_t endpos, Py_ssize_t *end) {
    if (pos >= 1 && (is_word(at(v, pos - 1)) || at(v, pos - 1) == '+' || at(v, pos - 1) == '-')) return 0;
    if (pos >= endpos || !(is_digit(at(v, pos)) || at(v, pos) == '+' || at(v, pos) == '(')) return 0;
    PhoneSearch s = {v, pos, endpos, {{0}}};
    if (at(v, pos) == '+' && phone_digits(&s, pos + 1, 4, 0, end)) return 1;
    if (pos + 1 < endpos && at(v, pos) == '0' && at(v, pos + 1) == '0' && phone_digits(&s, pos + 2, 4, 0, end))
        return 1;
    return phone_digits(&s, pos, 4, 0, end);
}

static const Py_UCS4 *const STREET_WORDS[] = {
    U"straße", U"strasse", U"str.", U"weg", U"gasse", U"allee", U"platz", U"ring", U"damm", U"ufer", U"rue",
    U"avenue", U"boulevard", U"bd", U"chemin", U"calle", U"avenida", U"plaza", U"via", U"viale", U"piazza",
    U"corso", U"straat", U"laan", U"plein", U"gracht", U"street", U"st.", U"road", U"rd.", U"lane", NULL,
};
/* The street words in the pattern's order (``stra(?:ß|ss)e`` is "straße", then "strasse"): re tries them so. */
static const char STREET_INITIALS[] = "abcdglprsuvw";

/* How long ``word`` is where it is written at ``p`` (the text ending at ``endpos``); 0 where it is not. */
static Py_ssize_t written(const View *v, Py_ssize_t p, Py_ssize_t endpos, const Py_UCS4 *word) {
    Py_ssize_t n = 0;
    for (; word[n]; n++)
        if (p + n >= endpos || at(v, p + n) != word[n]) return 0;
    return n;
}

static int street_part(Py_UCS4 c) { return is_word(c) || c == '.' || c == '-'; } /* [\wäöüß.-] */
static int lower_ascii(Py_UCS4 c) { return c >= 'a' && c <= 'z'; }

/* `` ?\d{1,4}[a-z]?(?![\w])`` from ``p``: 1 and where it ends, or 0. */
static int house_number(const View *v, Py_ssize_t p, Py_ssize_t endpos, Py_ssize_t *end) {
    for (int space = p < endpos && at(v, p) == ' ' ? 1 : 0; space >= 0; space--) {
        for (Py_ssize_t k = run(v, is_digit, p + space, endpos, 4); k >= 1; k--) {
            Py_ssize_t q = p + space + k;
            if (holds(v, lower_ascii, q, endpos) && !holds(v, is_word, q + 1, endpos)) {
                *end = q + 1;
                return 1;
            }
            if (!holds(v, is_word, q, endpos)) {
                *end = q;
                return 1;
            }
        }
    }
    return 0;
}

/* ([A-ZÄÖÜ](?<!\w.)[\wäöüß.-]{1,40}(?:straße|...|lane) ?\d{1,4}[a-z]?)(?![\w]), case as written: the name run
 * longest first, at each length the street words in order, then the house number. */
static int street(const View *v, Py_ssize_t pos, Py_ssize_t endpos, Py_ssize_t *end) {
    if (pos >= endpos) return 0;
    Py_UCS4 first = at(v, pos);
    if (!((first >= 'A' && first <= 'Z') || first == 0xc4 || first == 0xd6 || first == 0xdc) ||
        (pos >= 1 && is_word(at(v, pos - 1))))
        return 0;
    for (Py_ssize_t r = run(v, street_part, pos + 1, endpos, 40); r >= 1; r--) {
        Py_ssize_t p = pos + 1 + r;
        if (p >= endpos || !is_separator(STREET_INITIALS, at(v, p))) continue; /* the pattern's (?=[abcdglprsuvw]) */
        for (const Py_UCS4 *const *word = STREET_WORDS; *word; word++) {
            Py_ssize_t length = written(v, p, endpos, *word);
            if (length && house_number(v, p + length, endpos, end)) return 1;
        }
    }
    return 0;
}

static int town_capital(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || c == 0xc4 || c == 0xd6 || c == 0xdc || c == 0xc9; }
static int part_capital(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || c == 0xc4 || c == 0xd6 || c == 0xdc; }
static int part_lower(Py_UCS4 c) { return (c >= 'a' && c <= 'z') || c == 0xe4 || c == 0xf6 || c == 0xfc || c == 0xdf; }
static int town_lower(Py_UCS4 c) { return part_lower(c) || c == 0xe9 || c == 0xe8 || c == 0xe0; }

/* ``(?:[ -][A-ZÄÖÜ]?[a-zäöüß]{2,30})?(?![\w])`` from ``p``: a town's second part, then the word's end. */
static int town_end(const View *v, Py_ssize_t p, Py_ssize_t endpos, Py_ssize_t *end) {
    if (p < endpos && (at(v, p) == ' ' || at(v, p) == '-')) {
        for (int capital = holds(v, part_capital, p + 1, endpos) ? 1 : 0; capital >= 0; capital--) {
            Py_ssize_t from = p + 1 + capital;
            for (Py_ssize_t k = run(v, part_lower, from, endpos, 30); k >= 2; k--) {
                if (!holds(v, is_word, from + k, endpos)) {
                    *end = from + k;
                    return 1;
                }
            }
        }
    }
    if (holds(v, is_word, p, endpos)) return 0;
    *end = p;
    return 1;
}

/* (\d(?<!\d.)\d{4} [A-ZÄÖÜÉ][a-zäöüßéèà]{2,30}(?:[ -][A-ZÄÖÜ]?[a-zäöüß]{2,30})?)(?![\w]), case as written */
static int postcode(const View *v, Py_ssize_t pos, Py_ssize_t endpos, Py_ssize_t *end) {
    if (pos + 8 > endpos || (pos >= 1 && is_digit(at(v, pos - 1))) || run(v, is_digit, pos, endpos, 5) < 5 ||
        at(v, pos + 5) != ' ' || !town_capital(at(v, pos + 6)))
        return 0;
    for (Py_ssize_t k = run(v, town_lower, pos + 7, endpos, 30); k >= 2; k--)
        if (town_end(v, pos + 7 + k, endpos, end)) return 1;
    return 0;
}

/* Whether a phone number can start at ``pos`` as far as its first character and the one before tell (what
 * ``phone`` reads first): an untracked phone trigger leaves ~56 offsets to try, most of them inside words. */
static inline int may_start(int shape, const View *v, Py_ssize_t length, Py_ssize_t pos) {
    if (shape != PHONE || pos <= 0 || pos >= length) return 1; /* the shape decides (and clamps) */
    Py_UCS4 c = at(v, pos), before = at(v, pos - 1);
    return (is_digit(c) || c == '+' || c == '(') && !(is_word(before) || before == '+' || before == '-');
}

/* ``pattern.match(text, pos, endpos)`` of the shape's pattern: 1 and where the match (and its group) ends, or 0.
 * ``pos`` and ``endpos`` as re reads them: a negative pos is 0, an endpos past the text is its length. */
static int shape_match(int shape, const View *v, Py_ssize_t length, Py_ssize_t *pos, Py_ssize_t endpos,
                       Py_ssize_t *end) {
    if (*pos < 0) *pos = 0;
    if (endpos > length) endpos = length;
    if (*pos > endpos) return 0;
    switch (shape) {
    case CARD: return card(v, *pos, endpos, end);
    case VAT: return vat(v, *pos, endpos, end);
    case IBAN: return iban(v, *pos, endpos, end);
    case EMAIL: return email(v, *pos, endpos, end);
    case PHONE: return phone(v, *pos, endpos, end);
    case STREET: return street(v, *pos, endpos, end);
    case POSTCODE: return postcode(v, *pos, endpos, end);
    default: return 0;
    }
}

#endif
