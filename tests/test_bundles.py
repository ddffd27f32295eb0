"""Rules bundles: export, verified update (respx), conditional requests, refusals that
leave the cache untouched, and a round trip through a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from helpers import EXAMPLES, kuaiji
from kuaiji.commands.status import State, Target, probe_all
from kuaiji.errors import BundleError, DataError
from kuaiji.io.net import Policy
from kuaiji.registry.data import PluginData, cached_documents
from kuaiji.registry.manager import Registry
from kuaiji.updates import bundles
from kuaiji.updates.bundles import MAX_FILE_BYTES, export, update

BASE = "https://rules.test/kuaiji/"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    Registry(strict=True)  # imports every plugin, so each has its PluginData
    folder = tmp_path_factory.mktemp("bundle")
    export(folder)
    return folder


def copy_bundle(source: Path, target: Path) -> Path:
    for path in source.rglob("*"):
        if path.is_file():
            out = target / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(path.read_bytes())
    return target


def bump(
    folder: Path, plugin: str, name: str, change: Any = None, updated: str = "2099-01-01"
) -> None:
    """Edit one data file of a bundle (newer date, optional change) and fix the index."""
    path = folder / plugin / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["updated"] = updated
    if change:
        change(doc)
    body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    path.write_bytes(body)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    for entry in index["files"]:
        if entry["path"] == f"{plugin}/{name}":
            entry.update(size=len(body), sha256=hashlib.sha256(body).hexdigest(), updated=updated)
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")


def review_three_days(doc: dict[str, Any]) -> None:
    for event in doc["schedules"][0]["events"]:
        if event["id"] == "review":
            event["working_days"] = 3


def serve(folder: Path, etag: str | None = None) -> respx.Route:
    def answer(request: httpx.Request) -> httpx.Response:
        if etag and request.headers.get("If-None-Match") == etag:
            return httpx.Response(304)
        path = folder / request.url.path.removeprefix("/kuaiji/")
        if not path.is_file():
            return httpx.Response(404)
        headers = {"ETag": etag} if etag and path.name == "index.json" else {}
        return httpx.Response(200, content=path.read_bytes(), headers=headers)

    return respx.get(url__startswith=BASE).mock(side_effect=answer)


def quick() -> Policy:
    return Policy(attempts=2, backoff=0.001, backoff_max=0.001)


def test_export_writes_every_plugin_with_hashes(bundle: Path) -> None:
    index = json.loads((bundle / "index.json").read_text(encoding="utf-8"))
    plugins = {e["plugin"] for e in index["files"]}
    assert {"national", "guangdong", "shenzhen", "tianjin", "hunan", "xinjiang"} <= plugins
    for entry in index["files"]:
        body = (bundle / entry["path"]).read_bytes()
        assert len(body) == entry["size"] and hashlib.sha256(body).hexdigest() == entry["sha256"]


@respx.mock
def test_update_installs_only_what_changed_and_the_plugin_uses_it(
    bundle: Path, tmp_path: Path
) -> None:
    served = copy_bundle(bundle, tmp_path / "served")
    bump(served, "xinjiang", "xinjiang.json", review_three_days)
    serve(served)
    cache = tmp_path / "cache"
    result = update(BASE + "index.json", policy=quick(), root=cache)
    assert result.changed and result.plugins == ("xinjiang",)
    docs = cached_documents("xinjiang", cache)
    assert [d.updated.isoformat() for d in docs] == ["2099-01-01"]
    again = update(BASE + "index.json", policy=quick(), root=cache)
    assert not again.changed and again.files == 0  # nothing new to fetch


@respx.mock
def test_etag_makes_a_repeat_update_one_304(bundle: Path, tmp_path: Path) -> None:
    served = copy_bundle(bundle, tmp_path / "served")
    bump(served, "hunan", "hunan.json")
    route = serve(served, etag='"v1"')
    cache = tmp_path / "cache"
    assert update(BASE + "index.json", policy=quick(), root=cache).changed
    calls = route.call_count
    second = update(BASE + "index.json", policy=quick(), root=cache)
    assert not second.changed
    assert route.call_count == calls + 1
    assert route.calls.last.request.headers["If-None-Match"] == '"v1"'


def good_cache(bundle: Path, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    served = copy_bundle(bundle, tmp_path / "good")
    bump(served, "xinjiang", "xinjiang.json")
    cache = tmp_path / "cache"
    with respx.mock:
        serve(served)
        update(BASE + "index.json", policy=quick(), root=cache)
    return cache, snapshot(cache)


def snapshot(cache: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(cache)): p.read_bytes()
        for p in cache.rglob("*.json")
        if "meta" not in p.name
    }


@pytest.mark.parametrize(
    "damage",
    [
        "tampered",
        "oversized_index",
        "body_longer",
        "traversal",
        "invalid_data",
        "missing_file",
        "not_an_index",
    ],
)
def test_a_bad_bundle_is_refused_and_the_good_cache_stays(
    bundle: Path, tmp_path: Path, damage: str
) -> None:
    cache, before = good_cache(bundle, tmp_path)
    served = copy_bundle(bundle, tmp_path / "bad")
    bump(served, "xinjiang", "xinjiang.json", updated="2099-02-02")
    index_path = served / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    entry = next(e for e in index["files"] if e["plugin"] == "xinjiang")
    if damage == "tampered":
        path = served / entry["path"]
        path.write_bytes(path.read_bytes().replace(b"2099-02-02", b"2099-02-03"))
    elif damage == "oversized_index":
        entry["size"] = MAX_FILE_BYTES + 1
    elif damage == "body_longer":
        path = served / entry["path"]
        path.write_bytes(path.read_bytes() + b" " * 100)
    elif damage == "traversal":
        entry["name"], entry["path"] = "../../evil.json", "xinjiang/../../evil.json"
    elif damage == "invalid_data":
        bump(
            served, "xinjiang", "xinjiang.json", lambda d: d["schedules"][0].update(level="senior")
        )
        index = json.loads(index_path.read_text(encoding="utf-8"))
    elif damage == "missing_file":
        (served / entry["path"]).unlink()
    elif damage == "not_an_index":
        index = {"hello": "world"}
    if damage not in ("invalid_data",):
        index_path.write_text(json.dumps(index), encoding="utf-8")
    with respx.mock:
        serve(served)
        with pytest.raises(BundleError):
            update(BASE + "index.json", policy=quick(), root=cache)
    assert snapshot(cache) == before
    assert not (tmp_path / "evil.json").exists()


def test_only_https_is_accepted() -> None:
    with pytest.raises(BundleError) as caught:
        update("http://rules.test/index.json")
    assert caught.value.usage


def test_a_symlink_in_the_cache_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text(
        '{"format": 1, "plugin": "xinjiang", "updated": "2099-01-01"}', encoding="utf-8"
    )
    (tmp_path / "cache" / "xinjiang").mkdir(parents=True)
    (tmp_path / "cache" / "xinjiang" / "x.json").symlink_to(outside)
    with pytest.raises(DataError, match="私有的普通文件"):  # refused, not followed
        cached_documents("xinjiang", tmp_path / "cache")


def test_an_older_or_broken_cache_falls_back_to_bundled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Registry(strict=True)
    data = PluginData.every()["xinjiang"]
    folder = tmp_path / "xinjiang"
    folder.mkdir()
    monkeypatch.setenv("KUAIJI_CACHE_DIR", str(tmp_path))
    try:
        (folder / "x.json").write_text(
            '{"format": 1, "plugin": "xinjiang", "updated": "2000-01-01"}', encoding="utf-8"
        )
        data.reload()
        assert data.origin == "bundled"
        (folder / "x.json").write_text(
            '{"format": 1, "plugin": "xinjiang", "updated": "2099-01-01", "schedules": [{"region": 65}]}',
            encoding="utf-8",
        )
        data.reload()
        assert data.origin == "bundled" and data.problem and "已更新的规则未使用" in data.problem
    finally:
        monkeypatch.undo()
        data.reload()


# --- a real server on 127.0.0.1 ---


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(3)
        if self.path in ("/slow", "/fail"):
            self.send_response(200 if self.path == "/slow" else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture
def server(bundle: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    served = copy_bundle(bundle, tmp_path / "www" / "bundle")

    def handler(*args: Any, **kwargs: Any) -> Handler:
        return Handler(*args, directory=str(tmp_path / "www"), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", served
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_round_trip_export_serve_update_precheck(server: tuple[str, Path], tmp_path: Path) -> None:
    base, served = server
    bump(served, "xinjiang", "xinjiang.json", review_three_days)
    env = {
        "KUAIJI_NATIONAL_ONLY": "0",
        "KUAIJI_CACHE_DIR": str(tmp_path / "cache"),
        "KUAIJI_ALLOW_HTTP_LOOPBACK": "1",
    }
    args = [
        "precheck",
        str(EXAMPLES / "aygul-urumqi.json"),
        "--exam",
        "intermediate",
        "--year",
        "2024",
    ]
    args += ["--at", "2024-06-27T18:00", "--json"]
    before = json.loads(kuaiji(*args, env=env).stdout)
    assert before["verdict"] == "not_ready"  # apply by 06-28 12:00 (2 working days)

    result = kuaiji("rules", "update", "--from", f"{base}/bundle/index.json", env=env)
    assert result.returncode == 0, result.stderr
    assert "xinjiang" in result.stdout

    status = {
        s["plugin"]: s for s in json.loads(kuaiji("rules", "status", "--json", env=env).stdout)
    }
    assert (
        status["xinjiang"]["origin"] == "updated" and status["xinjiang"]["updated"] == "2099-01-01"
    )
    assert status["national"]["origin"] == "bundled"

    after = json.loads(kuaiji(*args, env=env).stdout)
    review = next(f for f in after["findings"] if f["rule"] == "review.provincial")
    assert review["deadline"] == "2024-06-27T12:00+08:00"  # 3 working days now
    assert after["verdict"] == "too_late"

    plain = kuaiji(
        "rules",
        "update",
        "--from",
        f"{base}/bundle/index.json",
        env={**env, "KUAIJI_ALLOW_HTTP_LOOPBACK": "0"},
    )
    assert plain.returncode == 2 and "https" in plain.stderr


@pytest.mark.slow
def test_real_server_slow_and_failing_endpoints_are_bounded(server: tuple[str, Path]) -> None:
    base, _ = server
    found = [
        Target(f"{base}/slow", ("慢",), ("CN",), True),
        Target(f"{base}/fail", ("坏",), ("CN",), True),
        Target(f"{base}/bundle/index.json", ("好",), ("CN",), True),
    ]
    policy = Policy(timeout=0.5, attempts=2, backoff=0.01, backoff_max=0.01)
    began = time.perf_counter()
    probes = asyncio.run(probe_all(found, policy=policy, total=5))
    assert time.perf_counter() - began < 5
    states = [p.state for p in probes]
    assert states == [State.UNREACHABLE, State.DOWN, State.UP]
    assert probes[0].error and "timeout" in probes[0].error
    assert probes[1].status == 503 and probes[1].attempts == 2


@pytest.mark.slow
def test_status_offline_is_quick_and_clean() -> None:
    """On a machine without internet every platform is unreachable, quickly, exit 1."""
    env = {
        "KUAIJI_NATIONAL_ONLY": "0",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    began = time.perf_counter()
    result = kuaiji(
        "status", "--region", "65", "--timeout", "2", "--total", "10", "--json", env=env
    )
    assert time.perf_counter() - began < 20
    assert result.returncode == 1 and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["platforms"] and all(p["state"] == "unreachable" for p in report["platforms"])
    assert os.environ.get("KUAIJI_CACHE_DIR")


# --- installing and fetching (found in review) ---


def test_a_failed_install_brings_the_good_cache_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    (root / "xinjiang").mkdir(parents=True)
    (root / "xinjiang" / "a.json").write_text("good", encoding="utf-8")
    entry = bundles.Entry("xinjiang", "a.json", "0" * 64, 3, "2099-01-01")
    real_rename = Path.rename
    calls = {"n": 0}

    def flaky(self: Path, target: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # the staging folder moving into place
            raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", flaky)
    with pytest.raises(OSError):
        bundles._install(root, [entry], {"xinjiang/a.json": b"new"}, ["xinjiang"])
    monkeypatch.undo()
    assert (root / "xinjiang" / "a.json").read_text(encoding="utf-8") == "good"


@respx.mock
def test_bundle_files_are_fetched_beside_the_index_after_a_redirect(tmp_path: Path) -> None:
    Registry(strict=True)
    source = tmp_path / "bundle"
    bundles.export(source)
    index = json.loads((source / "index.json").read_text(encoding="utf-8"))
    entry = next(e for e in index["files"] if e["plugin"] == "tianjin")
    doc = json.loads((source / entry["path"]).read_text(encoding="utf-8"))
    doc["updated"] = "2099-01-01"
    body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    import hashlib

    index["files"] = [
        dict(entry, size=len(body), sha256=hashlib.sha256(body).hexdigest(), updated="2099-01-01")
    ]
    respx.get("https://rules.test/latest/index.json").mock(
        return_value=httpx.Response(302, headers={"Location": "https://cdn.test/v7/index.json"})
    )
    respx.get("https://cdn.test/v7/index.json").mock(return_value=httpx.Response(200, json=index))
    respx.get(f"https://cdn.test/v7/{entry['path']}").mock(
        return_value=httpx.Response(200, content=body)
    )
    result = bundles.update(
        "https://rules.test/latest/index.json", policy=Policy(attempts=1), root=tmp_path / "cache"
    )
    assert result.plugins == ("tianjin",)
