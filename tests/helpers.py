"""What the test files share: paths, a valid candidate, a precheck at a Beijing time, and the
`kuaiji` command, run in this process (fast: what almost every test wants) or as a real
process (for what only a process shows: the machine's time zone, pipes, signals, start-up).

Test files import from here, never from one another (and never from conftest.py, which holds
the fixtures and the options).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import importlib
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kuaiji import Report, candidate_from_dict, precheck
from kuaiji.model.clock import SHANGHAI
from kuaiji.registry.manager import Registry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

BASE: dict[str, Any] = {
    "name": "王芳",
    "id_number": "110105199003072346",
    "phone": "13800138000",
    "region": "110105",
    "national_account": {"registered": True, "real_name_verified": True},
    "photo": {"path": "wang.jpg"},
    "education": [{"mode": "full_time", "level": "bachelor", "graduated": "2012-07-01"}],
    "work": {"status": "accounting", "accounting_since": "2012-08-01"},
    "collection": {"status": "approved", "region": "110105"},
}


def bj(text: str) -> dt.datetime:
    """A Beijing time written 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def candidate(**changes: Any) -> dict[str, Any]:
    """A valid Beijing candidate with ``changes`` applied (None removes a key)."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def run(
    data: dict[str, Any],
    registry: Registry,
    folder: Path,
    *,
    exam: str = "intermediate",
    year: int = 2026,
    at: str = "2026-06-20 10:00",
) -> Report:
    return precheck(
        candidate_from_dict(data),
        exam=exam,
        year=year,
        at=bj(at),
        base_dir=folder,
        registry=registry,
    )


def rules(report: Report, severity: str | None = None) -> set[str]:
    return {f.rule for f in report.findings if severity is None or f.severity.value == severity}


def examples(full: int) -> int:
    """``full`` hypothesis examples in the full run (``--slow`` or CI), the same share of them
    as the active profile's ``max_examples`` is of hypothesis's 100 otherwise."""
    from hypothesis import settings

    return max(1, full * settings.default.max_examples // 100)


# --- the kuaiji command ---

KUAIJI = shutil.which("kuaiji", path=str(Path(sys.executable).parent)) or shutil.which("kuaiji")


@dataclass(frozen=True)
class Ran:
    """What a run of the command left: as :class:`subprocess.CompletedProcess` names it."""

    returncode: int
    stdout: str
    stderr: str


# Read by the registry when it is built, once per process (kuaiji.registry.manager.get_registry).
_REGISTRY_ENV = (
    "KUAIJI_PLUGINS",
    "KUAIJI_NATIONAL_ONLY",
    "KUAIJI_HOOK_BUDGET",
    "KUAIJI_TRACE",
    "KUAIJI_CACHE_DIR",
)


@dataclass
class _Left:
    """The registry the last in-process run left cached, and what it was built under."""

    key: tuple[object, ...]
    registry: Registry | None


_LEFT: list[_Left] = []


def _key() -> tuple[object, ...]:
    return (*(os.environ.get(name) for name in _REGISTRY_ENV), tuple(sys.path))


def _cached_registry() -> Registry | None:
    from kuaiji.registry.manager import get_registry

    return get_registry.built()


def _reload_data() -> None:
    """Forget every plugin's loaded data: the next use reads the current cache folder."""
    from kuaiji.registry.data import PluginData

    for data in PluginData.every().values():
        data.reload()


