"""Errors of the rules package: every one names the file, the line and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file."""

    line: int | None
    where: str
    message: str

    def render(self, path: Path | str) -> str:
        """``file:line: where: message``."""
        at = f"{path}:{self.line}" if self.line else str(path)
        return f"{at}: {self.where}: {self.message}" if self.where else f"{at}: {self.message}"


class RuleDataError(ValueError):
    """A YAML file of rules, registry or policy that cannot be used, with every problem found."""

    def __init__(self, path: Path | str, problems: list[Problem]) -> None:
        self.path = Path(path)
        self.problems = problems
        super().__init__("\n".join(p.render(path) for p in problems))


class ConditionError(ValueError):
    """A custom rule condition that does not parse; ``position`` is the column of the fault."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message if position is None else f"{message} (at column {position + 1})")
        self.position = position
