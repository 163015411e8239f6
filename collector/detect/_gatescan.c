/* The detection gate's scan in C: one Hyperscan pass whose matches are collected and merged without a
 * Python call per match.
 *
 * The Python binding of Hyperscan calls a Python function for every match (~34 on a 2 KB shop prompt,
 * ~0.3 µs each), and gate.py then merges each pattern's reports into windows or ranges of start offsets.
 * Here the matches go into a C array and are merged by the same four rules as gate.py (``_merged_ends``,
 * ``_merged``, ``_end_ranges``, ``_start_ranges``) and the back scan of ``_back_ranges``; Python receives only the
 * merged spans; a number trigger's starts are read back from its ends (``NumberTrigger``). The module
 * offers what gate_cache.py needs of a Hyperscan module (``__version__``, ``error``, ``dumpb``, ``loadb``),
 * so the compiled database is kept on disk the same way. Built against Debian's libhyperscan-dev; gate.py
 * falls back to the Python binding when this module is not there.
 *
 * Memory: window and end-trigger reports arrive in ascending order of end and are merged as they come, so a
 * scan keeps their merged spans, not their reports; start-of-match reports are kept (at most MAX_BUFFERED,
 * past which the scan answers None, the gate's "everywhere"). Threads: a scan of up to RELEASE_GIL_ABOVE
 * bytes holds the GIL and uses the database's scratch; a longer one clones a scratch and releases the GIL,
 * touching no Python object meanwhile. Requires a build with the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <hs.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#define RELEASE_GIL_ABOVE 65536 /* bytes: longer scans let other threads run (on a scratch of their own) */
#define MAX_BUFFERED 4000000    /* start-of-match reports kept per scan (96 MB); past it the gate says "everywhere" */

#define MOST_DIGITS 64           /* NUMBER_STARTS: the longest run of digits a number trigger may count */

enum merge { WINDOW_ENDS = 0, WINDOW_EXACT = 1, TRIGGER_ENDS = 2, TRIGGER_STARTS = 3, BACK_SCAN = 4, NUMBER_STARTS = 5 };
enum failure { SCANNED = 0, OUT_OF_MEMORY = 1, TOO_MANY = 2, UNKNOWN_PATTERN = 3 };

typedef struct {
    unsigned int id;
    long long a, b; /* a report's (start, end), or a merged span's (low, high) */
} Record;

typedef struct {
    Record *items;
    size_t size, capacity;
} Records;

typedef struct {
    PyObject_HEAD
    hs_database_t *database;
    hs_scratch_t *scratch;
    unsigned int patterns;
    int *merge;  /* per pattern: how its reports become spans (enum merge); NULL until configured */
    long long *first, *second; /* WINDOW_ENDS: width; TRIGGER_ENDS: longest, shortest; TRIGGER_STARTS and
                                  NUMBER_STARTS: before, shortest; BACK_SCAN: longest head, separator byte */
    int *fewest, *most;         /* NUMBER_STARTS: how many digits a number trigger counts */
    unsigned char *tail, *head; /* BACK_SCAN: per pattern, 256-byte membership tables of its two classes;
                                   NUMBER_STARTS: of the characters before and after a number */
} Database;

/* One scan's state. Window and end-trigger reports arrive in ascending order of end and are merged as they
 * come (memory: the merged spans, not the reports); start-of-match reports are kept and sorted at the end. */
typedef struct {
    const Database *db;
    const unsigned char *data;
    long long length;
    Records merged, kept;
    long long *low, *high;
    long long *read_to, *at; /* BACK_SCAN: how far back bytes were read already, and the separator found there */
    unsigned char *seen;
    int failed;
} Scan;

static PyObject *GateError;
static PyTypeObject DatabaseType;

static int push(Records *records, unsigned int id, long long a, long long b) {
    if (records->size == records->capacity) {
        size_t capacity = records->capacity ? records->capacity * 2 : 64;
        Record *grown = realloc(records->items, capacity * sizeof(Record));
        if (grown == NULL) return -1;
        records->items = grown;
        records->capacity = capacity;
    }
    records->items[records->size++] = (Record){id, a, b};
    return 0;
}

