/* The detection gate's scan in C: one Hyperscan pass whose matches are collected and merged without a
 * Python call per match.
 *
 * The Python binding of Hyperscan calls a Python function for every match (~34 on a 2 KB shop prompt,
 * ~0.3 µs each), and gate.py then merges each pattern's reports into windows or ranges of start offsets.
 * Here the matches go into a C array and are merged by the same four rules as gate.py (``_merged_ends``,
 * ``_merged``, ``_end_ranges``, ``_start_ranges``); Python receives only the merged spans. The module
 * offers what gate_cache.py needs of a Hyperscan module (``__version__``, ``error``, ``dumpb``, ``loadb``),
 * so the compiled database is kept on disk the same way. Built against Debian's libhyperscan-dev; gate.py
 * falls back to the Python binding when this module is not there.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <hs.h>
#include <stdlib.h>
#include <string.h>

#define RELEASE_GIL_ABOVE 65536 /* bytes: longer scans let other threads run (on a scratch of their own) */

enum merge { WINDOW_ENDS = 0, WINDOW_EXACT = 1, TRIGGER_ENDS = 2, TRIGGER_STARTS = 3 };

typedef struct {
    unsigned int id;
    long long from, to;
} Report;

typedef struct {
    Report *items;
    size_t size, capacity;
    int failed;
} Reports;

typedef struct {
    PyObject_HEAD
    hs_database_t *database;
    hs_scratch_t *scratch;
    unsigned int patterns;
    int *merge;  /* per pattern: how its reports become spans (enum merge) */
    long long *first, *second; /* WINDOW_ENDS: width; TRIGGER_*: longest or before, shortest */
} Database;

static PyObject *GateError;
static PyTypeObject DatabaseType;

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
                    void *context) {
    (void)flags;
    Reports *reports = (Reports *)context;
    if (reports->size == reports->capacity) {
        size_t capacity = reports->capacity ? reports->capacity * 2 : 64;
        Report *grown = realloc(reports->items, capacity * sizeof(Report));
        if (grown == NULL) {
            reports->failed = 1;
            return 1; /* stop the scan */
        }
        reports->items = grown;
        reports->capacity = capacity;
    }
    reports->items[reports->size++] = (Report){id, (long long)from, (long long)to};
    return 0;
}

static int by_start(const void *a, const void *b) {
    const Report *x = a, *y = b;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

static int append_span(PyObject *list, long long low, long long high) {
    PyObject *span = Py_BuildValue("(LL)", low, high);
    if (span == NULL) return -1;
    int failed = PyList_Append(list, span);
    Py_DECREF(span);
    return failed;
}

/* gate.py's ``_merged_ends``: (end - width, end) windows of ascending ends, joined where they overlap. */
static int merged_ends(PyObject *out, const Report *r, size_t n, long long width) {
    long long low = 0, high = -1;
    for (size_t i = 0; i < n; i++) {
        long long end = r[i].to - 1;
        if (end - width <= high) {
            high = end;
        } else {
            if (high >= 0 && append_span(out, low, high) < 0) return -1;
            low = end - width > 0 ? end - width : 0;
            high = end;
        }
    }
    return append_span(out, low, high);
}

/* gate.py's ``_merged``: windows whose starts are known, (start - 1, end - 1), sorted and joined. */
static int merged_exact(PyObject *out, Report *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        r[i].from = r[i].from - 1 > 0 ? r[i].from - 1 : 0;
        r[i].to -= 1;
    }
    if (n > 1) qsort(r, n, sizeof(Report), by_start);
    long long low = r[0].from, high = r[0].to;
    for (size_t i = 1; i < n; i++) {
        if (r[i].from <= high) {
            if (r[i].to > high) high = r[i].to;
        } else {
            if (append_span(out, low, high) < 0) return -1;
            low = r[i].from;
            high = r[i].to;
        }
    }
    return append_span(out, low, high);
}

