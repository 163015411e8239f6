/* The detectors' exact checks driven from C: the loop of ``Detector.find`` and the claims of ``_counted``.
 *
 * After the gate, a 2 KB shop prompt holds ~20 candidates. Checking one costs ~0.7 µs inside the regular
 * expression engine and the verdict cache, and as much again in the Python loop around it (frames, local
 * lookups, tuples, the claims' bytearray). Here the same loop runs in C: it calls the detectors' own compiled
 * ``re`` patterns, at the same offsets and in the same order as base.py does, so it finds the same matches by
 * construction; it reads the same verdict cache and calls back into Python only where base.py would run
 * Python: a value not yet judged (``_checked``), a detector that reads context (``_in_context``), and the
 * detectors whose search is their own (``find`` or ``count`` overridden). The claims (one span, one category)
 * are kept in a byte per character, as ``_counted`` keeps them.
 *
 * ``counted(text, where, plans, few_offsets, lookahead)`` takes the gate's spans by pattern id and one plan per
 * detector, in the detectors' order:
 *   (detector, mode, contextual, verdicts (None: nothing to validate), patterns)
 *   mode 0: checked here; 1: ``detector.find(text, spans)`` claims; 2: ``detector.count(text, spans)``
 *   patterns: ((pattern id, compiled pattern, triggered, group, reach, shape), ...)
 * and answers [(detector index, count), ...] for the detectors that found something. base.py is the
 * reference: a property test compares the two on shop prompts and on generated text.
 *
 * A pattern with a shape (``_shapes.h``: card, VAT, IBAN, e-mail, phone, street and number) is matched by it
 * rather than by ``re``, at a trigger's starts or across a window as ``finditer`` searches; ``SHAPES`` maps each shape's (pattern source, flags) to its number, so a pattern gets its shape only
 * while it is the pattern the shape was written for. Where such a detector reads context, re's match is made
 * again at the shape's offsets for ``_in_context``.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include "_shapes.h"

enum mode { CHECKED_HERE = 0, OWN_FIND = 1, OWN_COUNT = 2 };

typedef struct {
    PyObject *value; /* owned */
    Py_ssize_t start, end;
} Found;

typedef struct {
    Found *items;
    Py_ssize_t size, capacity;
} FoundList;

typedef struct {
    PyObject *text;
    View view; /* the text's characters, as the shapes read them */
    Py_ssize_t length;
    unsigned char *claimed;
    Py_ssize_t few_offsets, lookahead;
} Scan;

/* A detector the loop checks: its verdict cache and whether it reads context. */
typedef struct {
    PyObject *detector, *verdicts; /* borrowed */
    int contextual;
} Detector;

static PyObject *s_match, *s_search, *s_finditer, *s_start, *s_end, *s_group, *s_span, *s_lastindex, *s_checked,
    *s_in_context, *s_find, *s_count;

static void found_clear(FoundList *list) {
    for (Py_ssize_t i = 0; i < list->size; i++) Py_DECREF(list->items[i].value);
    list->size = 0;
}

static int found_add(FoundList *list, PyObject *value, Py_ssize_t start, Py_ssize_t end) {
    if (list->size == list->capacity) {
        Py_ssize_t capacity = list->capacity ? list->capacity * 2 : 32;
        Found *items = PyMem_Realloc(list->items, (size_t)capacity * sizeof(Found));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        list->items = items;
        list->capacity = capacity;
    }
    Py_INCREF(value);
    list->items[list->size++] = (Found){value, start, end};
    return 0;
}

/* pattern.<method>(text, pos) or (text, pos, endpos) where endpos >= 0. */
static PyObject *call_at(PyObject *pattern, PyObject *method, PyObject *text, Py_ssize_t pos, Py_ssize_t endpos) {
    PyObject *args[4] = {pattern, text, PyLong_FromSsize_t(pos), NULL};
    if (args[2] == NULL) return NULL;
    size_t count = 3;
    if (endpos >= 0) {
        args[3] = PyLong_FromSsize_t(endpos);
        if (args[3] == NULL) {
            Py_DECREF(args[2]);
            return NULL;
        }
        count = 4;
    }
    PyObject *result = PyObject_VectorcallMethod(method, args, count, NULL);
    Py_DECREF(args[2]);
    Py_XDECREF(args[3]);
    return result;
}

