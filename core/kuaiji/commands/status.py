"""Is it the candidate or the platform? Probe every platform URL that the plugins declare
for some regions, concurrently, within a total time bound (``kuaiji status``).

Government platforms publish no API: only the public URLs the data gives are probed, with a
GET whose body is not read. A URL that a source gives without a scheme is not guessed at:
it is listed as not probed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import time
from collections.abc import Sequence
from typing import Any

import attrs
import httpx

from kuaiji.io.net import FetchError, Policy, client, fetch
from kuaiji.model import clock
from kuaiji.model.results import Platform
from kuaiji.registry.manager import Registry, get_registry


class State(enum.StrEnum):
    UP = "up"
    SLOW = "slow"  # answered, but slower than the threshold
    DOWN = "down"  # answered with an error status
    UNREACHABLE = "unreachable"  # no answer: DNS, connect, TLS, timeout, time limit
    NOT_PROBED = "not_probed"  # the data gives no usable URL


@attrs.frozen
class Target:
    """One URL and the platforms (of which regions) that declare it."""

    url: str
    platforms: tuple[str, ...]
    regions: tuple[str, ...]
    in_service: bool  # a platform using it is effective on the evaluation day
    note: str | None = None


@attrs.frozen
class Probe:
    target: Target
    state: State
    status: int | None = None
    seconds: float | None = None
    attempts: int = 0
    error: str | None = None
    final_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.target.url,
            "platforms": list(self.target.platforms),
            "regions": list(self.target.regions),
            "in_service": self.target.in_service,
            "state": self.state.value,
            "status": self.status,
            "latency_ms": round(self.seconds * 1000) if self.seconds is not None else None,
            "attempts": self.attempts,
            "error": self.error,
            "final_url": self.final_url,
            "note": self.target.note,
        }


@attrs.frozen
class StatusReport:
    at: dt.datetime
    probes: tuple[Probe, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        """Every in-service platform answered in time (retired ones are for information)."""
        return all(p.state is State.UP for p in self.probes if p.target.in_service)

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": clock.iso(self.at),
            "ok": self.ok,
            "seconds": round(self.seconds, 2),
            "platforms": [p.to_dict() for p in self.probes],
        }


def targets(
    regions: Sequence[str] = (), *, on: dt.date, registry: Registry | None = None
) -> tuple[Target, ...]:
    """Every platform URL on the chains of ``regions`` (default: every jurisdiction)."""
    registry = registry or get_registry()
    if regions:
        chains = [registry.resolve(r, field="--region").chain for r in regions]
        jurisdictions = list({j.code: j for chain in chains for j in chain}.values())
    else:
        jurisdictions = list(registry.jurisdictions.values())
    found: dict[str, tuple[list[str], list[str], bool, str | None]] = {}
    for jurisdiction in jurisdictions:
        for platform in jurisdiction.platforms:
            if platform.url is None:
                continue
            url, note = _probe_url(platform)
            names, codes, live, old_note = found.get(url, ([], [], False, None))
            if platform.name not in names:
                names.append(platform.name)
            if jurisdiction.code not in codes:
                codes.append(jurisdiction.code)
            found[url] = (names, codes, live or platform.effective_on(on), old_note or note)
    return tuple(
        Target(url, tuple(names), tuple(codes), live, note)
        for url, (names, codes, live, note) in sorted(found.items())
    )


def _probe_url(platform: Platform) -> tuple[str, str | None]:
    url = platform.url or ""
    if "://" not in url:
        return url, "来源只给出了不带协议的地址，不猜测，未探测"
    if url.startswith("http://"):
        return url, "来源给出的是 http 地址（不加密）"
    return url, None


async def probe_all(
    found: Sequence[Target],
    *,
    policy: Policy,
    concurrency: int = 8,
    total: float = 30.0,
    slow: float = 3.0,
    http: httpx.AsyncClient | None = None,
) -> list[Probe]:
    """Probe concurrently (at most ``concurrency`` at once); whatever has not answered
    after ``total`` seconds is reported unreachable."""
    gate = asyncio.Semaphore(concurrency)
    own = http is None
    session = http or client(policy)

    async def one(target: Target) -> Probe:
        if "://" not in target.url:
            return Probe(target, State.NOT_PROBED, error=target.note)
        async with gate:
            try:
                answer = await fetch(
                    session, target.url, policy, read_body=False, allow_plain_http=True
                )
            except FetchError as exc:
                return Probe(
                    target, State.UNREACHABLE, attempts=exc.attempts, error=f"{exc.kind}: {exc}"
                )
        if answer.status >= 400:
            state = State.DOWN
        elif answer.seconds > slow:
            state = State.SLOW
        else:
            state = State.UP
        return Probe(
            target,
            state,
            status=answer.status,
            seconds=answer.seconds,
            attempts=answer.attempts,
            final_url=answer.url if answer.url != target.url else None,
        )

    tasks = [asyncio.create_task(one(t)) for t in found]
    try:
        done, pending = await asyncio.wait(tasks, timeout=total)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    finally:
        if own:
            await session.aclose()
    results = []
    for target, task in zip(found, tasks, strict=True):
        if task in done and not task.cancelled() and task.exception() is None:
            results.append(task.result())
        else:
            error = (
                "total time limit reached"
                if task not in done
                else f"internal: {task.exception()!r}"
            )
            results.append(Probe(target, State.UNREACHABLE, error=error))
    return results


def status(
    regions: Sequence[str] = (),
    *,
    at: dt.datetime | None = None,
    timeout: float = 10.0,
    total: float = 30.0,
    attempts: int = 3,
    concurrency: int = 8,
    registry: Registry | None = None,
) -> StatusReport:
    """Probe the platforms of ``regions`` (default: all) and say which answer."""
    moment = at.astimezone(clock.SHANGHAI) if at is not None else clock.now()
    found = targets(regions, on=moment.date(), registry=registry)
    policy = Policy(timeout=timeout, attempts=attempts)
    began = time.perf_counter()
    probes = asyncio.run(probe_all(found, policy=policy, concurrency=concurrency, total=total))
    return StatusReport(moment, tuple(probes), time.perf_counter() - began)
