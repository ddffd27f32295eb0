"""Signed rules bundles: export, publish, verified update (respx, a real HTTP server on
127.0.0.1, a local folder), and every attack of issue #18 refused with the cache untouched:
a rebuilt index, data for regions a plugin does not serve, bad platform addresses, dates in
the future, rollback, a frozen feed, a 304 with nothing installed, a partial bundle, slow
servers; a broken cache never stops kuaiji, and the cache does not grow."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.server
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import EXAMPLES, ROOT, kuaiji
from kuaiji.commands.status import State, Target, probe_all
from kuaiji.errors import BundleError, DataError, InputError
from kuaiji.io.net import Policy
from kuaiji.model import clock
from kuaiji.registry.data import PluginData, cached_documents
from kuaiji.registry.manager import Registry, get_registry
from kuaiji.updates import bundles, signing
from kuaiji.updates.bundles import export, publish, update

BASE = "https://rules.test/kuaiji/"


def _shipped_data_date() -> dt.date:
    Registry(strict=True)  # imports every plugin, so each has its PluginData
    return max(d.updated for data in PluginData.every().values() for d in data.bundled)


SHIPPED = _shipped_data_date()
NEWER = (SHIPPED + dt.timedelta(days=10)).isoformat()  # data newer than any plugin's own
NOW = dt.datetime.combine(SHIPPED + dt.timedelta(days=20), dt.time(10, 0), clock.SHANGHAI)


@pytest.fixture(autouse=True)
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty days after the newest shipped data, so that NEWER is in the past."""
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ed25519PrivateKey, str]:
    """A publisher's key: its file, the key, its public key text."""
    path = tmp_path_factory.mktemp("keys") / "publisher.key"
    public = signing.generate(path)
    return path, signing.load_private(path), public.text


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    Registry(strict=True)
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