/* match.<method>(group) as a Py_ssize_t; -2 on error. */
static Py_ssize_t match_offset(PyObject *match, PyObject *method, PyObject *group) {
    PyObject *args[2] = {match, group};
    size_t count = group == NULL ? 1 : 2;
    PyObject *result = PyObject_VectorcallMethod(method, args, count, NULL);
    if (result == NULL) return -2;
    Py_ssize_t offset = PyLong_AsSsize_t(result);
    Py_DECREF(result);
    return offset == -1 && PyErr_Occurred() ? -2 : offset;
}

static int pair(PyObject *span, Py_ssize_t *low, Py_ssize_t *high) {
    if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 2) {
        PyErr_SetString(PyExc_TypeError, "a span is a (low, high) tuple");
        return -1;
    }
    *low = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0));
    *high = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1));
    return PyErr_Occurred() ? -1 : 0;
}

/* match.span(group) into start and end; -1 on error. */
static int match_span(PyObject *match, PyObject *group, Py_ssize_t *start, Py_ssize_t *end) {
    PyObject *args[2] = {match, group};
    PyObject *span = PyObject_VectorcallMethod(s_span, args, 2, NULL);
    if (span == NULL) return -1;
    int status = pair(span, start, end);
    Py_DECREF(span);
    return status;
}

/* Whether a truthy answer came back from detector.<method>(args...); -1 on error. */
static int ask(PyObject *detector, PyObject *method, PyObject *first, PyObject *second) {
    PyObject *args[3] = {detector, first, second};
    PyObject *answer = PyObject_VectorcallMethod(method, args, (second ? 3 : 2), NULL);
    if (answer == NULL) return -1;
    int truth = PyObject_IsTrue(answer);
    Py_DECREF(answer);
    return truth;
}

/* One of a detector's patterns, as the loop tries it. */
typedef struct {
    PyObject *pattern, *group; /* borrowed: the compiled pattern, the group whose value is checked */
    Py_ssize_t reach;          /* how far past a match's start it can read */
    int shape;                 /* a shape of _shapes.h that matches as the pattern does, or NO_SHAPE */
} Pattern;

/* A match, found by re or by a shape (whose pattern's group spans the whole match). */
typedef struct {
    PyObject *match;       /* owned: re's match, or NULL where a shape found it */
    Py_ssize_t start, end; /* a shape's match (its group spans it all); for re's, where it ends */
    Py_ssize_t endpos;     /* where the text ended for it (-1: its end) */
} Candidate;

/* re's ``match`` (a new reference) as the candidate it found: 1, or -1 on error (the match released). */
static int taken(PyObject *match, Py_ssize_t endpos, Candidate *found) {
    found->end = match_offset(match, s_end, NULL);
    if (found->end == -2) {
        Py_DECREF(match);
        return -1;
    }
    found->match = match;
    found->endpos = endpos;
    return 1;
}

/* ``pattern.match(text, pos[, endpos])`` (endpos -1: none): 1 and the candidate, 0 none, -1 on error. */
static int match_at(const Scan *scan, const Pattern *p, Py_ssize_t pos, Py_ssize_t endpos, Candidate *found) {
    if (p->shape != NO_SHAPE) {
        found->match = NULL;
        found->endpos = endpos;
        found->start = pos;
        return shape_match(p->shape, &scan->view, scan->length, &found->start, endpos < 0 ? scan->length : endpos,
                           &found->end);
    }
    PyObject *match = call_at(p->pattern, s_match, scan->text, pos, endpos);
    if (match == NULL) return -1;
    if (match == Py_None) {
        Py_DECREF(match);
        return 0;
    }
    return taken(match, endpos, found);
}