@contextlib.contextmanager
def _as_a_new_process(env: Mapping[str, str | None], cwd: Path | str | None) -> Iterator[None]:
    """Run the body as a fresh `kuaiji` process would see the world: ``env`` set (a None
    value unsets), ``PYTHONPATH`` in front of ``sys.path``, ``cwd`` the current folder, and
    no registry or plugin data built under another environment. Everything is put back."""
    from kuaiji.registry.manager import get_registry

    ambient_cache = os.environ.get("KUAIJI_CACHE_DIR")
    saved_env = {name: os.environ.get(name) for name in env}
    saved_path = list(sys.path)
    saved_cwd = Path.cwd()
    extra = [p for p in (env.get("PYTHONPATH") or "").split(os.pathsep) if p]
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if extra:
        sys.path[:0] = extra
        importlib.invalidate_caches()
    if cwd is not None:
        os.chdir(cwd)
    key = _key()
    cached = _cached_registry()
    left = _LEFT[0] if _LEFT else None
    if cached is not None and (
        left is None
        or left.key != key
        or left.registry is not cached
        or os.environ.get("KUAIJI_TRACE", "") not in ("", "0")  # traces the start too
    ):
        get_registry.cache_clear()
    cache_dir = os.environ.get("KUAIJI_CACHE_DIR")
    if cache_dir != ambient_cache:
        _reload_data()
    try:
        yield
    finally:
        _LEFT[:] = [_Left(key, _cached_registry())]
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if extra:  # modules found there, and the registry that loaded them, go too
            for name, module in list(sys.modules.items()):
                file = getattr(module, "__file__", None) or ""
                if any(file.startswith(folder) for folder in extra):
                    del sys.modules[name]
            importlib.invalidate_caches()
            get_registry.cache_clear()
        if cache_dir != ambient_cache:
            _reload_data()


def forget_cli_registry() -> None:
    """After a test: the registry an in-process run built under its own environment is not
    left for the code of the next test, which expects the one this process would build."""
    if not _LEFT:
        return
    from kuaiji.registry.manager import get_registry

    left = _LEFT.pop()
    if left.registry is not None and left.key != _key() and _cached_registry() is left.registry:
        get_registry.cache_clear()


def _runner() -> Any:
    """click >= 8.2 keeps stderr apart by itself; 8.1 does when asked (mix_stderr=False)."""
    import inspect

    from click.testing import CliRunner

    if "mix_stderr" in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


def kuaiji(
    *args: str,
    stdin: str | bytes | None = None,
    env: Mapping[str, str | None] | None = None,
    cwd: Path | str | None = None,
) -> Ran:
    """Run ``kuaiji ARGS`` in this process (click's CliRunner), as if it were a new one: the
    national baseline alone unless ``env`` says otherwise (``KUAIJI_NATIONAL_ONLY``), exit
    code, stdout and stderr apart; an exception that escapes prints its traceback on stderr,
    as the real command would. The machine's time zone is read once per process: a test
    about it uses :func:`kuaiji_process`."""
    from kuaiji_cli.main import main

    full_env = {"KUAIJI_NATIONAL_ONLY": "1", **(env or {})}
    assert "TZ" not in full_env, "the time zone is per process: use kuaiji_process()"
    with _as_a_new_process(full_env, cwd):
        result = _runner().invoke(main, list(args), input=stdin, prog_name="kuaiji")
    stderr = result.stderr
    if result.exc_info is not None and not isinstance(result.exc_info[1], SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Ran(result.exit_code, result.stdout, stderr)


def kuaiji_process(
    *args: str,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run the installed `kuaiji` console script as a real process (mark the test slow)."""
    assert KUAIJI, "the kuaiji console script is not installed"
    full_env = {**os.environ, "KUAIJI_NATIONAL_ONLY": "1", **(env or {})}
    return subprocess.run(
        [KUAIJI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
    )


def free_port() -> int:
    """A loopback port nobody listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(app: Any) -> Iterator[int]:
    """``app`` served by a real uvicorn in a thread of this process (so a test may patch what
    the server reads), on a free loopback port; stopped after."""
    import threading
    import time

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def api_request(**changes: Any) -> dict[str, Any]:
    """A ``POST /v1/precheck`` body: a ready Beijing candidate without a photo, 2026 中级 at
    2026-06-20 10:00; ``changes`` replace its top-level keys."""
    body: dict[str, Any] = {
        "candidate": candidate(photo=None),
        "exam": "中级",
        "year": 2026,
        "at": "2026-06-20 10:00",
    }
    body.update(changes)
    return body
