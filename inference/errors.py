"""Errors of the sovereign worker, each a class the reply can name."""

from __future__ import annotations


class InferenceError(Exception):
    """Base of the worker's errors."""


class EngineError(InferenceError):
    """The engine failed to answer one request."""


class EngineUnavailable(EngineError):
    """The engine is down or its circuit breaker is open; nothing was attempted."""


class MissingDependency(InferenceError):
    """An optional back-end is not installed; the message says how to install it."""