/* re's match for a shape's candidate, made again where a detector reads its context (a new reference). */
static PyObject *as_match(const Scan *scan, const Pattern *p, const Candidate *c) {
    if (c->match != NULL) return Py_NewRef(c->match);
    PyObject *match = call_at(p->pattern, s_match, scan->text, c->start, c->endpos);
    if (match == Py_None) {
        Py_DECREF(match);
        return PyErr_Format(PyExc_RuntimeError, "shape %d matched at %zd where its pattern does not", p->shape,
                            c->start);
    }
    return match;
}

/* The value a candidate's group holds and its span. New reference, NULL on error. */
static PyObject *value_of(const Scan *scan, const Pattern *p, const Candidate *c, Py_ssize_t *start,
                          Py_ssize_t *end) {
    if (c->match == NULL) {
        *start = c->start;
        *end = c->end;
        return PyUnicode_Substring(scan->text, c->start, c->end);
    }
    PyObject *args[2] = {c->match, p->group};
    PyObject *value = PyObject_VectorcallMethod(s_group, args, 2, NULL);
    if (value != NULL && match_span(c->match, p->group, start, end) < 0) Py_CLEAR(value);
    return value;
}

/* base.py's check of one match: its value's verdict (cached, else ``_checked``) and, for a contextual
 * detector, ``_in_context``; a valid value goes to ``found``. 0 or -1 on error. */
static int check(const Scan *scan, const Detector *d, const Pattern *p, const Candidate *c, FoundList *found) {
    Py_ssize_t start, end;
    PyObject *value = value_of(scan, p, c, &start, &end);
    if (value == NULL) return -1;
    int ok = 1; /* verdicts None: the detector validates nothing, every value counts (no cache, no call) */
    PyObject *verdict = d->verdicts == Py_None ? NULL : PyDict_GetItemWithError(d->verdicts, value); /* borrowed */
    if (verdict != NULL)
        ok = PyObject_IsTrue(verdict);
    else if (PyErr_Occurred())
        ok = -1;
    else if (d->verdicts != Py_None)
        ok = ask(d->detector, s_checked, value, NULL);
    if (ok == 1 && d->contextual) {
        PyObject *match = as_match(scan, p, c);
        ok = match == NULL ? -1 : ask(d->detector, s_in_context, scan->text, match);
        Py_XDECREF(match);
    }
    if (ok == 1) ok = found_add(found, value, start, end);
    Py_DECREF(value);
    return ok < 0 ? -1 : 0;
}

/* base.py's ``_next``: the first match starting in [low, high], reading no further than high + reach. 1 and
 * the candidate, 0 none, -1 on error. A shape tries the offsets one by one (what a search does). */
static int next_match(const Scan *scan, const Pattern *p, Py_ssize_t low, Py_ssize_t high, Candidate *found) {
    Py_ssize_t end = high + p->reach;
    if (high - low < scan->few_offsets || p->shape != NO_SHAPE) {
        for (Py_ssize_t offset = low; offset <= high; offset++) {
            if (!may_start(p->shape, &scan->view, scan->length, offset)) continue;
            int status = match_at(scan, p, offset, end, found);
            if (status != 0) return status;
        }
        return 0;
    }
    PyObject *match = call_at(p->pattern, s_search, scan->text, low, end);
    if (match == NULL) return -1;
    Py_ssize_t start = match == Py_None ? -1 : match_offset(match, s_start, NULL);
    if (start < 0 || start > high) {
        Py_DECREF(match);
        return start == -2 ? -1 : 0;
    }
    return taken(match, end, found);
}

/* base.py's ``_found_at``: a triggered pattern tried where the gate says its matches can start. */
static int found_at(const Scan *scan, const Detector *d, const Pattern *p, PyObject *starts, FoundList *found) {
    PyObject *ranges = PySequence_Fast(starts, "a pattern's spans are a list");
    if (ranges == NULL) return -1;
    Py_ssize_t done = 0;
    int status = 0;
    for (Py_ssize_t r = 0; r < PySequence_Fast_GET_SIZE(ranges) && status >= 0; r++) {
        Py_ssize_t low, high;
        Candidate c = {NULL, 0, 0, -1};
        if (pair(PySequence_Fast_GET_ITEM(ranges, r), &low, &high) < 0) {
            status = -1;
            break;
        }
        if (low < done) low = done;
        if (low > high) continue;
        status = match_at(scan, p, low, -1, &c);
        if (status == 0 && low < high) status = next_match(scan, p, low + 1, high, &c);
        while (status == 1) {
            done = c.end;
            status = check(scan, d, p, &c, found);
            Py_CLEAR(c.match);
            if (status == 0 && done <= high) status = next_match(scan, p, done, high, &c);
        }
    }
    Py_DECREF(ranges);
    return status < 0 ? -1 : 0;
}

