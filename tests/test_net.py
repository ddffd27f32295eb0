"""The HTTP layer and `kuaiji status`, with respx: retries, backoff, Retry-After, refusals,
caps and the total time bound. No test touches the internet."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from helpers import kuaiji
from kuaiji.commands.status import Probe, State, Target, probe_all, targets
from kuaiji.io.net import Answer, FetchError, Policy, check_url, client, fetch, user_agent
from kuaiji.registry.manager import Registry

URL = "https://platform.test/acc/"


def sleeper() -> tuple[list[float], Callable[[float], Awaitable[None]]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return waits, sleep


def get(url: str = URL, **policy: Any) -> Answer:
    _, sleep = sleeper()
    settings = Policy(**{"backoff": 0.01, "backoff_max": 0.05, "sleep": sleep, **policy})

    async def run() -> Answer:
        async with client(settings) as http:
            return await fetch(http, url, settings)

    return asyncio.run(run())


@respx.mock
def test_success_names_kuaiji_in_the_user_agent() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200, text="ok"))
    answer = get()
    assert (answer.status, answer.attempts, answer.body) == (200, 1, b"ok")
    agent = route.calls.last.request.headers["User-Agent"]
    assert agent.startswith("kuaiji/") and agent == user_agent()


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(502),
        httpx.Response(503),
        httpx.Response(504),
        httpx.Response(429),
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("connect timeout"),
        httpx.ReadTimeout("read timeout"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
    ids=["502", "503", "504", "429", "connect", "connect-timeout", "read-timeout", "protocol"],
)
@respx.mock
def test_each_retryable_failure_then_success(failure: Any) -> None:
    route = respx.get(URL).mock(side_effect=[failure, httpx.Response(200)])
    answer = get()
    assert answer.status == 200 and answer.attempts == 2 and route.call_count == 2


@respx.mock
def test_backoff_grows_with_jitter_and_stops_at_the_attempt_limit() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(503))
    waits, sleep = sleeper()
    policy = Policy(attempts=4, backoff=1.0, backoff_max=3.0, sleep=sleep)

    async def run() -> Answer:
        async with client(policy) as http:
            return await fetch(http, URL, policy)

    answer = asyncio.run(run())
    assert answer.status == 503 and answer.attempts == 4 and route.call_count == 4
    assert len(waits) == 3
    assert 1.0 <= waits[0] <= 2.0 and 2.0 <= waits[1] <= 3.0 and waits[2] <= 3.0


@respx.mock
def test_exhausted_connect_errors_raise_with_the_attempts() -> None:
    respx.get(URL).mock(side_effect=httpx.ConnectError("no route to host"))
    with pytest.raises(FetchError) as caught:
        get(attempts=3)
    assert caught.value.kind == "connect" and caught.value.attempts == 3


@respx.mock
def test_timeout_is_reported_as_such() -> None:
    respx.get(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(FetchError) as caught:
        get(attempts=2, timeout=0.5)
    assert caught.value.kind == "timeout" and "0.5 秒" in str(caught.value)


@respx.mock
def test_retry_after_is_honoured_and_capped() -> None:
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(503, headers={"Retry-After": "9999"}),
            httpx.Response(200),
        ]
    )
    waits, sleep = sleeper()
    policy = Policy(attempts=3, retry_after_cap=30.0, sleep=sleep)

    async def run() -> Answer:
        async with client(policy) as http:
            return await fetch(http, URL, policy)

    assert asyncio.run(run()).status == 200
    assert waits == [7.0, 30.0]


@respx.mock
def test_retry_after_as_an_http_date() -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    respx.get(URL).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": later}), httpx.Response(200)]
    )
    waits, sleep = sleeper()
    policy = Policy(sleep=sleep)

    async def run() -> Answer:
        async with client(policy) as http:
            return await fetch(http, URL, policy)

    asyncio.run(run())
    assert 15 <= waits[0] <= 20


@pytest.mark.parametrize("status", [400, 403, 404, 410])
@respx.mock
def test_other_4xx_are_never_retried(status: int) -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(status))
    answer = get(attempts=5)
    assert answer.status == status and answer.attempts == 1 and route.call_count == 1


@respx.mock
def test_tls_failure_is_not_retried_and_says_tls() -> None:
    route = respx.get(URL).mock(
        side_effect=httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    )
    with pytest.raises(FetchError) as caught:
        get(attempts=3)
    assert caught.value.kind == "tls" and route.call_count == 1


@respx.mock
def test_redirect_to_https_is_followed_and_to_http_refused() -> None:
    respx.get(URL).mock(
        return_value=httpx.Response(302, headers={"Location": "https://platform.test/new/"})
    )
    respx.get("https://platform.test/new/").mock(return_value=httpx.Response(200))
    assert get().url == "https://platform.test/new/"
    respx.get("https://platform.test/down/").mock(
        return_value=httpx.Response(301, headers={"Location": "http://platform.test/plain/"})
    )
    plain = respx.get("http://platform.test/plain/").mock(return_value=httpx.Response(200))
    with pytest.raises(FetchError) as caught:
        get("https://platform.test/down/")
    assert caught.value.kind == "redirect" and plain.call_count == 0


def test_plain_http_is_refused_before_any_request() -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get("http://platform.test/").mock(return_value=httpx.Response(200))
        with pytest.raises(FetchError) as caught:
            get("http://platform.test/")
    assert caught.value.kind == "refused" and route.call_count == 0


@respx.mock
def test_a_body_over_the_cap_is_refused() -> None:
    respx.get(URL).mock(return_value=httpx.Response(200, content=b"x" * 2048))
    with pytest.raises(FetchError) as caught:
        get(max_bytes=1024)
    assert caught.value.kind == "too_large"


@pytest.mark.slow
@respx.mock
def test_a_storm_of_503s_is_bounded_in_attempts_and_time() -> None:
    policy = Policy(attempts=3, backoff=0.001, backoff_max=0.002)
    found = [Target(f"{URL}{i}", ("p",), ("CN",), True) for i in range(500)]
    for target in found:
        respx.get(target.url).mock(return_value=httpx.Response(503))
    began = time.perf_counter()
    probes = asyncio.run(probe_all(found, policy=policy, concurrency=50, total=20))
    assert time.perf_counter() - began < 20
    assert all(p.state is State.DOWN and p.attempts == 3 for p in probes)
    assert len(respx.calls) == 1500  # 500 platforms x 3 attempts, and not one more


# --- kuaiji status ---


def target(url: str, live: bool = True) -> Target:
    return Target(url, ("某平台",), ("65",), live)


@respx.mock
def test_probe_states_up_slow_down_unreachable_and_not_probed() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.3)
        return httpx.Response(200)

    respx.get("https://up.test/").mock(return_value=httpx.Response(200))
    respx.get("https://slow.test/").mock(side_effect=slow)
    respx.get("https://down.test/").mock(return_value=httpx.Response(500))
    respx.get("https://gone.test/").mock(
        side_effect=httpx.ConnectError("Name or service not known")
    )
    found = [target(f"https://{n}.test/") for n in ("up", "slow", "down", "gone")]
    found.append(Target("hunanacc.com", ("湖南",), ("43",), True, "no scheme"))
    policy = Policy(attempts=2, backoff=0.001, backoff_max=0.001)
    probes = asyncio.run(probe_all(found, policy=policy, slow=0.2, total=10))
    states = {p.target.url: p.state for p in probes}
    assert states == {
        "https://up.test/": State.UP,
        "https://slow.test/": State.SLOW,
        "https://down.test/": State.DOWN,
        "https://gone.test/": State.UNREACHABLE,
        "hunanacc.com": State.NOT_PROBED,
    }
    down = next(p for p in probes if p.state is State.DOWN)
    assert down.status == 500 and down.attempts == 1


@respx.mock
def test_the_total_time_bound_cuts_a_hanging_platform() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200)

    respx.get("https://hang.test/").mock(side_effect=hang)
    respx.get("https://up.test/").mock(return_value=httpx.Response(200))
    began = time.perf_counter()
    probes: list[Probe] = asyncio.run(
        probe_all(
            [target("https://hang.test/"), target("https://up.test/")], policy=Policy(), total=0.5
        )
    )
    assert time.perf_counter() - began < 3
    assert [p.state for p in probes] == [State.UNREACHABLE, State.UP]
    assert probes[0].error == "total time limit reached"


def test_targets_come_from_the_chain_and_mark_retired_platforms() -> None:
    registry = Registry(strict=True)
    found = {t.url: t for t in targets(["440305"], on=dt.date(2026, 11, 23), registry=registry)}
    assert "https://ausm.mof.gov.cn/index/" in found
    assert any("szfb" in url for url in found)  # Shenzhen's platform
    assert not any("xjcz" in url for url in found)  # not on the chain
    xinjiang = {t.url: t for t in targets(["65"], on=dt.date(2026, 11, 23), registry=registry)}
    assert xinjiang["http://kzp.mof.gov.cn/list_warning.jsp"].in_service is False  # until 2024


# --- URLs and proxies (found in review) ---


def test_invalid_urls_are_usage_errors_and_proxy_failures_are_reported() -> None:
    with pytest.raises(FetchError) as caught:
        check_url("https://[::1/index.json", Policy())
    assert caught.value.kind == "refused"
    result = kuaiji("rules", "update", "--from", "https://[::1/index.json")
    assert result.returncode == 2 and "Traceback" not in result.stderr

    async def get() -> Any:
        policy = Policy(attempts=2, backoff=0.001, backoff_max=0.001)
        async with client(policy) as http:
            return await fetch(http, "https://rules.test/x", policy)

    with respx.mock:
        respx.get("https://rules.test/x").mock(
            side_effect=httpx.ProxyError("407 Proxy Authentication Required")
        )
        with pytest.raises(FetchError) as proxy:
            asyncio.run(get())
    assert proxy.value.kind == "connect" and proxy.value.attempts == 2
