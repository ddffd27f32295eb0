"""What every request goes through: body size limits (413) and a time limit on reading the
body (408), security headers, a structured access log without personal data (method, route,
status, time; never a query string or a body), the request metrics, and a problem answer
instead of a traceback for anything unforeseen."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kuaiji_server.metrics import Metrics
from kuaiji_server.problems import problem

READ_SECONDS = 15.0  # a JSON body must arrive whole within this
FORM_SECONDS = 30.0  # a form with a photo (at most 10 MB)
UPLOAD_SECONDS = 120.0  # a batch upload (at most 64 MB)
LOG = logging.getLogger("kuaiji.access")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
]


class TooLarge(Exception):
    pass


class TooSlow(Exception):
    pass


def too_large(path: str) -> Response:
    """413: a problem for the API, a page for a person (the page's forms)."""
    from kuaiji_server import page

    if path in page.PATHS:
        return page.error_page(
            413, "上传的文件太大", "照片请在 10 MB 以内，表格请在 64 MB 以内，再试一次"
        )
    return problem(413, "body.too_large", "请求体太大", "按文档的大小限制拆分后再发")


def too_slow(path: str) -> Response:
    """408: a problem for the API, a page for a person."""
    from kuaiji_server import page

    if path in page.PATHS:
        return page.error_page(
            408, "上传太慢，没有收完", "网络较慢时请换用较小的照片或表格，或换个网络再试一次"
        )
    return problem(408, "body.too_slow", "请求体发送太慢", "请重试")


def check_length(request: Request, limit: int) -> None:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise TooLarge


@contextlib.asynccontextmanager
async def within(seconds: float) -> AsyncIterator[None]:
    """Reading a request body must end within ``seconds`` (408 otherwise): a client that
    sends slowly, or stops, does not hold the worker."""
    try:
        async with asyncio.timeout(seconds):  # no task per request, unlike wait_for
            yield
    except TimeoutError:
        raise TooSlow from None


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, at most ``limit`` bytes, within :data:`READ_SECONDS`."""
    check_length(request, limit)
    chunks: list[bytes] = []
    size = 0
    async with within(READ_SECONDS):
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge
            chunks.append(chunk)
    return b"".join(chunks)


async def save_body(request: Request, path: Path, limit: int) -> None:
    """The body written to ``path`` (a new private file), at most ``limit`` bytes, within
    :data:`UPLOAD_SECONDS`."""
    check_length(request, limit)
    size = 0
    with path.open("xb") as out:
        async with within(UPLOAD_SECONDS):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise TooLarge
                out.write(chunk)


class Guard:
    """Pure ASGI middleware (no per-request task or body copy)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        request_id = os.urandom(6).hex()  # 12 hex digits, as a log correlation id
        status = 500
        started = False

        async def sending(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name for name, _ in headers}
                headers += [(n, v) for n, v in HEADERS if n not in present]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except TooLarge:
            if not started:
                await too_large(scope.get("path", ""))(scope, receive, sending)
        except TooSlow:
            if not started:
                await too_slow(scope.get("path", ""))(scope, receive, sending)
        except Exception as exc:  # never a traceback to the client, nor personal data in logs
            LOG.error(json.dumps({"request_id": request_id, "error": type(exc).__name__}))
            if os.environ.get("KUAIJI_DEBUG", "") not in ("", "0"):  # masked, for operators
                import traceback

                from kuaiji.io.masking import scrub_text

                LOG.error(scrub_text(traceback.format_exc()))
            if not started:
                await problem(500, "internal", "内部错误", f"请求编号 {request_id}")(
                    scope, receive, sending
                )
        finally:
            seconds = time.perf_counter() - began
            route = _route(scope)
            self.metrics.request(route, status, seconds)
            if LOG.isEnabledFor(logging.INFO):
                LOG.info(_access(scope, route, status, seconds, request_id))


def _route(scope: Scope) -> str:
    """The route's template (``/v1/contacts/{region}``), not the path as sent."""
    found: Any = scope.get("route")
    return str(getattr(found, "path", None) or "unmatched")


def _access(scope: Scope, route: str, status: int, seconds: float, request_id: str) -> str:
    return json.dumps(
        {
            "request_id": request_id,
            "method": scope.get("method"),
            "route": route,
            "status": status,
            "ms": round(seconds * 1000, 2),
        },
        ensure_ascii=False,
    )