/* ``found_in`` for one window of a shaped pattern: the search ``finditer`` makes, offset by offset, each next one
 * after the last match's end; a match that reads past the window is tried again on the whole text. */
static int found_in_shape(const Scan *scan, const Detector *d, const Pattern *p, Py_ssize_t start, Py_ssize_t end,
                          FoundList *found) {
    Py_ssize_t endpos = end + scan->lookahead, limit = endpos < scan->length ? endpos : scan->length;
    for (Py_ssize_t offset = start < 0 ? 0 : start; offset < limit;) {
        Candidate c = {NULL, offset, 0, endpos};
        if (!shape_match(p->shape, &scan->view, scan->length, &c.start, endpos, &c.end)) {
            offset++;
            continue;
        }
        offset = c.end; /* where finditer goes on, whatever the check below finds */
        if (c.end > end) {
            c.endpos = -1;
            if (!shape_match(p->shape, &scan->view, scan->length, &c.start, scan->length, &c.end)) continue;
        }
        if (check(scan, d, p, &c, found) < 0) return -1;
    }
    return 0;
}

/* base.py's ``find`` for a window pattern: every match of a search over each window and a few characters more,
 * a match that reads into those rechecked whole from where it starts. */
static int found_in(const Scan *scan, const Detector *d, const Pattern *p, PyObject *windows, FoundList *found) {
    PyObject *list = PySequence_Fast(windows, "a pattern's spans are a list");
    if (list == NULL) return -1;
    int failed = 0;
    for (Py_ssize_t w = 0; w < PySequence_Fast_GET_SIZE(list) && !failed; w++) {
        Py_ssize_t start, end;
        PyObject *matches;
        if (pair(PySequence_Fast_GET_ITEM(list, w), &start, &end) < 0) {
            failed = 1;
            break;
        }
        if (p->shape != NO_SHAPE) {
            failed = found_in_shape(scan, d, p, start, end, found) < 0;
            continue;
        }
        if ((matches = call_at(p->pattern, s_finditer, scan->text, start, end + scan->lookahead)) == NULL) {
            failed = 1;
            break;
        }
        PyObject *match;
        while (!failed && (match = PyIter_Next(matches)) != NULL) {
            Py_ssize_t match_end = match_offset(match, s_end, NULL);
            if (match_end > end) { /* it read into the margin, where the window cut the text, and may fail whole */
                Py_ssize_t match_start = match_offset(match, s_start, NULL);
                Py_DECREF(match);
                match = match_start == -2 ? NULL : call_at(p->pattern, s_match, scan->text, match_start, -1);
            }
            if (match_end == -2 || match == NULL) {
                Py_XDECREF(match);
                failed = 1;
                break;
            }
            if (match != Py_None) {
                PyObject *last = PyObject_GetAttr(match, s_lastindex);
                PyObject *group = last == NULL ? NULL : last == Py_None ? PyLong_FromLong(0) : Py_NewRef(last);
                Py_XDECREF(last);
                Pattern grouped = {p->pattern, group, p->reach, NO_SHAPE};
                Candidate c = {match, 0, 0, -1};
                if (group == NULL || check(scan, d, &grouped, &c, found) < 0) failed = 1;
                Py_XDECREF(group);
            }
            Py_DECREF(match);
        }
        if (!failed && PyErr_Occurred()) failed = 1;
        Py_DECREF(matches);
    }
    Py_DECREF(list);
    return failed ? -1 : 0;
}

