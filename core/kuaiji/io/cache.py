"""The user cache folder, and the small keyed caches that make a single command start fast.

Updated rules (:mod:`kuaiji.updates.bundles`) live in ``cache_dir()``. Apart from them, in
``startup_dir()``, a few files remember work that only changes when its sources change: the
plugins' structured data, the installed entry points, the photos already inspected, GB/T 2260.
Each is stored with a key made of the kuaiji and Python versions, the stat of the code that
made it and the stat of its sources (size, modification and change times, inode); a file
whose key differs, or that cannot be read, is ignored and rebuilt. A cache that cannot be
written only costs time: nothing here is needed for a correct answer, and deleting
``startup_dir()`` is always safe.

Entries are pickles, and a pickle runs code when it is loaded. So an entry is read only when
the folder and the file both belong to the current user, nobody else may write to either, and
the file is not a symbolic link; entries are written through a new private temporary file.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import stat
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
    return _user_cache() / "rules"


def startup_dir() -> Path:
    """The folder of the start-up caches: ``$KUAIJI_CACHE_DIR/.startup``, else beside the
    rules in the user cache dir (never inside a plugin's rules folder)."""
    configured = os.environ.get(ENV_CACHE)
    if configured:
        return Path(configured) / ".startup"
    return _user_cache() / "startup"


def _user_cache() -> Path:
    if sys.platform == "linux":
        # What platformdirs answers on Linux (the XDG base directory rule), without importing
        # it: its import costs a single command several milliseconds. A test checks they agree.
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        return (Path(xdg) if Path(xdg).is_absolute() else Path.home() / ".cache") / "kuaiji"
    import platformdirs

    return Path(platformdirs.user_cache_dir("kuaiji", appauthor=False))


def stamp(path: str | os.PathLike[str]) -> Stamp:
    """What changes when ``path`` changes: its size, modification and change times (ns) and
    inode; ``(path, None)`` when it does not exist."""
    try:
        st = os.stat(path)  # noqa: PTH116 (one call, no Path object: start-up path)
    except OSError:
        return (str(path), None)
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


_CODE: tuple[object, ...] | None = None


def code() -> tuple[object, ...]:
    """The part of a key that changes with the code: the kuaiji and Python versions and the
    stat of every module of the kuaiji package. No module is named, so moving, adding or
    renaming one cannot silently stop an entry from being invalidated. Taken once per
    process (about 60 stats)."""
    global _CODE
    if _CODE is None:
        from kuaiji._version import __version__

        modules: list[str] = []
        package = Path(__file__).parents[1]  # the whole kuaiji package, not this folder
        for folder, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            modules.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))  # noqa: PTH118
        _CODE = (__version__, sys.version, *(stamp(m) for m in modules))
    return _CODE


def _file(name: str) -> Path:
    """One file per cache, Python version and environment (two venvs sharing the folder do
    not take turns overwriting each other's entries)."""
    import zlib

    env = zlib.crc32(sys.prefix.encode("utf-8", "surrogateescape"))
    return startup_dir() / f"{name}-py{sys.version_info[0]}{sys.version_info[1]}-{env:08x}.pickle"


def _private(st: os.stat_result) -> bool:
    """Owned by the current user and writable by nobody else."""
    if not hasattr(os, "getuid"):  # Windows: the user's own profile folder
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def load(name: str, key: object) -> Any | None:
    """The value stored under ``name`` if it was stored with ``key``; else None."""
    path = _file(name)
    try:
        if not _private(os.stat(path.parent)):  # noqa: PTH116
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(st):
                return None  # another user could have written it: not loaded
            stored_key, value = pickle.load(handle)
    except Exception:  # unreadable, truncated, or from an incompatible version
        return None
    return value if stored_key == key else None


def store(name: str, key: object, value: object) -> None:
    """Keep ``value`` under ``name`` with ``key`` (atomically; silently not if the folder
    cannot be written or is not private)."""
    import tempfile  # only when something is stored: its import is not cheap

    path = _file(name)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(path.parent)):  # noqa: PTH116
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp: a new file, mode 0600
            pickle.dump((key, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp).replace(path)
    except Exception:  # a full disk, an unpicklable value: it only costs time
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # noqa: PTH108
