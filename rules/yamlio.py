"""Load YAML into pydantic models, and report problems at the line they are on."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from rules.errors import Problem, RuleDataError

M = TypeVar("M", bound=BaseModel)

_YAML11_BOOLEANS = {"NO", "No", "no", "YES", "Yes", "yes", "ON", "On", "on", "OFF", "Off", "off", "Y", "y", "N", "n"}


def load_model(path: Path | str, model: type[M], context: dict[str, Any] | None = None) -> M:
    """Parse ``path`` as YAML and validate it as ``model``; :class:`RuleDataError` names file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleDataError(path, [Problem(None, "", f"cannot read: {exc.strerror or exc}")]) from None
    return parse_model(text, model, path, context)


def parse_model(text: str, model: type[M], path: Path | str = "<string>", context: dict[str, Any] | None = None) -> M:
    """Validate YAML ``text`` as ``model``, reporting problems against ``path``."""
    node, data = compose(text, path)
    if not isinstance(data, dict):
        raise RuleDataError(path, [Problem(1, "", f"expected a mapping at the top level, found {_kind(data)}")])
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise RuleDataError(path, [problem(node, err) for err in exc.errors(include_url=False)]) from None


def compose(text: str, path: Path | str) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for line numbers) and the plain data of ``text``."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise RuleDataError(path, [Problem(line, "", f"not valid YAML: {reason}")]) from None
    finally:
        loader.dispose()
    return node, data


def problem(root: yaml.Node | None, err: dict) -> Problem:
    """A pydantic error (``loc``, ``msg``) placed at the line of the YAML node it is about."""
    loc = tuple(err["loc"])
    node = _node_at(root, loc)
    where = ".".join(str(p) for p in loc)
    message = err["msg"]
    if isinstance(node, yaml.ScalarNode) and node.value in _YAML11_BOOLEANS and "string" in message:
        message += f" (YAML reads a bare {node.value} as a boolean: quote it, \"{node.value}\")"
    return Problem(node.start_mark.line + 1 if node is not None else None, where, message)


def _node_at(root: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """The deepest YAML node along ``loc`` (pydantic's error location)."""
    node = root
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return node


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def _kind(data: Any) -> str:
    return "nothing" if data is None else type(data).__name__