/* gate.py's ``_end_ranges``: a trigger's reports in ascending order of end, as ranges of start offsets. */
static int end_ranges(PyObject *out, const Report *r, size_t n, long long longest, long long shortest) {
    long long low = r[0].to - longest, high = r[0].to - shortest;
    for (size_t i = 0; i < n; i++) {
        if (r[i].to - longest <= high + 1) {
            high = r[i].to - shortest;
        } else {
            if (append_span(out, low, high) < 0) return -1;
            low = r[i].to - longest;
            high = r[i].to - shortest;
        }
    }
    return append_span(out, low, high);
}

/* gate.py's ``_start_ranges``: a trigger's (start, end) reports sorted by start, as ranges of start offsets. */
static int start_ranges(PyObject *out, Report *r, size_t n, long long before, long long shortest) {
    if (n > 1) qsort(r, n, sizeof(Report), by_start);
    long long low = r[0].from - before, high = r[0].to - shortest;
    for (size_t i = 0; i < n; i++) {
        if (r[i].from - before <= high + 1) {
            if (r[i].to - shortest > high) high = r[i].to - shortest;
        } else {
            if (append_span(out, low, high) < 0) return -1;
            low = r[i].from - before;
            high = r[i].to - shortest;
        }
    }
    return append_span(out, low, high);
}

static int merge_one(Database *self, unsigned int id, Report *r, size_t n, PyObject *out) {
    switch (self->merge[id]) {
    case WINDOW_EXACT: return merged_exact(out, r, n);
    case TRIGGER_ENDS: return end_ranges(out, r, n, self->first[id], self->second[id]);
    case TRIGGER_STARTS: return start_ranges(out, r, n, self->first[id], self->second[id]);
    default: return merged_ends(out, r, n, self->first[id]);
    }
}

/* The reports grouped by pattern (a stable counting sort: each pattern's keep their order), merged. */
static PyObject *merged_by_pattern(Database *self, Reports *reports) {
    PyObject *result = PyDict_New();
    if (result == NULL || reports->size == 0) return result;
    size_t *count = calloc(self->patterns + 1, sizeof(size_t));
    Report *grouped = malloc(reports->size * sizeof(Report));
    if (count == NULL || grouped == NULL) {
        free(count);
        free(grouped);
        Py_DECREF(result);
        return PyErr_NoMemory();
    }
    for (size_t i = 0; i < reports->size; i++) count[reports->items[i].id + 1]++;
    for (unsigned int id = 0; id < self->patterns; id++) count[id + 1] += count[id];
    for (size_t i = 0; i < reports->size; i++) grouped[count[reports->items[i].id]++] = reports->items[i];
    size_t start = 0;
    for (unsigned int id = 0; id < self->patterns; id++) {
        size_t end = count[id]; /* after the placement loop, count[id] is where pattern id's reports end */
        if (end == start) continue;
        PyObject *spans = PyList_New(0);
        PyObject *key = PyLong_FromUnsignedLong(id);
        if (spans == NULL || key == NULL || merge_one(self, id, grouped + start, end - start, spans) < 0 ||
            PyDict_SetItem(result, key, spans) < 0) {
            Py_XDECREF(spans);
            Py_XDECREF(key);
            Py_DECREF(result);
            free(count);
            free(grouped);
            return NULL;
        }
        Py_DECREF(spans);
        Py_DECREF(key);
        start = end;
    }
    free(count);
    free(grouped);
    return result;
}