/* gate.py's ``_merged_ends`` one report at a time: (end - width, end) windows, joined where they overlap. */
static int window_end(Scan *scan, unsigned int id, long long end) {
    long long width = scan->db->first[id];
    end -= 1;
    scan->seen[id] = 1;
    if (end - width <= scan->high[id]) {
        if (end > scan->high[id]) scan->high[id] = end;
        return 0;
    }
    if (scan->high[id] >= 0 && push(&scan->merged, id, scan->low[id], scan->high[id]) < 0) return -1;
    scan->low[id] = end - width > 0 ? end - width : 0;
    scan->high[id] = end;
    return 0;
}

/* A range of start offsets (low, high) joined to the open one where they overlap or touch; ranges come in
 * ascending order of low. */
static int open_range(Scan *scan, unsigned int id, long long low, long long high) {
    if (!scan->seen[id]) {
        scan->seen[id] = 1;
        scan->low[id] = low;
        scan->high[id] = high;
        return 0;
    }
    if (low <= scan->high[id] + 1) {
        if (high > scan->high[id]) scan->high[id] = high;
        return 0;
    }
    if (push(&scan->merged, id, scan->low[id], scan->high[id]) < 0) return -1;
    scan->low[id] = low;
    scan->high[id] = high;
    return 0;
}

/* gate.py's ``_end_ranges`` one report at a time: where a trigger's match can start, from where it ended. */
static int trigger_end(Scan *scan, unsigned int id, long long end) {
    return open_range(scan, id, end - scan->db->first[id], end - scan->db->second[id]);
}

/* gate.py's ``_back_ranges`` one report at a time: back from the end over tail bytes to the separator (bytes read
 * for an earlier end are not read again), then over at most ``first`` head bytes: the match starts there. */
