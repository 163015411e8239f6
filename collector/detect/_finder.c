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
 *   (detector, mode, contextual, verdicts, patterns)
 *   mode 0: checked here; 1: ``detector.find(text, spans)`` claims; 2: ``detector.count(text, spans)``
 *   patterns: ((pattern id, compiled pattern, triggered, group, reach), ...)
 * and answers [(detector index, count), ...] for the detectors that found something. base.py is the
 * reference: a property test compares the two on shop prompts and on generated text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

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
    Py_ssize_t length;
    unsigned char *claimed;
    Py_ssize_t few_offsets, lookahead;
} Scan;

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

/* base.py's check of one match: its value's verdict (cached, else ``_checked``) and, for a contextual
 * detector, ``_in_context``; a valid value goes to ``found``. 0 or -1 on error. */
static int check(const Scan *scan, PyObject *detector, int contextual, PyObject *verdicts, PyObject *match,
                 PyObject *group, FoundList *found) {
    PyObject *args[2] = {match, group};
    PyObject *value = PyObject_VectorcallMethod(s_group, args, 2, NULL);
    if (value == NULL) return -1;
    int ok;
    PyObject *verdict = PyDict_GetItemWithError(verdicts, value); /* borrowed */
    if (verdict != NULL)
        ok = PyObject_IsTrue(verdict);
    else if (PyErr_Occurred())
        ok = -1;
    else
        ok = ask(detector, s_checked, value, NULL);
    if (ok == 1 && contextual) ok = ask(detector, s_in_context, scan->text, match);
    if (ok == 1) {
        Py_ssize_t start, end;
        ok = match_span(match, group, &start, &end) < 0 ? -1 : found_add(found, value, start, end);
    }
    Py_DECREF(value);
    return ok < 0 ? -1 : 0;
}


/* base.py's ``_next``: the first match starting in [low, high], reading no further than high + reach. New
 * reference, Py_None when there is none, NULL on error. */
static PyObject *next_match(const Scan *scan, PyObject *pattern, Py_ssize_t low, Py_ssize_t high, Py_ssize_t reach) {
    Py_ssize_t end = high + reach;
    if (high - low < scan->few_offsets) {
        for (Py_ssize_t offset = low; offset <= high; offset++) {
            PyObject *match = call_at(pattern, s_match, scan->text, offset, end);
            if (match != Py_None) return match;
            Py_DECREF(match);
        }
        Py_RETURN_NONE;
    }
    PyObject *match = call_at(pattern, s_search, scan->text, low, end);
    if (match == NULL || match == Py_None) return match;
    Py_ssize_t start = match_offset(match, s_start, NULL);
    if (start == -2 || start <= high) {
        if (start == -2) Py_CLEAR(match);
        return match;
    }
    Py_DECREF(match);
    Py_RETURN_NONE;
}

/* base.py's ``_found_at``: a triggered pattern tried where the gate says its matches can start. */
static int found_at(const Scan *scan, PyObject *detector, int contextual, PyObject *verdicts, PyObject *pattern,
                    PyObject *group, Py_ssize_t reach, PyObject *starts, FoundList *found) {
    PyObject *ranges = PySequence_Fast(starts, "a pattern's spans are a list");
    if (ranges == NULL) return -1;
    Py_ssize_t done = 0;
    int failed = 0;
    for (Py_ssize_t r = 0; r < PySequence_Fast_GET_SIZE(ranges) && !failed; r++) {
        Py_ssize_t low, high;
        if (pair(PySequence_Fast_GET_ITEM(ranges, r), &low, &high) < 0) {
            failed = 1;
            break;
        }
        if (low < done) low = done;
        if (low > high) continue;
        PyObject *match = call_at(pattern, s_match, scan->text, low, -1);
        if (match == Py_None) {
            Py_DECREF(match);
            match = low < high ? next_match(scan, pattern, low + 1, high, reach) : Py_NewRef(Py_None);
        }
        while (match != NULL && match != Py_None) {
            done = match_offset(match, s_end, NULL);
            if (done == -2 || check(scan, detector, contextual, verdicts, match, group, found) < 0) {
                Py_DECREF(match);
                match = NULL;
                break;
            }
            Py_DECREF(match);
            match = done <= high ? next_match(scan, pattern, done, high, reach) : Py_NewRef(Py_None);
        }
        if (match == NULL) failed = 1;
        Py_XDECREF(match);
    }
    Py_DECREF(ranges);
    return failed ? -1 : 0;
}