static PyObject *Database_spans(Database *self, PyObject *args) {
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data)) return NULL;
    if (self->merge == NULL) {
        PyBuffer_Release(&data);
        PyErr_SetString(GateError, "configure() the database before scanning");
        return NULL;
    }
    Reports reports = {NULL, 0, 0, 0};
    hs_error_t status;
    if (data.len > RELEASE_GIL_ABOVE) {
        hs_scratch_t *own = NULL;
        if (hs_clone_scratch(self->scratch, &own) != HS_SUCCESS) {
            PyBuffer_Release(&data);
            return PyErr_NoMemory();
        }
        Py_BEGIN_ALLOW_THREADS
        status = hs_scan(self->database, data.buf, (unsigned int)data.len, 0, own, on_match, &reports);
        Py_END_ALLOW_THREADS
        hs_free_scratch(own);
    } else {
        status = hs_scan(self->database, data.buf, (unsigned int)data.len, 0, self->scratch, on_match, &reports);
    }
    PyBuffer_Release(&data);
    PyObject *result = NULL;
    if (reports.failed) {
        PyErr_NoMemory();
    } else if (status != HS_SUCCESS) {
        PyErr_Format(GateError, "hs_scan failed (%d)", (int)status);
    } else {
        result = merged_by_pattern(self, &reports);
    }
    free(reports.items);
    return result;
}

static PyObject *Database_configure(Database *self, PyObject *args) {
    PyObject *rules;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &rules)) return NULL;
    if ((unsigned long)PyList_GET_SIZE(rules) != self->patterns) {
        PyErr_Format(PyExc_ValueError, "%u patterns, %zd merge rules", self->patterns, PyList_GET_SIZE(rules));
        return NULL;
    }
    int *merge = calloc(self->patterns ? self->patterns : 1, sizeof(int));
    long long *first = calloc(self->patterns ? self->patterns : 1, sizeof(long long));
    long long *second = calloc(self->patterns ? self->patterns : 1, sizeof(long long));
    if (merge == NULL || first == NULL || second == NULL) {
        free(merge);
        free(first);
        free(second);
        return PyErr_NoMemory();
    }
    for (unsigned int id = 0; id < self->patterns; id++) {
        if (!PyArg_ParseTuple(PyList_GET_ITEM(rules, id), "iLL", &merge[id], &first[id], &second[id])) {
            free(merge);
            free(first);
            free(second);
            return NULL;
        }
    }
    free(self->merge);
    free(self->first);
    free(self->second);
    self->merge = merge;
    self->first = first;
    self->second = second;
    Py_RETURN_NONE;
}

static void Database_dealloc(Database *self) {
    if (self->scratch) hs_free_scratch(self->scratch);
    if (self->database) hs_free_database(self->database);
    free(self->merge);
    free(self->first);
    free(self->second);
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
    return (PyObject *)self;
}

static PyObject *gate_compile(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *expressions, *flags;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &expressions, &PyList_Type, &flags)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(expressions);
    if (PyList_GET_SIZE(flags) != n || n == 0) {
        PyErr_SetString(PyExc_ValueError, "one flag per expression, at least one expression");
        return NULL;
    }
    const char **sources = calloc(n, sizeof(char *));
    unsigned int *flag_values = calloc(n, sizeof(unsigned int));
    unsigned int *ids = calloc(n, sizeof(unsigned int));
    if (sources == NULL || flag_values == NULL || ids == NULL) {
        free(sources);
        free(flag_values);
        free(ids);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        sources[i] = PyBytes_AsString(PyList_GET_ITEM(expressions, i));
        flag_values[i] = (unsigned int)PyLong_AsUnsignedLong(PyList_GET_ITEM(flags, i));
        ids[i] = (unsigned int)i;
        if (sources[i] == NULL || PyErr_Occurred()) {
            free(sources);
            free(flag_values);
            free(ids);
            return NULL;
        }
    }
    hs_database_t *database = NULL;
    hs_compile_error_t *error = NULL;
    hs_error_t status;
    Py_BEGIN_ALLOW_THREADS
    status = hs_compile_multi(sources, flag_values, ids, (unsigned int)n, HS_MODE_BLOCK, NULL, &database, &error);
    Py_END_ALLOW_THREADS
    free(sources);
    free(flag_values);
    free(ids);
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
    if (data.len < 5) {
        PyBuffer_Release(&data);
        PyErr_SetString(GateError, "not a serialised gate database");
        return NULL;
    }
    const unsigned char *src = data.buf;
    unsigned int n = src[0] | (src[1] << 8) | (src[2] << 16) | ((unsigned int)src[3] << 24);
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
     "shortest)."},
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
