"""The condition language of custom rules, after Falco's: parsed once, compiled to closures.

    condition := or
    or        := and ("or" and)*
    and       := not ("and" not)*
    not       := "not" not | "(" condition ")" | macro | test
    test      := FIELD OP value | FIELD "exists"
    OP        := = | != | < | <= | > | >= | in | intersects | contains | startswith | endswith | pmatch
    value     := WORD | "string" | NUMBER | true | false | "(" value ("," value)* ")" | list name

``in`` tests membership of a field in a set of values; ``intersects`` tests a set-valued
field against a set; ``contains`` tests a set for an element or a string for a part;
``pmatch`` is true when any element of the field starts with one of the prefixes given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rules.custom.fields import FIELDS, SET_FIELDS, Subject
from rules.errors import ConditionError

Predicate = Callable[[Subject], bool]


@dataclass(frozen=True)
class Compiled:
    """A compiled condition and the fields it reads (macros included)."""

    test: Predicate
    fields: frozenset[str]

    def __call__(self, subject: Subject) -> bool:
        return self.test(subject)

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"[^"]*"|'[^']*')
    | (?P<op><=|>=|!=|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z0-9_.*:/-]+)
    )""", re.VERBOSE)
_WORD_OPS = {"in", "intersects", "contains", "startswith", "endswith", "pmatch", "exists"}
_KEYWORDS = {"and", "or", "not"} | _WORD_OPS
MAX_DEPTH = 32


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, column) tokens; a character that fits no token is an error at its column."""
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            at = len(text) - len(text[pos:].lstrip())
            raise ConditionError(f"unexpected character {text[at]!r}", at)
        kind = m.lastgroup
        tokens.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    return tokens


class Parser:
    """Recursive-descent parser that returns a compiled predicate."""

    def __init__(self, text: str, macros: Mapping[str, Compiled], lists: Mapping[str, tuple]) -> None:
        self.text = text
        self.used: set[str] = set()
        self.tokens = tokenize(text)
        self.i = 0
        self.macros = macros
        self.lists = lists
        self.depth = 0

    def parse(self) -> Compiled:
        """The whole condition."""
        if not self.tokens:
            raise ConditionError("empty condition")
        pred = self._or()
        if self.i < len(self.tokens):
            raise ConditionError(f"unexpected {self._peek()[1]!r}", self._peek()[2])
        return Compiled(pred, frozenset(self.used))

    def _peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "end of condition", len(self.text))

    def _take(self) -> tuple[str, str, int]:
        tok = self._peek()
        if tok[0] == "end":
            raise ConditionError("condition ends too early", len(self.text))
        self.i += 1
        return tok

    def _accept(self, word: str) -> bool:
        kind, text, _ = self._peek()
        if kind in ("word", "punct", "op") and text == word:
            self.i += 1
            return True
        return False

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._accept("or"):
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda s, ps=tuple(parts): any(p(s) for p in ps))

    def _and(self) -> Predicate:
        parts = [self._not()]
        while self._accept("and"):
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else (lambda s, ps=tuple(parts): all(p(s) for p in ps))

    def _not(self) -> Predicate:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(f"condition nested deeper than {MAX_DEPTH} levels", self._peek()[2])
        try:
            if self._accept("not"):
                inner = self._not()
                return lambda s: not inner(s)
            if self._accept("("):
                inner = self._or()
                if not self._accept(")"):
                    raise ConditionError("missing ')'", self._peek()[2])
                return inner
            return self._test()
        finally:
            self.depth -= 1

    def _test(self) -> Predicate:
        kind, name, col = self._take()
        if kind != "word" or name in _KEYWORDS:
            raise ConditionError(f"expected a field or macro, found {name!r}", col)
        if name in self.macros:
            macro = self.macros[name]
            self.used |= macro.fields
            return macro.test
        getter = FIELDS.get(name)
        if getter is None:
            raise ConditionError(f"unknown field or macro {name!r}; fields: {', '.join(sorted(FIELDS))}", col)
        self.used.add(name)
        if self._accept("exists"):
            return lambda s: getter(s) not in (None, "", frozenset())
        op_kind, op, op_col = self._peek()
        if op_kind == "end":
            raise ConditionError(f"expected an operator after {name}, found the end of the condition", op_col)
        self.i += 1
        if op_kind not in ("op", "word") or (op_kind == "word" and op not in _WORD_OPS):
            raise ConditionError(f"expected an operator after {name}, found {op!r}", op_col)
        return compare(name, getter, op, self._value(op), op_col)

    def _value(self, op: str) -> object:
        if op in ("in", "intersects", "pmatch") or self._peek()[1] == "(":
            return self._value_set()
        return self._scalar()

    def _value_set(self) -> frozenset:
        kind, text, col = self._peek()
        if kind == "word" and text in self.lists:
            self.i += 1
            return frozenset(self.lists[text])
        if not self._accept("("):
            raise ConditionError(f"expected '(' or a list name, found {text!r}", col)
        values = [self._scalar()]
        while self._accept(","):
            values.append(self._scalar())
        if not self._accept(")"):
            raise ConditionError("missing ')' after the values", self._peek()[2])
        return frozenset(values)

    def _scalar(self) -> object:
        kind, text, col = self._take()
        if kind == "string":
            return text[1:-1]
        if kind != "word" or text in _KEYWORDS:
            raise ConditionError(f"expected a value, found {text!r}", col)
        if text in ("true", "false"):
            return text == "true"
        try:
            return int(text)
        except ValueError:
            return text


def compare(name: str, get: Callable, op: str, value: object, col: int) -> Predicate:
    is_set = name in SET_FIELDS
    if op in ("=", "!="):
        if isinstance(value, frozenset) or is_set:
            raise ConditionError(f"use 'in', 'contains' or 'intersects' with {name}", col)
        return (lambda s: get(s) == value) if op == "=" else (lambda s: get(s) != value)
    if op in ("<", "<=", ">", ">="):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConditionError(f"'{op}' compares numbers; {value!r} is not one", col)
        return _numeric(get, op, value)
    return _set_or_string(name, get, op, value, is_set, col)


def _numeric(get: Callable, op: str, value: int) -> Predicate:
    tests = {"<": lambda a: a < value, "<=": lambda a: a <= value, ">": lambda a: a > value,
             ">=": lambda a: a >= value}
    test = tests[op]
    return lambda s: isinstance(v := get(s), int) and test(v)


def _set_or_string(name: str, get: Callable, op: str, value: object, is_set: bool, col: int) -> Predicate:
    if op == "in":
        if is_set:
            raise ConditionError(f"{name} is a set: use 'intersects' or 'contains'", col)
        return lambda s: get(s) in value
    if op == "intersects":
        if not is_set:
            raise ConditionError(f"'intersects' needs a set-valued field; {name} is not one", col)
        return lambda s: not value.isdisjoint(get(s))
    if op == "pmatch":
        prefixes = tuple(str(v) for v in value)
        if is_set:
            return lambda s: any(str(x).startswith(prefixes) for x in get(s))
        return lambda s: str(get(s) or "").startswith(prefixes)
    if op == "contains":
        return (lambda s: value in get(s)) if is_set else (lambda s: str(value) in str(get(s) or ""))
    if isinstance(value, frozenset):
        raise ConditionError(f"'{op}' takes one value", col)
    if op == "startswith":
        return lambda s: str(get(s) or "").startswith(str(value))
    return lambda s: str(get(s) or "").endswith(str(value))


def compile_condition(text: str, macros: Mapping[str, Compiled] | None = None,
                      lists: Mapping[str, tuple] | None = None) -> Compiled:
    """Parse and compile one condition."""
    return Parser(text, macros or {}, lists or {}).parse()