/* base.py's ``find`` for a window pattern: every match of a search over each window and a few characters more,
 * a match that reads into those rechecked whole from where it starts. */
static int found_in(const Scan *scan, PyObject *detector, int contextual, PyObject *verdicts, PyObject *pattern,
                    PyObject *windows, FoundList *found) {
    PyObject *list = PySequence_Fast(windows, "a pattern's spans are a list");
    if (list == NULL) return -1;
    int failed = 0;
    for (Py_ssize_t w = 0; w < PySequence_Fast_GET_SIZE(list) && !failed; w++) {
        Py_ssize_t start, end;
        PyObject *matches;
        if (pair(PySequence_Fast_GET_ITEM(list, w), &start, &end) < 0 ||
            (matches = call_at(pattern, s_finditer, scan->text, start, end + scan->lookahead)) == NULL) {
            failed = 1;
            break;
        }
        PyObject *match;
        while (!failed && (match = PyIter_Next(matches)) != NULL) {
            Py_ssize_t match_end = match_offset(match, s_end, NULL);
            if (match_end > end) { /* it read into the margin, where the window cut the text, and may fail whole */
                Py_ssize_t match_start = match_offset(match, s_start, NULL);
                Py_DECREF(match);
                match = match_start == -2 ? NULL : call_at(pattern, s_match, scan->text, match_start, -1);
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
                if (group == NULL || check(scan, detector, contextual, verdicts, match, group, found) < 0) failed = 1;
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

/* What base.py's ``find`` would find with this detector's patterns, checked here. */
static int found_here(const Scan *scan, PyObject *detector, int contextual, PyObject *verdicts, PyObject *where,
                      PyObject *patterns, FoundList *found) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(patterns); i++) {
        PyObject *entry = PyTuple_GET_ITEM(patterns, i);
        PyObject *spans = PyDict_GetItemWithError(where, PyTuple_GET_ITEM(entry, 0));
        if (spans == NULL) {
            if (PyErr_Occurred()) return -1;
            continue; /* the gate saw no candidate for this pattern */
        }
        PyObject *pattern = PyTuple_GET_ITEM(entry, 1);
        int status;
        if (PyObject_IsTrue(PyTuple_GET_ITEM(entry, 2))) {
            Py_ssize_t reach = PyLong_AsSsize_t(PyTuple_GET_ITEM(entry, 4));
            if (reach == -1 && PyErr_Occurred()) return -1;
            status = found_at(scan, detector, contextual, verdicts, pattern, PyTuple_GET_ITEM(entry, 3), reach,
                              spans, found);
        } else {
            status = found_in(scan, detector, contextual, verdicts, pattern, spans, found);
        }
        if (status < 0) return -1;
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
        return count;
    }
    int status;
    if (mode == OWN_FIND) {
        PyObject *list = own(scan, detector, OWN_FIND, where, patterns);
        status = list == NULL ? -1 : found_from(list, found);
        Py_XDECREF(list);
    } else {
        int contextual = PyObject_IsTrue(PyTuple_GET_ITEM(plan, 2));
        PyObject *verdicts = PyTuple_GET_ITEM(plan, 3);
        if (!PyDict_Check(verdicts)) {
            PyErr_SetString(PyExc_TypeError, "a plan's verdicts are a dict");
            return -1;
        }
        status = contextual < 0 ? -1 : found_here(scan, detector, contextual, verdicts, where, patterns, found);
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
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 5) {
            PyErr_SetString(PyExc_TypeError, "a plan's pattern is (id, compiled, triggered, group, reach)");
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

static PyMethodDef module_methods[] = {
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
    return PyModule_Create(&module_def);
}