/* The spans of each of a detector's patterns, as ``GatedDetectors._gated`` hands them to ``find``. */
static PyObject *spans_list(PyObject *where, PyObject *patterns) {
    Py_ssize_t n = PyTuple_GET_SIZE(patterns);
    PyObject *list = PyList_New(n);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *spans = PyDict_GetItemWithError(where, PyTuple_GET_ITEM(PyTuple_GET_ITEM(patterns, i), 0));
        if (spans == NULL && PyErr_Occurred()) {
            Py_DECREF(list);
            return NULL;
        }
        PyObject *item = spans ? Py_NewRef(spans) : PyTuple_New(0);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

/* ``detector.find`` or ``detector.count`` (mode OWN_FIND, OWN_COUNT) on the spans of its patterns. */
static PyObject *own(const Scan *scan, PyObject *detector, int mode, PyObject *where, PyObject *patterns) {
    PyObject *spans = spans_list(where, patterns);
    if (spans == NULL) return NULL;
    PyObject *args[3] = {detector, scan->text, spans};
    PyObject *result = PyObject_VectorcallMethod(mode == OWN_COUNT ? s_count : s_find, args,
                                                 3, NULL);
    Py_DECREF(spans);
    return result;
}

/* ``find``'s (value, start, end) list of a detector with its own find, into ``found``. */
static int found_from(PyObject *list, FoundList *found) {
    PyObject *items = PySequence_Fast(list, "find returns a list of (value, start, end)");
    if (items == NULL) return -1;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(items); i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(items, i);
        Py_ssize_t start, end;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
            PyErr_SetString(PyExc_TypeError, "find returns a list of (value, start, end)");
            Py_DECREF(items);
            return -1;
        }
        start = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 1));
        end = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 2));
        if (PyErr_Occurred() || found_add(found, PyTuple_GET_ITEM(item, 0), start, end) < 0) {
            Py_DECREF(items);
            return -1;
        }
    }
    Py_DECREF(items);
    return 0;
}

/* ``_counted``'s claims: the values whose spans no earlier detector claimed count (distinct), then claim them.
 * -1 on error. A span is read as a bytearray slice reads it (clipped to the text). */
static Py_ssize_t claimed_count(const Scan *scan, FoundList *found) {
    PyObject *kept = PySet_New(NULL);
    if (kept == NULL) return -1;
    char *keep = PyMem_Calloc((size_t)found->size + 1, 1);
    if (keep == NULL) {
        Py_DECREF(kept);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < found->size; i++) {
        Py_ssize_t start = found->items[i].start, end = found->items[i].end;
        if (start < 0) start = 0;
        if (end > scan->length) end = scan->length;
        keep[i] = start >= end || memchr(scan->claimed + start, 1, (size_t)(end - start)) == NULL;
        if (keep[i] && PySet_Add(kept, found->items[i].value) < 0) {
            PyMem_Free(keep);
            Py_DECREF(kept);
            return -1;
        }
    }
    for (Py_ssize_t i = 0; i < found->size; i++) {
        Py_ssize_t start = found->items[i].start, end = found->items[i].end;
        if (start < 0) start = 0;
        if (end > scan->length) end = scan->length;
        if (keep[i] && start < end) memset(scan->claimed + start, 1, (size_t)(end - start));
    }
    PyMem_Free(keep);
    Py_ssize_t count = PySet_GET_SIZE(kept);
    Py_DECREF(kept);
    return count;
}

/* One pattern entry of a plan, (id, compiled, triggered, group, reach, shape), as the loop reads it. */
static int pattern_of(PyObject *entry, Pattern *p, int *triggered) {
    p->pattern = PyTuple_GET_ITEM(entry, 1);
    p->group = PyTuple_GET_ITEM(entry, 3);
    p->reach = PyLong_AsSsize_t(PyTuple_GET_ITEM(entry, 4));
    long shape = PyLong_AsLong(PyTuple_GET_ITEM(entry, 5));
    *triggered = PyObject_IsTrue(PyTuple_GET_ITEM(entry, 2));
    if (PyErr_Occurred() || *triggered < 0) return -1;
    if (shape < 0 || shape >= SHAPE_COUNT) {
        PyErr_Format(PyExc_ValueError, "no shape %ld", shape);
        return -1;
    }
    p->shape = (int)shape;
    return 0;
}

