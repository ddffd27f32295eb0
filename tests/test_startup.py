"""The start-up caches (kuaiji.io.cache): what they keep, when they are ignored, and what a
warm single precheck no longer imports. The timings themselves are in benchmarks/run.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kuaiji.io import cache, photo
from kuaiji.registry import data
from kuaiji.registry import manager as plugins
from kuaiji.registry.data import PluginData

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_CACHE, str(folder))
    return folder


def test_a_value_comes_back_only_with_its_key(own_cache: Path) -> None:
    cache.store("thing", ("v1", 3), {"a": (1, 2)})
    assert cache.load("thing", ("v1", 3)) == {"a": (1, 2)}
    assert cache.load("thing", ("v1", 4)) is None
    assert cache.load("other", ("v1", 3)) is None


def test_a_cache_file_that_others_may_write_is_not_loaded(own_cache: Path) -> None:
    cache.store("thing", "k", [1])
    (entry,) = (own_cache / ".startup").glob("thing-*.pickle")
    assert entry.stat().st_mode & 0o777 == 0o600
    entry.chmod(0o666)
    assert cache.load("thing", "k") is None
    entry.chmod(0o600)
    assert cache.load("thing", "k") == [1]
    (own_cache / ".startup").chmod(0o777)  # a folder others may write to: nothing trusted
    assert cache.load("thing", "k") is None
    cache.store("thing", "k", [2])
    (own_cache / ".startup").chmod(0o700)
    assert cache.load("thing", "k") == [1]  # nothing was written either


def test_a_symbolic_link_is_neither_read_nor_written_through(
    own_cache: Path, tmp_path: Path
) -> None:
    """A link planted in the cache folder could point at any file the user owns."""
    cache.store("thing", "k", [1])
    (entry,) = (own_cache / ".startup").glob("thing-*.pickle")
    elsewhere = tmp_path / "elsewhere.pickle"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert cache.load("thing", "k") is None
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    entry.unlink()
    entry.symlink_to(victim)
    cache.store("thing", "k", [2])  # replaces the link itself, never writes through it
    assert victim.read_text() == "keep me"
    assert not entry.is_symlink() and cache.load("thing", "k") == [2]


def test_a_damaged_cache_file_is_ignored_and_replaced(own_cache: Path) -> None:
    cache.store("thing", "k", [1])
    (entry,) = (own_cache / ".startup").glob("thing-*.pickle")
    entry.write_bytes(b"\x80\x05not a pickle")
    entry.chmod(0o600)
    assert cache.load("thing", "k") is None
    cache.store("thing", "k", [2])
    assert cache.load("thing", "k") == [2]


def test_a_cache_that_cannot_be_written_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.ENV_CACHE, str(blocker / "cache"))
    cache.store("thing", "k", [1])  # no exception
    assert cache.load("thing", "k") is None


@pytest.mark.skipif(sys.platform != "linux", reason="the hand-written rule is Linux's only")
@pytest.mark.parametrize("xdg", [None, "/srv/cache-home", "relative/cache", "", "  ", " /srv/x"])
def test_the_cache_folder_is_where_platformdirs_puts_it(
    xdg: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.delenv(cache.ENV_CACHE)
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    expected = Path(platformdirs.user_cache_dir("kuaiji", appauthor=False))
    assert cache.cache_dir() == expected / "rules"
    assert cache.startup_dir() == expected / "startup"  # beside the rules, not among them


def _plugin_package(root: Path, name: str) -> Path:
    """A data-only plugin package ``kuaiji_<name>`` under ``root``, importable."""
    package = root / f"kuaiji_{name}"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    shutil.copy(
        ROOT / "plugins" / "tianjin" / "kuaiji_tianjin" / "data" / "tianjin.json",
        package / "data" / f"{name}.json",
    )
    document = json.loads((package / "data" / f"{name}.json").read_text(encoding="utf-8"))
    document["plugin"] = name
    (package / "data" / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    return package / "data" / f"{name}.json"


def test_plugin_data_comes_from_the_snapshot_until_a_file_changes(
    own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = _plugin_package(tmp_path / "site", "snaptest")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    first = PluginData("snaptest", "kuaiji_snaptest")
    assert [j.name for j in first.jurisdictions] == ["天津市"]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the files were parsed again")

    with monkeypatch.context() as patched:
        patched.setattr(data, "load_records", refuse)
        again = PluginData("snaptest", "kuaiji_snaptest")
        assert again.jurisdictions == first.jurisdictions
        assert again.origin == "bundled" and again.updated == first.updated

    document = json.loads(file.read_text(encoding="utf-8"))
    document["jurisdictions"][0]["name"] = "天津市（改）"
    file.write_text(json.dumps(document), encoding="utf-8")
    changed = PluginData("snaptest", "kuaiji_snaptest")
    assert [j.name for j in changed.jurisdictions] == ["天津市（改）"]


def test_a_photo_is_decoded_once_until_the_file_changes(
    own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "me.jpg")

    def forget() -> None:  # what a new process starts with
        photo._inspect.cache_clear()
        photo._inspect_resolved.cache_clear()
        photo._remembered.cache_clear()
        monkeypatch.setattr(photo, "_stored", [0])

    forget()
    first = photo.inspect("me.jpg", tmp_path)

    def refuse(*args: object) -> None:
        raise AssertionError("decoded again")

    forget()
    with monkeypatch.context() as patched:
        patched.setattr(photo, "_decode", refuse)
        assert photo.inspect("me.jpg", tmp_path) == first

    Image.new("RGB", (300, 420), "white").save(tmp_path / "me.jpg", quality=95)
    forget()
    changed = photo.inspect("me.jpg", tmp_path)
    assert (changed.width, changed.height) == (300, 420) != (first.width, first.height)
    # The photo's path (often the candidate's name) is not written to the cache.
    (stored,) = (own_cache / ".startup").glob("photos-*.pickle")
    assert str(tmp_path).encode() not in stored.read_bytes()
    assert b"me.jpg" not in stored.read_bytes()


def test_data_named_in_a_subfolder_is_watched_too(
    own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = _plugin_package(tmp_path / "site", "subtest")
    (file.parent / "2026").mkdir()
    file = file.rename(file.parent / "2026" / file.name)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    named = (f"2026/{file.name}",)
    assert [j.name for j in PluginData("subtest", "kuaiji_subtest", named).jurisdictions] == [
        "天津市"
    ]
    document = json.loads(file.read_text(encoding="utf-8"))
    document["jurisdictions"][0]["name"] = "天津"
    file.write_text(json.dumps(document), encoding="utf-8")
    assert [j.name for j in PluginData("subtest", "kuaiji_subtest", named).jurisdictions] == [
        "天津"
    ]


def test_entry_points_are_read_again_when_a_folder_on_the_path_changes(
    own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib import metadata

    reads = []
    real = metadata.entry_points

    def counting(**kwargs: str) -> metadata.EntryPoints:
        reads.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(metadata, "entry_points", counting)
    first = plugins._installed()
    assert plugins._installed() == first and len(reads) == 1

    (tmp_path / "site").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert plugins._installed() == first and len(reads) == 2  # read again
    dist = tmp_path / "site" / "kuaiji_new-1.0.dist-info"
    dist.mkdir()  # something was installed
    plugins._installed()
    assert len(reads) == 3
    (dist / "entry_points.txt").write_text("[kuaiji]\n")  # its metadata rewritten in place
    plugins._installed()
    assert len(reads) == 4
    (tmp_path / "site" / "results.jsonl").write_text("{}")  # other files do not matter
    plugins._installed()
    assert len(reads) == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [("json:dumps", json.dumps), ("json", json), ("json : dumps [speed]", json.dumps)],
)
def test_an_entry_point_value_names_what_importlib_metadata_would_load(
    value: str, expected: object
) -> None:
    from importlib import metadata

    assert plugins._load(value) is expected
    assert metadata.EntryPoint("x", value, "kuaiji").load() is expected


SHOW_MODULES = """
import sys
sys.argv = ["kuaiji", "precheck", sys.argv[1], "--exam", "intermediate", "--year", "2026",
            "--at", "2026-06-20T10:00", "--json"]
from kuaiji_cli.main import main
try:
    main()
except SystemExit:
    pass
print()
print(" ".join(sorted(sys.modules)))
"""


@pytest.mark.slow
def test_a_warm_single_precheck_reads_no_metadata_photo_or_data_file(own_cache: Path) -> None:
    """The second run of the same command finds its plugins, data and photo in the cache:
    Pillow, importlib.metadata, importlib.resources and platformdirs are not imported, and
    the verdict is the same."""
    env = {**os.environ, cache.ENV_CACHE: str(own_cache)}
    env.pop("KUAIJI_TRACE", None)
    runs = [
        subprocess.run(
            [sys.executable, "-c", SHOW_MODULES, str(EXAMPLES / "wang-fang.json")],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    (cold_report, cold_modules), (warm_report, warm_modules) = (
        run.rsplit("\n\n", 1) for run in runs
    )
    assert json.loads(warm_report) == json.loads(cold_report)
    assert "PIL" in cold_modules.split()
    warm = set(warm_modules.split())
    assert not warm & {"PIL", "importlib.metadata", "importlib.resources", "platformdirs"}