static int back_scan(Scan *scan, unsigned int id, long long end) {
    const unsigned char *data = scan->data, *tail = scan->db->tail + 256 * (size_t)id;
    const unsigned char *head = scan->db->head + 256 * (size_t)id;
    long long i = end - 1, read_to = scan->read_to[id];
    while (i >= read_to && tail[data[i]]) i--;
    if (i >= read_to) scan->at[id] = i;
    scan->read_to[id] = end;
    long long at = scan->at[id], longest_head = scan->db->first[id];
    if (at < 0 || data[at] != scan->db->second[id]) return 0;
    long long j = at - 1;
    while (j >= 0 && at - j <= longest_head && head[data[j]]) j--;
    if (j > at - 2) return 0; /* nothing of the head before the separator: no match starts here */
    return open_range(scan, id, j, at - 2); /* offsets in the text: less the leading space */
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* The leftmost start of a number trigger's match whose last digit is at ``last`` (gate.py's ``NumberTrigger``):
 * back over digits joined by ``)``, one of `` ./-`` and ``(`` (each optional, in that order) to at most ``most``
 * digits; for each count from ``fewest``, the first digit may follow ``(``, then ``+`` or ``00``, then a character
 * of the ``before`` class, where the match starts. -1: none. At most MOST_DIGITS digits are read back. */
static long long number_start_at(const unsigned char *data, long long last, const unsigned char *before,
                                 int fewest, int most) {
    long long digits[MOST_DIGITS];
    int count = 0;
    for (long long p = last;;) {
        digits[count++] = p;
        long long j = p - 1;
        if (count >= most || count == MOST_DIGITS) break; /* both: a rule's most is checked, this is the array */
        if (j >= 0 && data[j] == '(') j--;
        if (j >= 0 && (data[j] == ' ' || data[j] == '.' || data[j] == '/' || data[j] == '-')) j--;
        if (j >= 0 && data[j] == ')') j--;
        if (j < 0 || !is_digit(data[j])) break;
        p = j;
    }
    long long best = -1;
    for (int n = fewest; n <= count; n++) {
        for (int paren = 0; paren < 2; paren++) {
            long long j = digits[n - 1] - 1 - paren; /* where a prefix (+, 00) or the character before ends */
            if (paren && (j + 1 < 0 || data[j + 1] != '(')) continue;
            long long starts[3] = {j, -1, -1};
            if (j >= 0 && data[j] == '+') starts[1] = j - 1;
            if (j >= 1 && data[j] == '0' && data[j - 1] == '0') starts[2] = j - 2;
            for (int k = 0; k < 3; k++) {
                long long b = starts[k];
                if (b >= 0 && before[data[b]] && (best < 0 || b < best)) best = b;
            }
        }
    }
    return best;
}

/* Where ``$`` matches: at the end of the text or before a newline that ends it (Hyperscan reads it as PCRE does). */
static int ends_text(const Scan *scan, long long end) {
    return end == scan->length || (end == scan->length - 1 && scan->data[end] == '\n');
}

/* NUMBER_STARTS: the start Hyperscan's start-of-match tracking would report for a number trigger's match ending at
 * ``end``, read back from it: the match ends with a character of the ``after`` class or where ``$`` matches,
 * after an optional ``)`` and the last digit. A number trigger goes without the tracking, which cost the gate's scan
 * more than this reading back. 0 where no start is found (not expected: the widest range, never a hidden match). */
static int number_starts(Scan *scan, unsigned int id, long long end) {
    const unsigned char *data = scan->data, *before = scan->db->tail + 256 * (size_t)id;
    const unsigned char *after = scan->db->head + 256 * (size_t)id;
    int fewest = scan->db->fewest[id], most = scan->db->most[id];
    long long best = -1;
    for (int at_end = 0; at_end < 2; at_end++) {
        long long last = end - 1;
        if (at_end ? !ends_text(scan, end) : end < 1 || !after[data[end - 1]]) continue;
        if (!at_end) last--;
        if (last >= 0 && data[last] == ')') last--;
        if (last < 0 || !is_digit(data[last])) continue;
        long long start = number_start_at(data, last, before, fewest, most);
        if (start >= 0 && (best < 0 || start < best)) best = start;
    }
    return push(&scan->kept, id, best < 0 ? 0 : best, end);
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                    void *context) {
    (void)flags;
    Scan *scan = (Scan *)context;
    if (id >= scan->db->patterns) {
        scan->failed = UNKNOWN_PATTERN;
        return 1; /* stop the scan */
    }
    int failed;
    switch (scan->db->merge[id]) {
    case WINDOW_ENDS: failed = window_end(scan, id, (long long)to); break;
    case TRIGGER_ENDS: failed = trigger_end(scan, id, (long long)to); break;
    case BACK_SCAN: failed = back_scan(scan, id, (long long)to); break;
    case NUMBER_STARTS:
        if (scan->kept.size >= MAX_BUFFERED) {
            scan->failed = TOO_MANY;
            return 1;
        }
        failed = number_starts(scan, id, (long long)to);
        break;
    default:
        if (scan->kept.size >= MAX_BUFFERED) {
            scan->failed = TOO_MANY;
            return 1;
        }
        failed = push(&scan->kept, id, (long long)from, (long long)to);
    }
    if (failed < 0) {
        scan->failed = OUT_OF_MEMORY;
        return 1;
    }
    return 0;
}

/* The spans still open when the scan ends. */
static int close_open(Scan *scan) {
    for (unsigned int id = 0; id < scan->db->patterns; id++) {
        if (scan->seen[id] && push(&scan->merged, id, scan->low[id], scan->high[id]) < 0) return -1;
    }
    return 0;
}

static int by_start(const void *a, const void *b) {
    const Record *x = a, *y = b;
    if (x->a != y->a) return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

static int append_span(PyObject *list, long long low, long long high) {
    PyObject *span = Py_BuildValue("(LL)", low, high);
    if (span == NULL) return -1;
    int failed = PyList_Append(list, span);
    Py_DECREF(span);
    return failed;
}

/* gate.py's ``_merged``: windows whose starts are known, (start - 1, end - 1), sorted and joined. */
static int merged_exact(PyObject *out, Record *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        r[i].a = r[i].a - 1 > 0 ? r[i].a - 1 : 0;
        r[i].b -= 1;
    }
    if (n > 1) qsort(r, n, sizeof(Record), by_start);
    long long low = r[0].a, high = r[0].b;
    for (size_t i = 1; i < n; i++) {
        if (r[i].a <= high) {
            if (r[i].b > high) high = r[i].b;
        } else {
            if (append_span(out, low, high) < 0) return -1;
            low = r[i].a;
            high = r[i].b;
        }
    }
    return append_span(out, low, high);
}

/* gate.py's ``_start_ranges``: a trigger's (start, end) reports sorted by start, as ranges of start offsets. */
static int start_ranges(PyObject *out, Record *r, size_t n, long long before, long long shortest) {
    if (n > 1) qsort(r, n, sizeof(Record), by_start);
    long long low = r[0].a - before, high = r[0].b - shortest;
    for (size_t i = 0; i < n; i++) {
        if (r[i].a - before <= high + 1) {
            if (r[i].b - shortest > high) high = r[i].b - shortest;
        } else {
            if (append_span(out, low, high) < 0) return -1;
            low = r[i].a - before;
            high = r[i].b - shortest;
        }
    }
    return append_span(out, low, high);
}

/* ``records`` grouped by pattern, each pattern's in the order they came (a stable counting sort); ``ends[id]``
 * is where pattern id's group ends. */
static Record *grouped(const Records *records, unsigned int patterns, size_t *ends) {
    Record *out = malloc((records->size ? records->size : 1) * sizeof(Record));
    if (out == NULL) return NULL;
    memset(ends, 0, ((size_t)patterns + 1) * sizeof(size_t));
    for (size_t i = 0; i < records->size; i++) ends[records->items[i].id + 1]++;
    for (unsigned int id = 0; id < patterns; id++) ends[id + 1] += ends[id];
    for (size_t i = 0; i < records->size; i++) out[ends[records->items[i].id]++] = records->items[i];
    return out; /* after the placement, ends[id] is where pattern id's records end */
}

static int add_spans(PyObject *result, unsigned int id, PyObject *spans) {
    PyObject *key = PyLong_FromUnsignedLong(id);
    int failed = key == NULL || PyDict_SetItem(result, key, spans) < 0;
    Py_XDECREF(key);
    Py_DECREF(spans);
    return failed ? -1 : 0;
}

/* Per pattern id, its merged spans: the ones merged during the scan as they are, the kept reports merged now. */
static PyObject *spans_by_pattern(Scan *scan) {
    unsigned int patterns = scan->db->patterns;
    size_t *merged_ends = malloc(((size_t)patterns + 1) * sizeof(size_t));
    size_t *kept_ends = malloc(((size_t)patterns + 1) * sizeof(size_t));
    Record *merged = merged_ends ? grouped(&scan->merged, patterns, merged_ends) : NULL;
    Record *kept = kept_ends ? grouped(&scan->kept, patterns, kept_ends) : NULL;
    PyObject *result = merged && kept ? PyDict_New() : PyErr_NoMemory();
    size_t merged_start = 0, kept_start = 0;
    for (unsigned int id = 0; result != NULL && id < patterns; id++) {
        size_t merged_end = merged_ends[id], kept_end = kept_ends[id];
        if (merged_end > merged_start || kept_end > kept_start) {
            PyObject *spans = PyList_New(0);
            int failed = spans == NULL;
            if (!failed && merged_end > merged_start) {
                for (size_t i = merged_start; !failed && i < merged_end; i++)
                    failed = append_span(spans, merged[i].a, merged[i].b) < 0;
            } else if (!failed) {
                Record *r = kept + kept_start;
                size_t n = kept_end - kept_start;
                failed = (scan->db->merge[id] == WINDOW_EXACT
                          ? merged_exact(spans, r, n)
                          : start_ranges(spans, r, n, scan->db->first[id], scan->db->second[id])) < 0;
            }
            if (failed) {
                Py_XDECREF(spans);
                Py_CLEAR(result);
            } else if (add_spans(result, id, spans) < 0) { /* add_spans releases spans either way */
                Py_CLEAR(result);
            }
        }
        merged_start = merged_end;
        kept_start = kept_end;
    }
    free(merged_ends);
    free(kept_ends);
    free(merged);
    free(kept);
    return result;
}

static void release(Scan *scan) {
    free(scan->merged.items);
    free(scan->kept.items);
    free(scan->low);
    free(scan->high);
    free(scan->read_to);
    free(scan->at);
    free(scan->seen);
}

static PyObject *Database_spans(Database *self, PyObject *args) {
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data)) return NULL;
    if (self->merge == NULL || data.len > (Py_ssize_t)UINT_MAX) {
        PyBuffer_Release(&data);
        if (self->merge == NULL) PyErr_SetString(GateError, "configure() the database before scanning");
        else PyErr_SetString(PyExc_OverflowError, "a gate scans at most 4 GiB");
        return NULL;
    }
    Scan scan = {self, data.buf, (long long)data.len, {NULL, 0, 0}, {NULL, 0, 0}, NULL, NULL, NULL, NULL, NULL, SCANNED};
    size_t patterns = self->patterns ? self->patterns : 1;
    scan.low = calloc(patterns, sizeof(long long));
    scan.high = malloc(patterns * sizeof(long long));
    scan.read_to = calloc(patterns, sizeof(long long));
    scan.at = malloc(patterns * sizeof(long long));
    scan.seen = calloc(patterns, 1);
    if (scan.low == NULL || scan.high == NULL || scan.read_to == NULL || scan.at == NULL || scan.seen == NULL) {
        PyBuffer_Release(&data);
        release(&scan);
        return PyErr_NoMemory();
    }
    for (size_t id = 0; id < patterns; id++) scan.high[id] = scan.at[id] = -1;
    hs_error_t status;
    if (data.len > RELEASE_GIL_ABOVE) {
        hs_scratch_t *own = NULL;
        hs_error_t cloned = hs_clone_scratch(self->scratch, &own);
        if (cloned != HS_SUCCESS) {
            PyBuffer_Release(&data);
            release(&scan);
            PyErr_Format(GateError, "hs_clone_scratch failed (%d)", (int)cloned);
            return NULL;
        }
        Py_BEGIN_ALLOW_THREADS
        status = hs_scan(self->database, data.buf, (unsigned int)data.len, 0, own, on_match, &scan);
        if (status == HS_SUCCESS && close_open(&scan) < 0) scan.failed = OUT_OF_MEMORY;
        Py_END_ALLOW_THREADS
        hs_free_scratch(own);
    } else {
        status = hs_scan(self->database, data.buf, (unsigned int)data.len, 0, self->scratch, on_match, &scan);
        if (status == HS_SUCCESS && close_open(&scan) < 0) scan.failed = OUT_OF_MEMORY;
    }
    PyBuffer_Release(&data);
    PyObject *result = NULL;
    if (scan.failed == OUT_OF_MEMORY) {
        PyErr_NoMemory();
    } else if (scan.failed == TOO_MANY) {
        result = Py_NewRef(Py_None); /* the gate's "everywhere": the detectors search the whole text */
    } else if (scan.failed == UNKNOWN_PATTERN) {
        PyErr_SetString(GateError, "a report for a pattern the database was not configured with");
    } else if (status != HS_SUCCESS) {
        PyErr_Format(GateError, "hs_scan failed (%d)", (int)status);
    } else {
        result = spans_by_pattern(&scan);
    }
    release(&scan);
    return result;
}