/* What base.py's ``find`` would find with this detector's patterns, checked here. */
static int found_here(const Scan *scan, const Detector *d, PyObject *where, PyObject *patterns, FoundList *found) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(patterns); i++) {
        PyObject *entry = PyTuple_GET_ITEM(patterns, i);
        PyObject *spans = PyDict_GetItemWithError(where, PyTuple_GET_ITEM(entry, 0));
        if (spans == NULL) {
            if (PyErr_Occurred()) return -1;
            continue; /* the gate saw no candidate for this pattern */
        }
        Pattern p;
        int triggered;
        if (pattern_of(entry, &p, &triggered) < 0) return -1;
        if ((triggered ? found_at(scan, d, &p, spans, found) : found_in(scan, d, &p, spans, found)) < 0) return -1;
    }
    return 0;
}

/* Whether the gate saw a candidate for any of a detector's patterns (else it does not run). */
static int seen(PyObject *where, PyObject *patterns) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(patterns); i++) {
        int in = PyDict_Contains(where, PyTuple_GET_ITEM(PyTuple_GET_ITEM(patterns, i), 0));
        if (in != 0) return in;
    }
    return 0;
}

/* One detector's count on the text: checked here, or by its own find / count. -1 on error. */
static Py_ssize_t detector_count(const Scan *scan, PyObject *plan, PyObject *where, FoundList *found) {
    PyObject *detector = PyTuple_GET_ITEM(plan, 0), *patterns = PyTuple_GET_ITEM(plan, 4);
    long mode = PyLong_AsLong(PyTuple_GET_ITEM(plan, 1));
    if (mode == -1 && PyErr_Occurred()) return -1;
    if (mode == OWN_COUNT) {
        PyObject *answer = own(scan, detector, OWN_COUNT, where, patterns);
        if (answer == NULL) return -1;
        Py_ssize_t count = PyLong_AsSsize_t(answer);
        Py_DECREF(answer);
        if (count < 0 && !PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "%R.count() answered %zd, not a count", detector, count);
        return count < 0 ? -1 : count;
    }
    int status;
    if (mode == OWN_FIND) {
        PyObject *list = own(scan, detector, OWN_FIND, where, patterns);
        status = list == NULL ? -1 : found_from(list, found);
        Py_XDECREF(list);
    } else {
        Detector d = {detector, PyTuple_GET_ITEM(plan, 3), PyObject_IsTrue(PyTuple_GET_ITEM(plan, 2))};
        if (d.verdicts != Py_None && !PyDict_Check(d.verdicts)) {
            PyErr_SetString(PyExc_TypeError, "a plan's verdicts are a dict, or None where nothing is validated");
            return -1;
        }
        status = d.contextual < 0 ? -1 : found_here(scan, &d, where, patterns, found);
    }
    Py_ssize_t count = status < 0 ? -1 : claimed_count(scan, found);
    found_clear(found);
    return count;
}

static int valid_plan(PyObject *plan) {
    if (!PyTuple_Check(plan) || PyTuple_GET_SIZE(plan) != 5 || !PyTuple_Check(PyTuple_GET_ITEM(plan, 4))) {
        PyErr_SetString(PyExc_TypeError, "a plan is (detector, mode, contextual, verdicts, patterns)");
        return 0;
    }
    PyObject *patterns = PyTuple_GET_ITEM(plan, 4);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(patterns); i++) {
        PyObject *entry = PyTuple_GET_ITEM(patterns, i);
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 6) {
            PyErr_SetString(PyExc_TypeError, "a plan's pattern is (id, compiled, triggered, group, reach, shape)");
            return 0;
        }
    }
    return 1;
}

