"""The one HTTP layer: every request kuaiji makes goes through :func:`fetch`.

- Certificates are verified; a redirect is followed only to https (plain http is allowed
  only to a loopback address, and only when the caller asks, for tests).
- Connect errors, timeouts and 429/502/503/504 are retried (tenacity), with exponential
  backoff and jitter; ``Retry-After`` is honoured up to a cap. Other 4xx are never retried.
- A body is read only up to a size cap; a bigger one is refused before it is all read.
- The User-Agent names kuaiji and its version.
- Messages are Chinese (people read them); ``FetchError.kind`` is the stable English id.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from importlib import metadata

import attrs
import httpx
import tenacity

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_REDIRECTS = 5
ATTEMPT_TIMEOUTS = 3  # an attempt (redirects and body included) ends after 3 × the timeout


def user_agent() -> str:
    try:
        version = metadata.version("kuaiji")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "0"
    return f"kuaiji/{version} (+https://pypi.org/project/kuaiji/)"


@attrs.frozen
class Policy:
    """How patient to be. Tests shorten the waits; nothing else should need to."""

    timeout: float = 10.0  # seconds, per request (connect, read, write, pool)
    attempts: int = 3
    backoff: float = 0.5  # first wait, doubled each retry, with jitter
    backoff_max: float = 8.0
    retry_after_cap: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    allow_http_loopback: bool = False
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


class FetchError(Exception):
    """A request that could not give an answer. ``kind``: refused (never tried, e.g. not
    https), tls, timeout, connect, too_large, redirect, status (after retries)."""

    def __init__(self, kind: str, message: str, *, attempts: int = 0, status: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.attempts = attempts
        self.status = status


@attrs.frozen
class Answer:
    """A response that came back (any status), with what it took."""

    url: str  # the final URL, after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    attempts: int
    seconds: float  # to the response headers of the last attempt


class _Retry(Exception):
    """A retryable outcome, carrying the response when there is one."""

    def __init__(
        self,
        kind: str,
        reason: str,
        answer: Answer | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(reason)
        self.kind = kind
        self.answer = answer
        self.retry_after = retry_after


def is_loopback(url: httpx.URL) -> bool:
    host = url.host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str | httpx.URL, policy: Policy, *, field: str = "url") -> httpx.URL:
    """An https URL, or http to loopback when the policy allows it; else FetchError."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError("refused", f"{field}：不是有效的网址：{str(url)!r}") from None
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and policy.allow_http_loopback and is_loopback(parsed):
        return parsed
    raise FetchError("refused", f"{field}：只接受 https 网址，收到的是 {str(url)!r}")


def retry_after(headers: httpx.Headers, cap: float) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), capped."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, cap))


def client(policy: Policy) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent()},
        timeout=httpx.Timeout(policy.timeout),
        follow_redirects=False,
        verify=True,
    )


async def fetch(
    http: httpx.AsyncClient,
    url: str,
    policy: Policy,
    *,
    headers: dict[str, str] | None = None,
    read_body: bool = True,
    allow_plain_http: bool = False,
) -> Answer:
    """GET ``url`` with the retry rules above. Returns the last response (whatever its
    status) or raises :class:`FetchError`. ``allow_plain_http``: the first URL may be http
    (a platform address a source gives as http); redirects still go only to https."""
    start = httpx.URL(url) if allow_plain_http else check_url(url, policy)
    attempts = 0

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retry) and exc.retry_after is not None:
            return exc.retry_after
        backoff = tenacity.wait_exponential_jitter(
            multiplier=policy.backoff, max=policy.backoff_max, jitter=policy.backoff
        )
        return float(backoff(state))

    async def once() -> Answer:
        nonlocal attempts
        attempts += 1
        try:
            # httpx's timeout bounds each read; a body trickled byte by byte (slowloris)
            # needs a bound on the whole attempt too.
            answer = await asyncio.wait_for(
                _follow(http, start, policy, headers or {}, read_body, attempts),
                policy.timeout * ATTEMPT_TIMEOUTS,
            )
        except TimeoutError:
            raise _Retry("timeout", f"{policy.timeout * ATTEMPT_TIMEOUTS:g} 秒内没有完成") from None
        except httpx.TimeoutException as exc:
            raise _Retry(
                "timeout", f"{policy.timeout:g} 秒内没有答复（{type(exc).__name__}）"
            ) from exc
        except httpx.ConnectError as exc:
            if _tls_problem(exc):
                raise FetchError(
                    "tls", f"TLS 证书或加密连接有问题：{_reason(exc)}", attempts=attempts
                ) from None
            raise _Retry("connect", _reason(exc)) from exc
        except httpx.DecodingError as exc:
            raise FetchError("decode", f"内容无法解码：{_reason(exc)}", attempts=attempts) from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise FetchError("refused", _reason(exc), attempts=attempts) from None
        except httpx.TransportError as exc:  # proxy errors, broken connections, write errors
            raise _Retry("connect", f"连接失败：{_reason(exc)}") from exc
        if answer.status in RETRY_STATUSES:
            raise _Retry(
                "status",
                f"HTTP {answer.status}",
                answer,
                retry_after(answer.headers, policy.retry_after_cap),
            )
        return answer

    retrying = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(max(1, policy.attempts)),
        wait=wait,
        retry=tenacity.retry_if_exception_type(_Retry),
        sleep=policy.sleep,
        reraise=True,
    )
    try:
        return await retrying(once)
    except _Retry as last:
        if last.answer is not None:
            return attrs.evolve(last.answer, attempts=attempts)
        raise FetchError(last.kind, str(last), attempts=attempts) from None
    except FetchError as exc:
        exc.attempts = exc.attempts or attempts
        raise


async def _follow(
    http: httpx.AsyncClient,
    url: httpx.URL,
    policy: Policy,
    headers: dict[str, str],
    read_body: bool,
    attempt: int,
) -> Answer:
    began = time.perf_counter()
    for _ in range(MAX_REDIRECTS + 1):
        async with http.stream("GET", url, headers=headers) as response:
            seconds = time.perf_counter() - began
            if response.is_redirect and "location" in response.headers:
                target = url.join(response.headers["location"])
                try:
                    url = check_url(target, policy, field="redirect")
                except FetchError as exc:
                    raise FetchError("redirect", str(exc), attempts=attempt) from None
                continue
            body = await _read(response, policy.max_bytes) if read_body else b""
            return Answer(str(url), response.status_code, response.headers, body, attempt, seconds)
    raise FetchError("redirect", f"重定向超过 {MAX_REDIRECTS} 次", attempts=attempt)


async def _read(response: httpx.Response, cap: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise FetchError("too_large", f"声明 {declared} 字节，超过上限 {cap} 字节")
    chunks = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise FetchError("too_large", f"超过上限 {cap} 字节")
        chunks.append(chunk)
    return b"".join(chunks)


def _tls_problem(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(seen) or "SSL" in type(seen).__name__:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text[:200] if text else type(exc).__name__