/* One pattern's merge rule: (0-3, int, int), (4, longest head, separator byte, tail table, head table) or
 * (5, before, shortest, fewest digits, most digits, before table, after table) with 256-byte tables. */
static int read_rule(PyObject *rule, unsigned int id, Database *db, unsigned char *tail, unsigned char *head) {
    /* ``db`` is a holder of the arrays being filled, not the database: reading a value can run Python
     * (``__index__``), which must not find half-read rules on the database it may scan */
    const char *tail_table = NULL, *head_table = NULL;
    Py_ssize_t tail_size = 0, head_size = 0, size = PyTuple_Check(rule) ? PyTuple_GET_SIZE(rule) : 0;
    int *merge = db->merge;
    long long *first = db->first, *second = db->second;
    int parsed = size == 7   ? PyArg_ParseTuple(rule, "iLLiiy#y#", &merge[id], &first[id], &second[id], &db->fewest[id],
                                                &db->most[id], &tail_table, &tail_size, &head_table, &head_size)
                 : size == 5 ? PyArg_ParseTuple(rule, "iLLy#y#", &merge[id], &first[id], &second[id], &tail_table,
                                                &tail_size, &head_table, &head_size)
                 : size == 3 ? PyArg_ParseTuple(rule, "iLL", &merge[id], &first[id], &second[id])
                             : 0;
    int back = parsed && merge[id] == BACK_SCAN, number = parsed && merge[id] == NUMBER_STARTS;
    int tables = tail_table != NULL && tail_size == 256 && head_size == 256;
    if (!parsed || merge[id] < WINDOW_ENDS || merge[id] > NUMBER_STARTS || (back || number) != (tail_table != NULL) ||
        (back && (size != 5 || !tables || second[id] < 0 || second[id] > 255)) ||
        (number && (size != 7 || !tables || db->fewest[id] < 1 || db->most[id] < db->fewest[id] ||
                    db->most[id] > MOST_DIGITS))) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError,
                         "merge rule %u: (0-3, int, int), (4, int, byte, 256-byte table, 256-byte table) or "
                         "(5, int, int, fewest, most <= %d, 256-byte table, 256-byte table)", id, MOST_DIGITS);
        return -1;
    }
    if (back || number) {
        memcpy(tail + 256 * (size_t)id, tail_table, 256);
        memcpy(head + 256 * (size_t)id, head_table, 256);
    }
    return 0;
}

