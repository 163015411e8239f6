"""Refusals as OpenAI-style error JSON: ``{"error": {"message", "type", "code"}}``."""

from __future__ import annotations

from starlette.responses import JSONResponse


class GatewayError(Exception):
    """A request the gateway refuses; ``code`` is stable for clients, ``message`` says why."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> JSONResponse:
        """The error as the OpenAI SDKs expect it."""
        kind = "invalid_request_error" if self.status < 500 else "douane_error"
        body = {"error": {"message": self.message, "type": kind, "code": self.code, "param": None}}
        return JSONResponse(body, status_code=self.status)
