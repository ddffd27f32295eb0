"""Errors as ``application/problem+json`` (RFC 9457): a stable English ``code`` for machines,
a Chinese ``title`` and ``detail`` for people, and for bad input every field path with what is
wrong and how to fix it. Never the value given (it may be personal data)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import JSONResponse

from kuaiji.errors import InputError, Problem

MEDIA_TYPE = "application/problem+json"
TYPES = "https://kuaiji.invalid/problems/"


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def problem(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: Sequence[Problem] = (),
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {"type": TYPES + code, "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if errors:
        # the core names some fields as the CLI's options (--exam); the API's are the same words
        body["errors"] = [
            {"field": p.path.removeprefix("--"), "message": p.message, "fix": p.fix} for p in errors
        ]
    return ProblemResponse(body, status_code=status, headers=headers)


def bad_input(exc: InputError) -> ProblemResponse:
    return problem(422, "input.invalid", "输入有误", exc.describe(), exc.problems)


def field(path: str, message: str, fix: str | None = None) -> InputError:
    """A bad-input error about one field of the request."""
    return InputError.single(path, message, fix)