/* The merge rules released; ``merge`` NULL again: not configured. */
static void free_rules(Database *self) {
    free(self->merge);
    free(self->first);
    free(self->second);
    free(self->fewest);
    free(self->most);
    free(self->tail);
    free(self->head);
    self->merge = NULL;
    self->first = self->second = NULL;
    self->fewest = self->most = NULL;
    self->tail = self->head = NULL;
}

static PyObject *Database_configure(Database *self, PyObject *args) {
    PyObject *rules;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &rules)) return NULL;
    if (self->merge != NULL) {
        PyErr_SetString(GateError, "the database is configured already");
        return NULL;
    }
    if (PyList_GET_SIZE(rules) != (Py_ssize_t)self->patterns) {
        PyErr_Format(GateError, "the database holds %u patterns, not %zd", self->patterns, PyList_GET_SIZE(rules));
        return NULL;
    }
    Database rules_read = {0}; /* filled, then published: the database has no rules until all of them read */
    rules_read.merge = calloc(self->patterns, sizeof(int));
    rules_read.first = calloc(self->patterns, sizeof(long long));
    rules_read.second = calloc(self->patterns, sizeof(long long));
    rules_read.fewest = calloc(self->patterns, sizeof(int));
    rules_read.most = calloc(self->patterns, sizeof(int));
    rules_read.tail = calloc(self->patterns, 256);
    rules_read.head = calloc(self->patterns, 256);
    int ready = rules_read.merge != NULL && rules_read.first != NULL && rules_read.second != NULL &&
                rules_read.fewest != NULL && rules_read.most != NULL && rules_read.tail != NULL && rules_read.head != NULL;
    PyObject *held = PySequence_Tuple(rules); /* held: a rule read can run Python, which could change the list */
    int failed = !ready || held == NULL;
    for (unsigned int id = 0; !failed && id < self->patterns; id++)
        failed = read_rule(PyTuple_GET_ITEM(held, id), id, &rules_read, rules_read.tail, rules_read.head) < 0;
    Py_XDECREF(held);
    if (!failed && self->merge != NULL) { /* configured meanwhile, by Python a rule read ran */
        PyErr_SetString(GateError, "the database is configured already");
        failed = 1;
    }
    if (failed) { /* one cleanup path: a rule that does not read, or memory that was not there */
        free_rules(&rules_read);
        return ready && PyErr_Occurred() ? NULL : PyErr_NoMemory();
    }
    self->merge = rules_read.merge;
    self->first = rules_read.first;
    self->second = rules_read.second;
    self->fewest = rules_read.fewest;
    self->most = rules_read.most;
    self->tail = rules_read.tail;
    self->head = rules_read.head;
    Py_RETURN_NONE;
}

