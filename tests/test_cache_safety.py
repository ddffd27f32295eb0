"""Caches nobody else can feed (#18): a start-up entry is loaded only from folders no other
user can change, only if this user's kuaiji wrote it (its HMAC), and never read past a bound."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from kuaiji.io import cache

ROOT = os.getuid() == 0 if hasattr(os, "getuid") else False


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_CACHE, str(folder))
    return folder


class Boom:
    """A pickle that runs code when it is loaded."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, ("import pathlib; pathlib.Path(__import__('os').environ['PWNED']).touch()",))


def test_a_planted_pickle_is_never_unpickled(
    own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.store("thing", "k", [1])
    (entry,) = (own_cache / ".startup").glob("thing-*.pickle")
    pwned = tmp_path / "pwned"
    monkeypatch.setenv("PWNED", str(pwned))
    entry.write_bytes(pickle.dumps(("k", Boom())))  # same owner and mode, no valid HMAC
    assert cache.load("thing", "k") is None
    assert not pwned.exists()
    entry.write_bytes(b"\0" * 32 + pickle.dumps(("k", Boom())))  # a MAC-sized prefix
    assert cache.load("thing", "k") is None
    assert not pwned.exists()


def test_entries_stay_valid_and_the_key_is_private(own_cache: Path) -> None:
    cache.store("thing", "k", {"a": 1})
    assert cache.load("thing", "k") == {"a": 1}
    key = own_cache / ".startup" / ".key"
    assert key.stat().st_mode & 0o777 == 0o600 and key.stat().st_size == 32
    key.write_bytes(os.urandom(32))  # another key: earlier entries no longer verify
    assert cache.load("thing", "k") is None


def test_a_link_on_the_way_made_by_someone_else_is_not_trusted(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    assert cache.trusted_folder(str(real))
    assert not cache.trusted_folder(str(link))  # the folder itself may not be a link
    (real / "inner").mkdir(mode=0o700)
    assert cache.trusted_folder(str(link / "inner"))  # the user's own link above it
    if ROOT:
        os.lchown(link, 12345, 12345)
        assert not cache.trusted_folder(str(link / "inner"))


def test_a_folder_others_may_write_anywhere_above_is_not_trusted(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    mine = shared / "mine"
    mine.mkdir(mode=0o700)
    assert cache.trusted_folder(str(mine))
    shared.chmod(0o777)  # others could rename "mine" and put their own folder there
    assert not cache.trusted_folder(str(mine))
    shared.chmod(0o1777 if ROOT else 0o755)
    if ROOT:
        os.chown(shared, 0, 0)
        assert cache.trusted_folder(str(mine))  # root's sticky folder, like /tmp


@pytest.mark.skipif(not ROOT, reason="needs root to make a file another user owns")
def test_another_users_entry_or_folder_is_not_loaded(own_cache: Path) -> None:
    cache.store("thing", "k", [1])
    (entry,) = (own_cache / ".startup").glob("thing-*.pickle")
    os.chown(entry, 12345, 12345)
    assert cache.load("thing", "k") is None
    os.chown(entry, 0, 0)
    assert cache.load("thing", "k") == [1]
    os.chown(own_cache / ".startup", 12345, 12345)
    assert cache.load("thing", "k") is None


def test_a_huge_sparse_file_is_not_read(own_cache: Path) -> None:
    cache.store("thing", "k", [1])
    (entry,) = (own_cache / ".startup").glob("thing-*.pickle")
    with entry.open("r+b") as handle:
        handle.truncate(4 * 1024**3)  # 4 GB, sparse
    assert cache.read_private(entry, cache.MAX_ENTRY_BYTES) is None
    assert cache.load("thing", "k") is None


def test_a_fifo_is_not_opened_for_reading(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir(mode=0o700)
    fifo = folder / "entry"
    os.mkfifo(fifo, 0o600)
    assert cache.read_private(fifo, 1024) is None  # returns at once, nothing blocks
