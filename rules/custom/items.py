"""The items of a custom rules file, validated by pydantic: lists, macros, rules and the file's version."""

from __future__ import annotations

from pydantic import BaseModel

from douane.contract import Severity
from rules.types import NonEmpty, Slug, Strict

RULE_KEYS = ("rule", "desc", "condition", "output", "priority", "tags", "articles", "remediation", "exceptions",
             "enabled")


class ListItem(Strict):
    """``- list: name`` with ``items``."""

    list: Slug
    items: tuple[str | int | bool, ...]


class MacroItem(Strict):
    """``- macro: name`` with a reusable ``condition``."""

    macro: Slug
    condition: NonEmpty


class VersionItem(Strict):
    """``- version: ...``: bumped whenever a rule of the file changes."""

    version: NonEmpty


class RuleException(Strict):
    """Calls the rule must not fire on: any row of ``values`` that matches every field."""

    name: Slug
    fields: tuple[str, ...]
    comps: tuple[str, ...] = ()
    values: tuple[tuple[str | int | bool | tuple, ...], ...]


class RuleItem(Strict):
    """``- rule: name``: a condition, what to say when it fires, and how severe it is."""

    rule: Slug
    desc: NonEmpty
    condition: NonEmpty
    output: NonEmpty
    priority: Severity
    tags: tuple[Slug, ...] = ()
    articles: tuple[NonEmpty, ...] = ()
    remediation: NonEmpty
    exceptions: tuple[RuleException, ...] = ()
    enabled: bool = True


KINDS: dict[str, type[BaseModel]] = {"list": ListItem, "macro": MacroItem, "rule": RuleItem, "version": VersionItem}