static void Database_dealloc(Database *self) {
    if (self->scratch) hs_free_scratch(self->scratch);
    if (self->database) hs_free_database(self->database);
    free_rules(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *wrap(hs_database_t *database) {
    unsigned int patterns = 0;
    hs_scratch_t *scratch = NULL;
    hs_error_t info = hs_alloc_scratch(database, &scratch);
    if (info != HS_SUCCESS) {
        hs_free_database(database);
        PyErr_Format(GateError, "hs_alloc_scratch failed (%d)", (int)info);
        return NULL;
    }
    Database *self = PyObject_New(Database, &DatabaseType);
    if (self == NULL) {
        hs_free_scratch(scratch);
        hs_free_database(database);
        return NULL;
    }
    self->database = database;
    self->scratch = scratch;
    self->patterns = patterns;
    self->merge = NULL;
    self->first = self->second = NULL;
    self->fewest = self->most = NULL;
    self->tail = self->head = NULL;
    return (PyObject *)self;
}

static PyObject *gate_compile(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *expression_list, *flag_list;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &expression_list, &PyList_Type, &flag_list)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(expression_list);
    if (PyList_GET_SIZE(flag_list) != n || n == 0 || n > (Py_ssize_t)UINT_MAX) {
        PyErr_SetString(PyExc_ValueError, "one flag per expression, at least one expression");
        return NULL;
    }
    PyObject *expressions = PySequence_Tuple(expression_list); /* held: the sources stay alive while compiling */
    const char **sources = calloc((size_t)n, sizeof(char *));
    unsigned int *flags = calloc((size_t)n, sizeof(unsigned int));
    unsigned int *ids = calloc((size_t)n, sizeof(unsigned int));
    int failed = expressions == NULL || sources == NULL || flags == NULL || ids == NULL;
    if (!failed && PyTuple_GET_SIZE(expressions) != n) {
        PyErr_SetString(PyExc_ValueError, "the expressions changed while being read");
        failed = 1;
    }
    for (Py_ssize_t i = 0; !failed && i < n; i++) {
        char *source;
        unsigned long flag = PyLong_AsUnsignedLong(PyList_GetItem(flag_list, i));
        if (PyErr_Occurred() || PyBytes_AsStringAndSize(PyTuple_GET_ITEM(expressions, i), &source, NULL) < 0) {
            failed = 1; /* not bytes, a NUL inside (it would cut the expression short) or a bad flag */
        } else if (flag > UINT_MAX) {
            PyErr_Format(PyExc_OverflowError, "flag %zd does not fit Hyperscan's flags", i);
            failed = 1;
        } else {
            sources[i] = source;
            flags[i] = (unsigned int)flag;
            ids[i] = (unsigned int)i;
        }
    }
    hs_database_t *database = NULL;
    hs_compile_error_t *error = NULL;
    hs_error_t status = HS_SUCCESS;
    if (!failed) {
        Py_BEGIN_ALLOW_THREADS
        status = hs_compile_multi(sources, flags, ids, (unsigned int)n, HS_MODE_BLOCK, NULL, &database, &error);
        Py_END_ALLOW_THREADS
    }
    free(sources);
    free(flags);
    free(ids);
    Py_XDECREF(expressions);
    if (failed) {
        return PyErr_Occurred() ? NULL : PyErr_NoMemory();
    }
    if (status != HS_SUCCESS) {
        PyErr_Format(GateError, "expression %d: %s", error ? error->expression : -1,
                     error ? error->message : "compile failed");
        hs_free_compile_error(error);
        return NULL;
    }
    Database *self = (Database *)wrap(database);
    if (self != NULL) self->patterns = (unsigned int)n;
    return (PyObject *)self;
}

static PyObject *gate_dumpb(PyObject *module, PyObject *args) {
    (void)module;
    Database *db;
    if (!PyArg_ParseTuple(args, "O!", &DatabaseType, &db)) return NULL;
    char *bytes = NULL;
    size_t length = 0;
    if (hs_serialize_database(db->database, &bytes, &length) != HS_SUCCESS) {
        PyErr_SetString(GateError, "hs_serialize_database failed");
        return NULL;
    }
    /* the pattern count travels with the bytes: four bytes in front */
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(length + 4));
    if (out != NULL) {
        unsigned char *dst = (unsigned char *)PyBytes_AS_STRING(out);
        unsigned int n = db->patterns;
        dst[0] = n & 0xff; dst[1] = (n >> 8) & 0xff; dst[2] = (n >> 16) & 0xff; dst[3] = (n >> 24) & 0xff;
        memcpy(dst + 4, bytes, length);
    }
    free(bytes);
    return out;
}

