"""Organisation-specific rules in Falco's shape, on top of the built-in procedure."""

from rules.custom.language import compile_condition
from rules.custom.ruleset import RuleSet, load_rulesets, parse_ruleset

__all__ = ["RuleSet", "compile_condition", "load_rulesets", "parse_ruleset"]