def sign(
    folder: Path,
    key: Ed25519PrivateKey,
    version: int = 1,
    *,
    feed: str = "test",
    expires: dt.datetime | None = None,
    next_keys: tuple[str, ...] = (),
    index: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Sign every data file of ``folder`` as a publisher would (no checks: tests make bad
    data on purpose); ``index`` may change the signed content first."""
    entries = []
    for path in sorted(folder.glob("*/*.json")):
        body = path.read_bytes()
        updated = json.loads(body)["updated"]
        entries.append(
            bundles.Entry(
                path.parent.name, path.name, hashlib.sha256(body).hexdigest(), len(body), updated
            )
        )
    body = bundles.index_body(
        entries,
        feed=feed,
        version=version,
        created=NOW - dt.timedelta(hours=1),
        expires=expires or NOW + dt.timedelta(days=30),
        next_keys=next_keys,
    )
    if index:
        index(body)
    (folder / "index.json").write_text(
        json.dumps(signing.sign(body, [key]), ensure_ascii=False), encoding="utf-8"
    )


def bump(folder: Path, plugin: str, name: str, change: Any = None, updated: str = NEWER) -> None:
    """Edit one data file of a bundle: a newer date and an optional change."""
    path = folder / plugin / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["updated"] = updated
    if change:
        change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def only(folder: Path, *plugins: str) -> None:
    """Keep only these plugins' files in ``folder``."""
    for path in folder.iterdir():
        if path.is_dir() and path.name not in plugins:
            shutil.rmtree(path)


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


def fetch(public: str, cache: Path, url: str = BASE + "index.json") -> bundles.UpdateResult:
    return update(url, trust=[public], policy=quick(), root=cache)


def served_xinjiang(
    bundle: Path, key: Ed25519PrivateKey, folder: Path, version: int = 1, change: Any = None
) -> Path:
    """A signed bundle in ``folder`` whose Xinjiang data is newer (and changed)."""
    served = copy_bundle(bundle, folder)
    bump(served, "xinjiang", "xinjiang.json", change)
    sign(served, key, version)
    return served


def snapshot(cache: Path) -> dict[str, bytes]:
    return {str(p.relative_to(cache)): p.read_bytes() for p in cache.rglob("*") if p.is_file()}


def installed(cache: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads((cache / "state.json").read_text(encoding="utf-8"))
    return state


# --- export, publish, update ---


def test_export_writes_every_plugin_with_hashes(bundle: Path) -> None:
    index = json.loads((bundle / "index.json").read_text(encoding="utf-8"))
    plugins = {e["plugin"] for e in index["files"]}
    assert {"national", "guangdong", "shenzhen", "tianjin", "hunan", "xinjiang"} <= plugins
    for entry in index["files"]:
        body = (bundle / entry["path"]).read_bytes()
        assert len(body) == entry["size"] and hashlib.sha256(body).hexdigest() == entry["sha256"]


@respx.mock
def test_publish_then_update_installs_only_what_is_newer_and_the_plugin_uses_it(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    keyfile, _, public = keys
    source = copy_bundle(bundle, tmp_path / "src")
    bump(source, "xinjiang", "xinjiang.json", review_three_days)
    published = publish(source, tmp_path / "served", key=keyfile, version=7, feed="test")
    assert published.version == 7 and published.files == len(list(source.glob("*/*.json")))
    serve(tmp_path / "served")
    cache = tmp_path / "cache"
    result = fetch(public, cache)
    assert result.changed and result.plugins == ("xinjiang",) and result.version == 7
    assert result.installed == ("xinjiang",) and result.files == 1
    docs = cached_documents("xinjiang", cache)
    assert [d.updated.isoformat() for d in docs] == [NEWER]
    again = fetch(public, cache)
    assert not again.changed and again.files == 0  # nothing new to fetch


@respx.mock
def test_etag_makes_a_repeat_update_one_304(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    _, key, public = keys
    served = copy_bundle(bundle, tmp_path / "served")
    bump(served, "hunan", "hunan.json")
    sign(served, key)
    route = serve(served, etag='"v1"')
    cache = tmp_path / "cache"
    assert fetch(public, cache).changed
    calls = route.call_count
    second = fetch(public, cache)
    assert not second.changed and second.version == 1
    assert route.call_count == calls + 1
    assert route.calls.last.request.headers["If-None-Match"] == '"v1"'


def test_publish_refuses_a_version_that_does_not_increase_and_a_past_expiry(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    keyfile = keys[0]
    out = tmp_path / "served"
    publish(bundle, out, key=keyfile, version=3)
    for version in (2, 3):
        with pytest.raises(InputError, match="已是第 3 版"):
            publish(bundle, out, key=keyfile, version=version)
    with pytest.raises(InputError, match="已过去"):
        publish(bundle, out, key=keyfile, version=4, expires=NOW.date() - dt.timedelta(days=1))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="不是空文件夹"):  # never replaces someone's folder
        publish(bundle, tmp_path / "other", key=keyfile, version=1)


def test_publish_refuses_data_an_update_would_refuse(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    source = copy_bundle(bundle, tmp_path / "src")
    bump(source, "xinjiang", "xinjiang.json", updated="9999-12-31")
    with pytest.raises(InputError, match="晚于今天"):
        publish(source, tmp_path / "out", key=keys[0], version=1)
    assert not (tmp_path / "out").exists()


# --- the attacks of issue #18, each refused with the cache as it was ---


@pytest.fixture
def good_cache(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> tuple[Path, dict[str, bytes]]:
    """A cache with a verified Xinjiang update (feed "test", version 5)."""
    served = served_xinjiang(bundle, keys[1], tmp_path / "good", version=5)
    cache = tmp_path / "cache"
    with respx.mock:
        serve(served)
        assert fetch(keys[2], cache).plugins == ("xinjiang",)
    return cache, snapshot(cache)


def attempt(served: Path, public: str, cache: Path) -> BundleError:
    with respx.mock:
        serve(served)
        with pytest.raises(BundleError) as caught:
            fetch(public, cache)
    return caught.value


def national_schedule(doc: dict[str, Any]) -> None:
    schedule = dict(doc["schedules"][0], region="CN")
    doc["schedules"].append(schedule)


def beijing_claim(doc: dict[str, Any]) -> None:
    doc["jurisdictions"].append(
        {
            "code": "11",
            "name": "北京市",
            "parent": "CN",
            "source": doc["jurisdictions"][0]["source"],
        }
    )


def platform_url(url: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        platform = doc["jurisdictions"][0]["platforms"][0]
        platform["url"] = url
        platform["plain_url_reason"] = "来源只给出 http"

    return change


def escape_in_note(doc: dict[str, Any]) -> None:
    doc["schedules"][0]["events"][0]["note_zh"] = "\x1b[1A\x1b[2K结论：可以报名"


@pytest.mark.parametrize(
    ("attack", "said"),
    [
        ("host_rebuilds_the_index", "签名无效"),
        ("signature_removed", "没有签名"),
        ("signed_by_another_key", "不是由受信任的密钥签名"),
        ("unsigned_export_index", "没有签名"),
        ("tampered_file", "sha256"),
        ("body_longer", "字节"),
        ("traversal", "路径花招"),
        ("missing_file", "404"),
        ("invalid_data", "数据未通过检查"),
        ("xinjiang_adds_a_national_schedule", "不归它服务的地区 CN"),
        ("xinjiang_claims_beijing", "插件 xinjiang 只服务"),
        ("file_labelled_xinjiang_is_national", "索引写的是 'xinjiang'"),
        ("javascript_url", "不是 https 网址"),
        ("http_look_alike", "不是 https 网址"),
        ("dated_9999", "晚于今天"),
        ("escape_sequence", "控制字符"),
        ("partial_national", "没有全国（CN）"),
        ("national_only_jurisdictions", "缺少已安装版本内置数据中的部分：schedules"),
        ("xinjiang_drops_its_2024_schedule", "缺少已安装版本内置数据中的考试日程：65 中级 2024 年"),
        ("rollback", "拒绝回滚"),
        ("same_version_other_content", "同一版本内容不同"),
        ("expired", "过期"),
        ("empty_answer", "空的"),
    ],
)
def test_an_attack_is_refused_and_the_good_cache_stays(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    good_cache: tuple[Path, dict[str, bytes]],
    attack: str,
    said: str,
) -> None:
    cache, before = good_cache
    _, key, public = keys
    served = copy_bundle(bundle, tmp_path / "bad")
    changes: dict[str, Callable[[dict[str, Any]], None]] = {
        "invalid_data": lambda d: d["schedules"][0].update(level="senior"),
        "xinjiang_adds_a_national_schedule": national_schedule,
        "xinjiang_claims_beijing": beijing_claim,
        "javascript_url": platform_url("javascript:alert(1)"),
        "http_look_alike": platform_url("http://xjkj.czt.xinjiang.gov.cn.login-kj.com/"),
        "escape_sequence": escape_in_note,
        "xinjiang_drops_its_2024_schedule": lambda d: d["schedules"][0].update(year=2025),
    }
    # Different from the installed Xinjiang data: it has to be fetched.
    bump(served, "xinjiang", "xinjiang.json", changes.get(attack, review_three_days))
    version = 6
    if attack == "dated_9999":
        bump(served, "xinjiang", "xinjiang.json", updated="9999-12-31")
    if attack == "partial_national":
        only(served, "national")
        for path in (served / "national").glob("*.json"):
            if path.name != "schedules.json":
                path.unlink()
        bump(served, "national", "schedules.json")
    if attack == "national_only_jurisdictions":  # a 2027 precheck would lose its projection
        only(served, "national")
        for path in (served / "national").glob("*.json"):
            if path.name != "jurisdictions.json":
                path.unlink()
        bump(served, "national", "jurisdictions.json")
    if attack == "file_labelled_xinjiang_is_national":
        only(served, "national", "xinjiang")
        (served / "xinjiang" / "xinjiang.json").unlink()
        bump(served, "national", "schedules.json")
        (served / "national" / "schedules.json").rename(served / "xinjiang" / "xinjiang.json")
    if attack == "rollback":
        version = 4
    if attack == "same_version_other_content":
        version = 5
    expires = NOW - dt.timedelta(minutes=1) if attack == "expired" else None
    other = Ed25519PrivateKey.generate()
    sign(served, other if attack == "signed_by_another_key" else key, version, expires=expires)
    index_path = served / "index.json"
    envelope = json.loads(index_path.read_text(encoding="utf-8"))
    files = envelope["signed"]["files"]
    entry = next((e for e in files if e["plugin"] == "xinjiang"), files[0])
    if attack == "host_rebuilds_the_index":  # new data, hashes fixed, signature kept
        bump(served, "xinjiang", "xinjiang.json", national_schedule)
        body = (served / entry["path"]).read_bytes()
        entry.update(size=len(body), sha256=hashlib.sha256(body).hexdigest())
    elif attack == "signature_removed":
        envelope["signatures"] = []
    elif attack == "unsigned_export_index":
        envelope = json.loads((bundle / "index.json").read_text(encoding="utf-8"))
    elif attack == "tampered_file":
        path = served / entry["path"]
        path.write_bytes(path.read_bytes().replace(NEWER.encode(), b"2000-01-01"))
    elif attack == "body_longer":
        path = served / entry["path"]
        path.write_bytes(path.read_bytes() + b" " * 100)
    elif attack == "traversal":
        entry["name"], entry["path"] = "../../evil.json", "xinjiang/../../evil.json"
        envelope = signing.sign(envelope["signed"], [key])
    elif attack == "missing_file":
        (served / entry["path"]).unlink()
    if attack == "empty_answer":
        index_path.write_bytes(b"")
    else:
        index_path.write_text(json.dumps(envelope, ensure_ascii=False), encoding="utf-8")
    refused = attempt(served, public, cache)
    assert said in str(refused)
    assert snapshot(cache) == before
    assert not (tmp_path / "evil.json").exists()
    assert [d.updated.isoformat() for d in cached_documents("xinjiang", cache)] == [NEWER]


def test_the_version_floor_outlives_a_broken_state_file_and_a_reset(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    good_cache: tuple[Path, dict[str, bytes]],
) -> None:
    cache, _ = good_cache  # feed "test", version 5
    older = served_xinjiang(bundle, keys[1], tmp_path / "v4", 4, review_three_days)
    (cache / "state.json").write_text("garbage", encoding="utf-8")
    assert "拒绝回滚" in str(attempt(older, keys[2], cache))
    bundles.reset(cache)
    assert not (cache / "state.json").exists() and (cache / "floors.json").exists()
    assert "拒绝回滚" in str(attempt(older, keys[2], cache))
    floors = json.loads((cache / "floors.json").read_text(encoding="utf-8"))
    assert floors["feeds"]["test"]["version"] == 5
    assert oct((cache / "floors.json").stat().st_mode & 0o777) == "0o600"


def test_floors_kept_in_the_state_file_by_an_older_kuaiji_are_carried_over(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    good_cache: tuple[Path, dict[str, bytes]],
) -> None:
    cache, _ = good_cache
    floors = json.loads((cache / "floors.json").read_text(encoding="utf-8"))["feeds"]
    hijacked = dict(floors["test"], version=2**53 - 1)  # signed by a key that is not shipped
    state = dict(installed(cache), feeds={**floors, "kuaiji": hijacked})
    (cache / "state.json").write_text(json.dumps(state), encoding="utf-8")
    (cache / "floors.json").unlink()
    bundles.reset(cache)  # as an older kuaiji left it: the floors only in state.json
    assert set(json.loads((cache / "floors.json").read_text(encoding="utf-8"))["feeds"]) == {"test"}
    older = served_xinjiang(bundle, keys[1], tmp_path / "v4", 4, review_three_days)
    assert "拒绝回滚" in str(attempt(older, keys[2], cache))


def test_an_unreadable_floors_file_stops_updates_but_not_precheck(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    good_cache: tuple[Path, dict[str, bytes]],
) -> None:
    cache, _ = good_cache
    (cache / "floors.json").write_text("{", encoding="utf-8")
    before = snapshot(cache)
    newer = served_xinjiang(bundle, keys[1], tmp_path / "v6", 6, review_three_days)
    refused = str(attempt(newer, keys[2], cache))
    assert "floors.json" in refused and "拒绝更新" in refused and "删除该文件" in refused
    assert snapshot(cache) == before
    env = {"KUAIJI_NATIONAL_ONLY": "0", "KUAIJI_CACHE_DIR": str(cache)}
    args = ["precheck", str(EXAMPLES / "aygul-urumqi.json"), "--exam", "intermediate"]
    result = kuaiji(*args, "--year", "2024", "--at", "2024-06-27T18:00", "--json", env=env)
    assert result.returncode in (0, 1) and not result.stderr
    assert json.loads(result.stdout)["verdict"]
    status = kuaiji("rules", "status", "--json", env=env)
    assert status.returncode == 0 and "floors.json" in json.loads(status.stdout)["problem"]


def test_a_304_never_says_up_to_date_when_nothing_was_installed(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with respx.mock:
        respx.get(BASE + "index.json").mock(return_value=httpx.Response(304))
        with pytest.raises(BundleError, match="从没有从"):
            fetch(signing.shipped_keys()[0].text, cache)
    assert not (cache / "state.json").exists()
    result = kuaiji("rules", "status", env={"KUAIJI_CACHE_DIR": str(cache)})
    assert "规则源：未安装" in result.stdout


def test_an_expired_feed_is_refused_even_as_a_304(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, key, public = keys
    served = copy_bundle(bundle, tmp_path / "served")
    bump(served, "hunan", "hunan.json")
    sign(served, key, expires=NOW + dt.timedelta(days=2))
    cache = tmp_path / "cache"
    with respx.mock:
        serve(served, etag='"v1"')
        fetch(public, cache)
        monkeypatch.setattr(clock, "now", lambda: NOW + dt.timedelta(days=3))  # frozen since
        with pytest.raises(BundleError, match=r"过期.*冻结"):
            fetch(public, cache)
    status = kuaiji("rules", "status", env={"KUAIJI_CACHE_DIR": str(cache)})
    assert "已过期" in status.stdout


def test_a_newer_release_wins_over_an_older_installed_bundle(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "cache"
    served = served_xinjiang(bundle, keys[1], tmp_path / "served")
    with respx.mock:
        serve(served)
        fetch(keys[2], cache)
    original = PluginData.every()["xinjiang"]
    package = tmp_path / "pkg" / "newer_xinjiang"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    release = json.loads((bundle / "xinjiang" / "xinjiang.json").read_text(encoding="utf-8"))
    release["updated"] = (SHIPPED + dt.timedelta(days=15)).isoformat()  # after NEWER
    (package / "data" / "xinjiang.json").write_text(json.dumps(release), encoding="utf-8")
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.setenv("KUAIJI_CACHE_DIR", str(cache))
    try:
        newer = PluginData("xinjiang", "newer_xinjiang")
        assert newer.origin == "bundled" and newer.updated == SHIPPED + dt.timedelta(days=15)
        original.reload()
        assert original.origin == "updated"  # the older release: the bundle is newer
    finally:
        PluginData._all["xinjiang"] = original
        monkeypatch.undo()
        original.reload()


# --- the whole set, atomically; a broken cache never stops kuaiji ---


def test_a_broken_cache_falls_back_to_bundled_data_and_says_how_to_reset(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    served = served_xinjiang(bundle, keys[1], tmp_path / "served", change=review_three_days)
    with respx.mock:
        serve(served)
        fetch(keys[2], cache)
    env = {"KUAIJI_NATIONAL_ONLY": "0", "KUAIJI_CACHE_DIR": str(cache)}
    args = ["precheck", str(EXAMPLES / "aygul-urumqi.json"), "--exam", "intermediate"]
    args += ["--year", "2024", "--at", "2024-06-27T18:00", "--json"]
    assert json.loads(kuaiji(*args, env=env).stdout)["verdict"] == "too_late"  # uses the update
    folder = cache / installed(cache)["current"]["folder"] / "xinjiang" / "xinjiang.json"
    breakages: list[Callable[[], None]] = [
        lambda: folder.write_text("{", encoding="utf-8"),  # changed by hand
        lambda: folder.unlink(),  # half deleted
        lambda: (cache / "state.json").write_text("garbage", encoding="utf-8"),
    ]
    for broken in breakages:
        broken()
        get_registry.cache_clear()  # a new process builds its own (in-process runs reuse it)
        result = kuaiji(*args, env=env)
        assert result.returncode == 1  # 1: not ready, as without a cache
        assert "已安装的规则数据未能使用" in result.stderr  # said, with the way out
        assert "kuaiji rules reset" in result.stderr and "Traceback" not in result.stderr
        assert json.loads(result.stdout)["verdict"] == "not_ready"  # the bundled data
        status = kuaiji("rules", "status", env=env)
        assert status.returncode == 0, status.stderr
        assert "规则缓存有问题" in status.stdout and "kuaiji rules reset" in status.stdout
    reset = kuaiji("rules", "reset", env=env)
    assert reset.returncode == 0 and "已删除" in reset.stdout
    assert "规则缓存有问题" not in kuaiji("rules", "status", env=env).stdout
    assert not [p for p in cache.iterdir() if p.name.startswith("install-")]
    with respx.mock:  # and an update repairs it
        serve(served)
        fetch(keys[2], cache)
    assert json.loads(kuaiji(*args, env=env).stdout)["verdict"] == "too_late"


def test_a_cache_planted_as_a_link_is_not_read(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with respx.mock:
        serve(served_xinjiang(bundle, keys[1], tmp_path / "served"))
        fetch(keys[2], cache)
    path = cache / installed(cache)["current"]["folder"] / "xinjiang" / "xinjiang.json"
    outside = tmp_path / "outside.json"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(DataError, match="私有的普通文件"):  # refused, not followed
        cached_documents("xinjiang", cache)


def test_data_for_plugins_not_installed_is_neither_fetched_nor_kept(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    served = copy_bundle(bundle, tmp_path / "served")
    bump(served, "xinjiang", "xinjiang.json")
    stranger = json.loads((served / "hunan" / "hunan.json").read_text(encoding="utf-8"))
    (served / "fujian").mkdir()
    stranger.update(plugin="fujian", updated=NEWER)
    (served / "fujian" / "fujian.json").write_text(json.dumps(stranger), encoding="utf-8")
    sign(served, keys[1])
    cache = tmp_path / "cache"
    with respx.mock:
        route = serve(served)
        result = fetch(keys[2], cache)
    asked = {call.request.url.path for call in route.calls}
    assert asked == {"/kuaiji/index.json", "/kuaiji/xinjiang/xinjiang.json"}
    assert result.ignored == ("fujian",) and result.installed == ("xinjiang",)
    assert not list(cache.rglob("fujian*"))


def test_three_updates_keep_only_the_current_and_previous_install(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    sizes = []
    for version in (1, 2, 3):
        served = copy_bundle(bundle, tmp_path / f"v{version}")
        bump(
            served,
            "xinjiang",
            "xinjiang.json",
            lambda d, v=version: d["schedules"][0].update(source=f"https://example.org/v{v}.html"),
        )
        bump(served, "national", "schedules.json")
        sign(served, keys[1], version)
        (tmp_path / "cache" / f".install-leftover{version}").mkdir(parents=True, exist_ok=True)
        with respx.mock:
            serve(served)
            assert fetch(keys[2], cache).version == version
        sizes.append(sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()))
    state = installed(cache)
    folders = sorted(p.name for p in cache.iterdir() if "install" in p.name)
    assert folders == sorted([state["current"]["folder"], state["previous"]["folder"]])
    assert sizes[2] <= sizes[1] * 1.05  # bounded: two installs, whatever the number of updates


def test_an_interrupted_install_leaves_the_previous_one_in_force(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    good_cache: tuple[Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache, before = good_cache
    served = served_xinjiang(
        bundle, keys[1], tmp_path / "next", version=6, change=review_three_days
    )

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundles, "_write_json", full_disk)
    with respx.mock, pytest.raises(OSError):
        serve(served)
        fetch(keys[2], cache)
    monkeypatch.undo()
    monkeypatch.setattr(clock, "now", lambda: NOW)
    assert installed(cache) == json.loads(before["state.json"])
    assert [d.updated.isoformat() for d in cached_documents("xinjiang", cache)] == [NEWER]
    with respx.mock:  # the next update removes what the interrupted one left
        serve(served)
        fetch(keys[2], cache)
    assert len([p for p in cache.iterdir() if "install" in p.name]) == 2


# --- keys: rotation, the environment, the project's own feed ---


def test_a_key_named_by_the_signed_index_may_sign_the_next_version(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    _, old, old_public = keys
    new = Ed25519PrivateKey.generate()
    new_public = signing.public_of(new).text
    cache = tmp_path / "cache"
    first = copy_bundle(bundle, tmp_path / "v1")
    bump(first, "xinjiang", "xinjiang.json")
    sign(first, old, 1, next_keys=(new_public,))
    second = copy_bundle(first, tmp_path / "v2")
    bump(second, "xinjiang", "xinjiang.json", review_three_days)
    sign(second, new, 2)  # names no next key: only the new key signs version 3
    third = copy_bundle(first, tmp_path / "v3")
    sign(third, old, 3)
    with respx.mock:
        serve(first)
        assert fetch(old_public, cache).version == 1
    with respx.mock:  # the old key given once is remembered for this feed, as is the next one
        serve(second)
        result = update(BASE + "index.json", policy=quick(), root=cache)
        assert result.version == 2 and result.keyid == signing.public_of(new).keyid
    with respx.mock:  # the old key is retired
        serve(third)
        with pytest.raises(BundleError, match="不是由受信任的密钥签名"):
            update(BASE + "index.json", policy=quick(), root=cache)
        with pytest.raises(BundleError, match="只接受它上次安装的版本所允许的密钥"):
            update(BASE + "index.json", trust=[old_public], policy=quick(), root=cache)


def test_a_trusted_key_cannot_take_over_the_project_feed(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A key trusted once with --trust signs feed "kuaiji" at a huge version: refused, and
    the project's real feed still installs afterwards."""
    _, key, public = keys
    hijack = copy_bundle(bundle, tmp_path / "hijack")
    bump(hijack, "xinjiang", "xinjiang.json", review_three_days)
    sign(hijack, key, 9007199254740000, feed="kuaiji")
    cache = tmp_path / "cache"
    refused = str(attempt(hijack, public, cache))
    assert "规则源 kuaiji" in refused and signing.public_of(key).keyid in refused
    assert not (cache / "state.json").exists()
    feed = ROOT / "rules"
    shipped = {k.keyid: k for k in signing.shipped_keys()}
    index = bundles.read_index((feed / "index.json").read_bytes(), shipped, {})
    monkeypatch.setattr(clock, "now", lambda: index.created + dt.timedelta(minutes=1))
    assert update(str(feed), trust=[public], root=cache).version == index.version


def test_a_feed_installed_from_one_key_is_not_updated_by_another_trusted_key(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    good_cache: tuple[Path, dict[str, bytes]],
) -> None:
    cache, before = good_cache  # feed "test", version 5, signed by the publisher's key
    other = Ed25519PrivateKey.generate()
    stranger = signing.public_of(other)
    served = served_xinjiang(bundle, other, tmp_path / "other", 6, review_three_days)
    with respx.mock:
        serve(served)
        with pytest.raises(BundleError) as caught:
            update(BASE + "index.json", trust=[keys[2], stranger.text], policy=quick(), root=cache)
    assert "规则源 test" in str(caught.value) and stranger.keyid in str(caught.value)
    assert snapshot(cache) == before


def test_keys_from_the_environment_are_trusted(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served = served_xinjiang(bundle, keys[1], tmp_path / "served")
    with respx.mock:
        serve(served)
        with pytest.raises(BundleError, match="KUAIJI_RULES_KEYS"):
            update(BASE + "index.json", policy=quick(), root=tmp_path / "a")
        monkeypatch.setenv("KUAIJI_RULES_KEYS", keys[2])
        assert update(BASE + "index.json", policy=quick(), root=tmp_path / "b").changed


def test_the_repository_rules_folder_is_a_feed_signed_by_the_shipped_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = ROOT / "rules"
    body = (feed / "index.json").read_bytes()
    shipped = {k.keyid: k for k in signing.shipped_keys()}
    index = bundles.read_index(body, shipped, {})
    assert index.feed == "kuaiji" and index.keyid in shipped
    for entry in index.entries:
        bundles.verify_file(entry, (feed / entry.path).read_bytes())
    # As on the day it was published (it expires: a release signs it again, docs/rules-feed.md).
    monkeypatch.setattr(clock, "now", lambda: index.created + dt.timedelta(minutes=1))
    env = {"KUAIJI_NATIONAL_ONLY": "0", "KUAIJI_CACHE_DIR": str(tmp_path / "cache")}
    result = kuaiji("rules", "update", "--from", str(feed), "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["version"] == index.version
    status = json.loads(kuaiji("rules", "status", "--json", env=env).stdout)
    assert status["feed"]["feed"] == "kuaiji" and status["feed"]["keyid"] == index.keyid
    assert status["problem"] is None
    human = kuaiji("rules", "status", env=env).stdout
    assert f"kuaiji 第 {index.version} 版" in human and index.keyid in human


# --- a real server on 127.0.0.1, a local folder ---


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/slow" or (
            self.path.startswith("/slowfiles/") and "index" not in self.path
        ):
            time.sleep(3)
        if self.path in ("/slow", "/fail"):
            self.send_response(200 if self.path == "/slow" else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def handle_one_request(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            super().handle_one_request()


@pytest.fixture
def server(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    served = copy_bundle(bundle, tmp_path / "www" / "bundle")
    bump(served, "xinjiang", "xinjiang.json", review_three_days)
    sign(served, keys[1])
    copy_bundle(served, tmp_path / "www" / "slowfiles")

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


def test_round_trip_publish_serve_update_precheck(
    server: tuple[str, Path], keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    base, _ = server
    env = {
        "KUAIJI_NATIONAL_ONLY": "0",
        "KUAIJI_CACHE_DIR": str(tmp_path / "cache"),
        "KUAIJI_ALLOW_HTTP_LOOPBACK": "1",
    }
    args = ["precheck", str(EXAMPLES / "aygul-urumqi.json"), "--exam", "intermediate"]
    args += ["--year", "2024", "--at", "2024-06-27T18:00", "--json"]
    before = json.loads(kuaiji(*args, env=env).stdout)
    assert before["verdict"] == "not_ready"  # apply by 06-28 12:00 (2 working days)

    url = f"{base}/bundle/index.json"
    untrusted = kuaiji("rules", "update", "--from", url, env=env)
    assert untrusted.returncode == 1 and "不是由受信任的密钥签名" in untrusted.stderr

    result = kuaiji("rules", "update", "--from", url, "--trust", keys[2], env=env)
    assert result.returncode == 0, result.stderr
    assert "xinjiang" in result.stdout and "第 1 版" in result.stdout

    status = json.loads(kuaiji("rules", "status", "--json", env=env).stdout)
    plugins = {s["plugin"]: s for s in status["plugins"]}
    assert plugins["xinjiang"]["origin"] == "updated" and plugins["xinjiang"]["updated"] == NEWER
    assert plugins["national"]["origin"] == "bundled"
    assert status["feed"]["version"] == 1 and status["feed"]["age_days"] == 0

    after = json.loads(kuaiji(*args, env=env).stdout)
    review = next(f for f in after["findings"] if f["rule"] == "review.provincial")
    assert review["deadline"] == "2024-06-27T12:00:00+08:00"  # 3 working days now
    assert after["verdict"] == "too_late"

    plain = kuaiji("rules", "update", "--from", url, env={**env, "KUAIJI_ALLOW_HTTP_LOOPBACK": "0"})
    assert plain.returncode == 2 and "https" in plain.stderr


def test_a_slow_server_is_cut_by_the_total_bound(
    server: tuple[str, Path], keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    base, _ = server
    policy = Policy(allow_http_loopback=True)
    began = time.perf_counter()
    with pytest.raises(BundleError, match=r"超过总时限 0\.5 秒"):
        update(
            f"{base}/slowfiles/index.json",
            trust=[keys[2]],
            policy=policy,
            root=tmp_path / "cache",
            total=0.5,
        )
    assert time.perf_counter() - began < 2
    assert not (tmp_path / "cache" / "state.json").exists()


def test_a_local_folder_is_a_source_and_its_text_never_reaches_the_terminal_raw(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    folder = served_xinjiang(bundle, keys[1], tmp_path / "usb\x1b[2J\x1b]0;owned\x07")
    env = {"KUAIJI_NATIONAL_ONLY": "0", "KUAIJI_CACHE_DIR": str(tmp_path / "cache")}
    result = kuaiji("rules", "update", "--from", str(folder), "--trust", keys[2], env=env)
    assert result.returncode == 0, result.stderr
    status = kuaiji("rules", "status", env=env)
    assert "usb" in status.stdout and "\x1b" not in status.stdout and "\x07" not in status.stdout


@pytest.mark.slow
def test_real_server_slow_and_failing_endpoints_are_bounded(server: tuple[str, Path]) -> None:
    import asyncio

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


@respx.mock
def test_bundle_files_are_fetched_beside_the_index_after_a_redirect(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    served = copy_bundle(bundle, tmp_path / "served")
    only(served, "tianjin")
    bump(served, "tianjin", "tianjin.json")
    sign(served, keys[1])
    respx.get("https://rules.test/latest/index.json").mock(
        return_value=httpx.Response(302, headers={"Location": "https://cdn.test/v7/index.json"})
    )
    respx.get("https://cdn.test/v7/index.json").mock(
        return_value=httpx.Response(200, content=(served / "index.json").read_bytes())
    )
    respx.get("https://cdn.test/v7/tianjin/tianjin.json").mock(
        return_value=httpx.Response(200, content=(served / "tianjin" / "tianjin.json").read_bytes())
    )
    result = update(
        "https://rules.test/latest/index.json",
        trust=[keys[2]],
        policy=Policy(attempts=1),
        root=tmp_path / "cache",
    )
    assert result.plugins == ("tianjin",)


def test_only_https_or_a_folder_is_accepted(tmp_path: Path) -> None:
    for url in ("http://rules.test/index.json", "javascript://alert(1)", "ftp://x/index.json"):
        with pytest.raises(BundleError) as caught:
            update(url, root=tmp_path / "cache")
        assert caught.value.usage
    with pytest.raises(BundleError, match="读不到"):
        update(str(tmp_path / "nowhere"), root=tmp_path / "cache")


def test_a_cache_folder_others_can_write_is_neither_used_nor_written(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with respx.mock:
        serve(served_xinjiang(bundle, keys[1], tmp_path / "served"))
        fetch(keys[2], cache)
        before = snapshot(cache)
        cache.chmod(0o777)  # as a shared folder would be
        with pytest.raises(BundleError, match="不是当前用户私有的"):
            fetch(keys[2], cache)
    assert snapshot(cache) == before
    with pytest.raises(DataError, match="私有"):
        cached_documents("xinjiang", cache)
    status = kuaiji("rules", "status", env={"KUAIJI_CACHE_DIR": str(cache)})
    assert status.returncode == 0 and "KUAIJI_CACHE_DIR" in status.stdout
    cache.chmod(0o700)


@pytest.mark.slow
def test_plugins_left_out_by_kuaiji_plugins_keep_their_data(
    bundle: Path, keys: tuple[Path, Ed25519PrivateKey, str], tmp_path: Path
) -> None:
    """A fresh process that loads only Hunan (KUAIJI_PLUGINS) still counts Xinjiang as
    installed: its newer data is installed, not dropped as a stranger's."""
    import subprocess

    from helpers import KUAIJI

    today = dt.datetime.now(
        dt.timezone(dt.timedelta(hours=8))
    ).date()  # the real one: a new process
    served = copy_bundle(bundle, tmp_path / "served")
    bump(served, "xinjiang", "xinjiang.json", updated=today.isoformat())
    sign(served, keys[1])
    public = tmp_path / "publisher.pub"
    public.write_text(keys[2] + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "KUAIJI_CACHE_DIR": str(tmp_path / "cache"),
        "KUAIJI_NATIONAL_ONLY": "0",
        "KUAIJI_PLUGINS": "hunan",
    }
    done = subprocess.run(
        [str(KUAIJI), "rules", "update", "--from", str(served), "--trust", str(public)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "xinjiang" in installed(tmp_path / "cache")["current"]["files"].__str__()
    assert "未安装的插件" not in done.stdout


def test_a_set_may_add_and_change_but_not_drop_a_region_the_release_ships() -> None:
    import copy

    from kuaiji.updates import checks

    shipped = PluginData.every()["national"].bundled
    docs = copy.deepcopy(list(shipped))
    for doc in docs:
        rows = doc.sections.get("jurisdictions", [])
        rows[:] = [j for j in rows if j["code"] != "11"]
    found = checks.problems("national", docs, shipped, NOW.date(), lambda *_: [])
    assert any("地区：11（北京市）" in p for p in found), found
    assert checks.problems("national", list(shipped), shipped, NOW.date(), lambda *_: []) == []


def test_provenance_says_when_installed_rules_are_expired_or_cannot_be_used(
    bundle: Path,
    keys: tuple[Path, Ed25519PrivateKey, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kuaiji.registry import provenance

    cache = tmp_path / "cache"
    served = served_xinjiang(bundle, keys[1], tmp_path / "served", change=review_three_days)
    with respx.mock:
        serve(served)
        fetch(keys[2], cache)  # expires 30 days after NOW
    monkeypatch.setenv("KUAIJI_CACHE_DIR", str(cache))
    rules = provenance._feed()
    assert rules and rules["feed"] == "test" and rules["version"] == 1
    assert rules["expired"] is False and rules["problem"] is None and rules["expires"]
    monkeypatch.setattr(clock, "now", lambda: NOW)
    long_lived = Registry()  # a service's: built before the expiry, asked after it
    assert long_lived.produced_by["rules"]["expired"] is False
    monkeypatch.setattr(clock, "now", lambda: NOW + dt.timedelta(days=31))
    assert (provenance._feed() or {})["expired"] is True
    assert long_lived.produced_by["rules"]["expired"] is True
    monkeypatch.setattr(clock, "now", lambda: NOW)
    for data in PluginData.every().values():  # what that registry loaded is read again below
        data.reload()
    path = cache / installed(cache)["current"]["folder"] / "xinjiang" / "xinjiang.json"
    path.write_text("{\x1b[2J", encoding="utf-8")  # changed by hand
    get_registry.cache_clear()
    env = {"KUAIJI_NATIONAL_ONLY": "0", "KUAIJI_CACHE_DIR": str(cache)}
    args = ["precheck", str(EXAMPLES / "aygul-urumqi.json"), "--exam", "intermediate"]
    result = kuaiji(*args, "--year", "2024", "--at", "2024-06-27T18:00", "--json", env=env)
    rules = json.loads(result.stdout)["produced_by"]["rules"]
    assert rules["feed"] == "test" and "未使用" in rules["problem"], rules
    (cache / "state.json").write_text("garbage", encoding="utf-8")
    rules = provenance._feed()
    assert rules and "state.json" in rules["problem"] and "feed" not in rules
    assert rules["expired"] is False