static PyObject *finder_counted(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *text, *where, *plans, *answer = NULL;
    Scan scan;
    if (!PyArg_ParseTuple(args, "UO!O!nn", &text, &PyDict_Type, &where, &PyTuple_Type, &plans, &scan.few_offsets,
                          &scan.lookahead))
        return NULL;
    scan.text = text;
    scan.length = PyUnicode_GET_LENGTH(text);
    scan.view = (View){PyUnicode_KIND(text), PyUnicode_DATA(text)};
    scan.claimed = PyMem_Calloc((size_t)scan.length + 1, 1);
    FoundList found = {NULL, 0, 0};
    PyObject *counts = PyList_New(0);
    if (scan.claimed == NULL || counts == NULL) {
        if (scan.claimed == NULL) PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t d = 0; d < PyTuple_GET_SIZE(plans); d++) {
        PyObject *plan = PyTuple_GET_ITEM(plans, d);
        if (!valid_plan(plan)) goto done;
        int runs = seen(where, PyTuple_GET_ITEM(plan, 4));
        if (runs < 0) goto done;
        if (!runs) continue;
        Py_ssize_t count = detector_count(&scan, plan, where, &found);
        if (count < 0) goto done;
        if (count == 0) continue;
        PyObject *item = Py_BuildValue("(nn)", d, count);
        if (item == NULL || PyList_Append(counts, item) < 0) {
            Py_XDECREF(item);
            goto done;
        }
        Py_DECREF(item);
    }
    answer = Py_NewRef(counts);
done:
    found_clear(&found);
    PyMem_Free(found.items);
    PyMem_Free(scan.claimed);
    Py_XDECREF(counts);
    return answer;
}

static PyObject *finder_shape_match(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *text;
    int shape;
    Py_ssize_t pos, endpos, end;
    if (!PyArg_ParseTuple(args, "iUnn", &shape, &text, &pos, &endpos)) return NULL;
    if (shape <= NO_SHAPE || shape >= SHAPE_COUNT) return PyErr_Format(PyExc_ValueError, "no shape %d", shape);
    View view = {PyUnicode_KIND(text), PyUnicode_DATA(text)};
    if (!shape_match(shape, &view, PyUnicode_GET_LENGTH(text), &pos, endpos, &end)) Py_RETURN_NONE;
    return Py_BuildValue("(nn)", pos, end);
}

static PyMethodDef module_methods[] = {
    {"shape_match", finder_shape_match, METH_VARARGS,
     "shape_match(shape, text, pos, endpos) -> (start, end) or None: what the shape's pattern.match(text, pos, "
     "endpos) spans."},
    {"counted", finder_counted, METH_VARARGS,
     "counted(text, where, plans, few_offsets, lookahead) -> [(detector index, count), ...]: each detector's "
     "count of distinct valid values on the gate's spans, one span counted for the first detector that claims it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_finder", "The detectors' exact checks driven from C, with the same patterns as base.py.",
    -1, module_methods, NULL, NULL, NULL, NULL,
};

static int intern(PyObject **slot, const char *name) {
    *slot = PyUnicode_InternFromString(name);
    return *slot == NULL ? -1 : 0;
}

PyMODINIT_FUNC PyInit__finder(void) {
    if (intern(&s_match, "match") < 0 || intern(&s_search, "search") < 0 || intern(&s_finditer, "finditer") < 0 ||
        intern(&s_start, "start") < 0 || intern(&s_end, "end") < 0 || intern(&s_group, "group") < 0 ||
        intern(&s_span, "span") < 0 || intern(&s_lastindex, "lastindex") < 0 || intern(&s_checked, "_checked") < 0 ||
        intern(&s_in_context, "_in_context") < 0 || intern(&s_find, "find") < 0 || intern(&s_count, "count") < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_def), *shapes = PyDict_New();
    if (module == NULL || shapes == NULL || PyModule_AddObjectRef(module, "SHAPES", shapes) < 0) goto failed;
    for (int shape = CARD; shape < SHAPE_COUNT; shape++) {
        PyObject *key = Py_BuildValue("(si)", SHAPES[shape].source, SHAPES[shape].flags);
        PyObject *id = PyLong_FromLong(shape);
        int added = key != NULL && id != NULL ? PyDict_SetItem(shapes, key, id) : -1;
        Py_XDECREF(key);
        Py_XDECREF(id);
        if (added < 0) goto failed;
    }
    Py_DECREF(shapes);
    return module;
failed:
    Py_XDECREF(shapes);
    Py_XDECREF(module);
    return NULL;
}