static PyObject *gate_loadb(PyObject *module, PyObject *args, PyObject *kwargs) {
    (void)module;
    static char *keywords[] = {"data", "mode", NULL};
    Py_buffer data;
    int mode = HS_MODE_BLOCK;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*|i", keywords, &data, &mode)) return NULL;
    if (data.len < 5 || mode != HS_MODE_BLOCK) {
        PyBuffer_Release(&data);
        PyErr_SetString(GateError, mode != HS_MODE_BLOCK ? "only block-mode gates" : "not a serialised gate database");
        return NULL;
    }
    const unsigned char *src = data.buf;
    unsigned int n = src[0] | (src[1] << 8) | (src[2] << 16) | ((unsigned int)src[3] << 24);
    if (n == 0) {
        PyBuffer_Release(&data);
        PyErr_SetString(GateError, "a serialised gate database of no patterns");
        return NULL;
    }
    hs_database_t *database = NULL;
    hs_error_t status = hs_deserialize_database((const char *)src + 4, (size_t)data.len - 4, &database);
    PyBuffer_Release(&data);
    if (status != HS_SUCCESS) {
        PyErr_Format(GateError, "hs_deserialize_database failed (%d)", (int)status);
        return NULL;
    }
    Database *self = (Database *)wrap(database);
    if (self != NULL) self->patterns = n;
    return (PyObject *)self;
}

