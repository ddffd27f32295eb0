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
(:func:`trusted_folder`) every folder on the way to it, checked without following symbolic
links, belongs to the current user or root and nobody else may write to it (a sticky folder
such as ``/tmp`` excepted, above the user's own), the file itself is the user's, private and
not a link, its size is bounded before it is read, and its bytes carry an HMAC made with a
per-user secret key (``.key``, 0600, in the same private folder): a file nobody but this user
could have written. Entries are written through a new private temporary file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
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


MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a start-up entry is a few MB at most
_MAC = hashlib.sha256().digest_size


def _private(st: os.stat_result) -> bool:
    """Owned by the current user and writable by nobody else."""
    if not hasattr(os, "getuid"):  # Windows: the user's own profile folder
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def trusted_folder(folder: str) -> bool:
    """Whether nobody but the current user (or root) can change what is in ``folder``: it
    and every folder above it, looked at without following links, belong to the user or root
    and are writable by nobody else (a root-owned sticky folder such as ``/tmp`` may be
    writable by all: others cannot rename what is in it). A link on the way counts only when
    the user or root made it, and then its target is checked the same way. ``folder`` itself
    must be the user's and private. A few ``lstat`` calls: checked at every use."""
    if not hasattr(os, "getuid"):
        return True
    uid = os.getuid()
    path = os.path.abspath(folder)  # noqa: PTH100
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode) or not _private(st):
        return False
    return _trusted_above(os.path.dirname(path), uid, 0)  # noqa: PTH120


def _trusted_above(path: str, uid: int, depth: int) -> bool:
    while True:
        try:
            st = os.lstat(path)
        except OSError:
            return False
        if st.st_uid not in (uid, 0):
            return False
        if stat.S_ISLNK(st.st_mode):
            if depth > 8:
                return False
            target = os.path.join(os.path.dirname(path), os.readlink(path))  # noqa: PTH115, PTH118, PTH120
            return _trusted_above(os.path.normpath(target), uid, depth + 1)
        sticky_root = st.st_uid == 0 and st.st_mode & stat.S_ISVTX
        if st.st_mode & 0o022 and not sticky_root:
            return False
        parent = os.path.dirname(path)  # noqa: PTH120
        if parent == path:
            return True
        path = parent


def read_private(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of the current user's, writable by
    nobody else, not a link, in a trusted folder, and at most ``limit`` bytes (checked before
    reading); else None."""
    if not trusted_folder(str(path.parent)):
        return None
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode) or not _private(st) or st.st_size > limit:
            return None
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None


def _secret() -> bytes | None:
    """This user's key for the start-up entries (made on first use, 0600)."""
    path = startup_dir() / ".key"
    found = read_private(path, 64)
    if found is not None and len(found) == 32:
        return found
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not trusted_folder(str(path.parent)):
            return None
        fd = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
    except FileExistsError:  # another process made it just now, or it is not ours
        found = read_private(path, 64)
        return found if found is not None and len(found) == 32 else None
    except OSError:
        return None
    key = os.urandom(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def load(name: str, key: object) -> Any | None:
    """The value stored under ``name`` if it was stored with ``key``; else None."""
    data = read_private(_file(name), MAX_ENTRY_BYTES)
    secret = _secret() if data is not None else None
    if data is None or secret is None or len(data) < _MAC:
        return None
    mac, body = data[:_MAC], data[_MAC:]
    if not hmac.compare_digest(mac, hmac.new(secret, body, hashlib.sha256).digest()):
        return None  # not written by this user's kuaiji: never unpickled
    try:
        stored_key, value = pickle.loads(body)
    except Exception:  # truncated, or from an incompatible version
        return None
    return value if stored_key == key else None


def store(name: str, key: object, value: object) -> None:
    """Keep ``value`` under ``name`` with ``key`` (atomically; silently not if the folder
    cannot be written or is not trusted)."""
    import tempfile  # only when something is stored: its import is not cheap

    path = _file(name)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = _secret()
        if secret is None:
            return
        body = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        if len(body) + _MAC > MAX_ENTRY_BYTES:
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
    except Exception:  # an unwritable folder, an unpicklable value: it only costs time
        return
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp: a new file, mode 0600
            handle.write(hmac.new(secret, body, hashlib.sha256).digest() + body)
        Path(tmp).replace(path)
    except Exception:  # a full disk: it only costs time
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # noqa: PTH108
