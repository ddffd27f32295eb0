"""The user cache folder, and the small keyed caches that make a single command start fast.

Updated rules (:mod:`kuaiji.bundles`) live in ``cache_dir()``. Beside them, a few files
remember work that only changes when its sources change: the plugins' structured data, the
installed entry points, the photos already inspected, GB/T 2260. Each is stored with a key
made of the kuaiji version and the stat of its sources (size, modification and change times,
inode); a file whose key differs, or that cannot be read, is ignored and rebuilt. A cache
that cannot be written only costs time: nothing here is needed for a correct answer.

Entries are pickles, read back only from files that the current user owns and that nobody
else may write (as ssh treats its keys): a pickle runs code when loaded.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

ENV_CACHE = "KUAIJI_CACHE_DIR"  # where updated rules and caches live (tests use a temporary one)

Stamp = tuple[str, int, int, int, int] | tuple[str, None]


def cache_dir() -> Path:
    """The folder of updated rules: $KUAIJI_CACHE_DIR, else the user cache dir."""
    configured = os.environ.get(ENV_CACHE)
    if configured:
        return Path(configured)
    if sys.platform == "linux":
        # What platformdirs answers on Linux (the XDG base directory rule), without importing
        # it: its import costs a single command several milliseconds. A test checks they agree.
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
        return base / "kuaiji" / "rules"
    import platformdirs

    return Path(platformdirs.user_cache_dir("kuaiji", appauthor=False)) / "rules"


def stamp(path: str | os.PathLike[str]) -> Stamp:
    """What changes when ``path`` changes: its size, modification and change times (ns) and
    inode; ``(path, None)`` when it does not exist."""
    try:
        st = os.stat(path)  # noqa: PTH116 (one call, no Path object: start-up path)
    except OSError:
        return (str(path), None)
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _file(name: str) -> Path:
    return cache_dir() / f".{name}-py{sys.version_info[0]}{sys.version_info[1]}.pickle"


def load(name: str, key: object) -> Any | None:
    """The value stored under ``name`` if it was stored with ``key``; else None."""
    try:
        with _file(name).open("rb") as handle:
            if not _private(os.fstat(handle.fileno())):
                return None  # another user could have written it: not loaded
            stored_key, value = pickle.load(handle)
    except Exception:  # missing, unreadable, truncated, or from an incompatible version
        return None
    return value if stored_key == key else None


def _private(st: os.stat_result) -> bool:
    if not hasattr(os, "getuid"):  # Windows: the user's own profile folder
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def store(name: str, key: object, value: object) -> None:
    """Keep ``value`` under ``name`` with ``key`` (atomically; silently not if the cache
    folder cannot be written)."""
    tmp: Path | None = None
    try:
        path = _file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o600)
            pickle.dump((key, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except Exception:  # a read-only or full disk, an unpicklable value: it only costs time
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