static PyMethodDef Database_methods[] = {
    {"configure", (PyCFunction)Database_configure, METH_VARARGS,
     "configure(rules): per pattern (merge, first, second): 0 windows of ascending ends (width), 1 windows with "
     "exact starts, 2 a trigger's start ranges from its ends (longest, shortest), 3 from its starts (before, "
     "shortest); or (4, longest head, separator, tail table, head table): start ranges read back from its ends; or "
     "(5, before, shortest, fewest digits, most digits, before table, after table): a number trigger's starts read "
     "back from its ends."},
    {"spans", (PyCFunction)Database_spans, METH_VARARGS,
     "spans(data) -> {pattern id: [(low, high), ...]}: the merged spans of every pattern that matched."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject DatabaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "collector.detect._gatescan.Database",
    .tp_basicsize = sizeof(Database),
    .tp_dealloc = (destructor)Database_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A compiled gate database with its scratch space and merge rules.",
    .tp_methods = Database_methods,
};

static PyMethodDef module_methods[] = {
    {"compile", gate_compile, METH_VARARGS, "compile(expressions: list[bytes], flags: list[int]) -> Database"},
    {"dumpb", gate_dumpb, METH_VARARGS, "dumpb(database) -> bytes"},
    {"loadb", (PyCFunction)(void (*)(void))gate_loadb, METH_VARARGS | METH_KEYWORDS,
     "loadb(data, mode=HS_MODE_BLOCK) -> Database"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_gatescan", "The detection gate's Hyperscan scan, matches collected and merged in C.",
    -1, module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__gatescan(void) {
    if (PyType_Ready(&DatabaseType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL) return NULL;
    GateError = PyErr_NewException("collector.detect._gatescan.error", NULL, NULL);
    if (GateError == NULL || PyModule_AddObjectRef(m, "error", GateError) < 0 ||
        PyModule_AddObjectRef(m, "Database", (PyObject *)&DatabaseType) < 0 ||
        PyModule_AddStringConstant(m, "__version__", hs_version()) < 0 ||
        PyModule_AddIntConstant(m, "HS_MODE_BLOCK", HS_MODE_BLOCK) < 0 ||
        PyModule_AddIntConstant(m, "HS_FLAG_CASELESS", HS_FLAG_CASELESS) < 0 ||
        PyModule_AddIntConstant(m, "HS_FLAG_SOM_LEFTMOST", HS_FLAG_SOM_LEFTMOST) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
