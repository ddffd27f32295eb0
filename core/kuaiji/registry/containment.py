"""Plugin code runs contained: bounded in time, and whatever it raises stays its own.

- **Time.** A watchdog thread (one per process, started on the first hook call) looks at
  the hook calls in progress every tenth of a second. A call over its budget gets
  :class:`HookTimeout` raised inside it (``PyThreadState_SetAsyncExc``: at the plugin's next
  Python instruction, in whichever thread runs it); in the main thread a signal also breaks
  a blocking sleep. A thread cannot be killed, so a plugin stuck inside C code ignores both:
  where the process may end (the CLI, a batch worker: :func:`exit_when_stuck`), it ends with
  a message naming the plugin after three budgets, rather than hanging.
- **Exceptions.** ``SystemExit``, ``KeyboardInterrupt`` and any other ``BaseException`` raised
  by plugin code are the plugin's failure, not the user's wish: only a Ctrl-C the user really
  pressed (a SIGINT received since the call began) stops the run.
- **Workers** end with the process that started them (:func:`die_with_parent`).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

TICK = 0.1  # seconds between the watchdog's looks
ENV_IMPORT_BUDGET = "KUAIJI_IMPORT_BUDGET"


def import_budget() -> float:
    """Seconds a plugin's import may take (``KUAIJI_IMPORT_BUDGET``, 60): far more than a
    hook's budget, since a cold import of a large library (numpy, pandas) on a busy machine
    takes seconds, and a plugin cut off in one process and not in another would answer
    differently in two workers of one batch."""
    return float(os.environ.get(ENV_IMPORT_BUDGET) or 60.0)


STUCK_BUDGETS = 3  # budgets after which a process allowed to end does so


class HookTimeout(BaseException):
    """Raised inside a hook call that ran over its budget (a BaseException, so that a
    plugin's ``except Exception`` does not swallow it)."""


class _Call:
    """A hook call in progress (a plain slotted class: made for every hook call)."""

    __slots__ = ("began", "budget", "fired", "hook", "plugin")

    def __init__(self, plugin: str, hook: str, began: float, budget: float) -> None:
        self.plugin = plugin
        self.hook = hook
        self.began = began
        self.budget = budget
        self.fired = 0


_lock = threading.Lock()
_calls: dict[int, _Call] = {}  # thread id → the hook call it runs
_watchdog: threading.Thread | None = None
_exit_when_stuck = False
_sigint_at = 0.0  # when the user's last Ctrl-C arrived (time.monotonic())
_signals_installed = False


def _forked() -> None:
    """In a child process: no watchdog runs there yet (threads do not survive a fork)."""
    global _watchdog, _lock
    _watchdog = None
    _lock = threading.Lock()
    _calls.clear()


os.register_at_fork(after_in_child=_forked)


def begin(plugin: str, hook: str, budget: float) -> float:
    """Note that this thread calls ``hook`` of ``plugin`` now; returns the start time."""
    began = time.monotonic()
    _calls[threading.get_ident()] = _Call(plugin, hook, began, budget)
    if _watchdog is None:
        _start()
    return began


def end() -> None:
    """Note that this thread's hook call is over (it returned or raised), and withdraw a
    timeout the watchdog sent that has not arrived yet. Idempotent.

    The watchdog sends only for a call older than its budget, under the lock: a call that
    ended sooner needs no lock (the common case, taken for every hook call)."""
    ident = threading.get_ident()
    call = _calls.pop(ident, None)
    if call is not None and time.monotonic() - call.began > call.budget:
        with _lock:  # wait for a send in progress, then withdraw what was sent
            if call.fired:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)


def run(
    plugin: str, what: str, budget: float, code: Callable[[], T]
) -> tuple[T | None, BaseException | None]:
    """Run a plugin's ``code`` (its import, one of its hooks) contained: its value and None,
    or None and what it raised (:class:`HookTimeout` once over ``budget``). Only a Ctrl-C
    the user really pressed goes on up."""
    began = begin(plugin, what, budget)
    try:
        try:
            return code(), None
        finally:
            end()
    except HookTimeout as exc:
        end()
        return None, exc
    except KeyboardInterrupt as exc:
        if user_interrupted(began):
            raise
        return None, exc
    except BaseException as exc:  # SystemExit, GeneratorExit…: the plugin's failure
        return None, exc


def user_interrupted(since: float) -> bool:
    """Whether the user pressed Ctrl-C (a real SIGINT) since ``since`` (monotonic)."""
    return _sigint_at >= since


def exit_when_stuck() -> None:
    """Let the watchdog end this process (exit status 3, a message on stderr) when a hook
    is stuck where no exception reaches it. For the CLI and batch workers, never a library
    user's process."""
    global _exit_when_stuck
    _exit_when_stuck = True


def die_with_parent() -> None:
    """Linux: this process gets SIGTERM when its parent ends (a batch worker must not
    outlive the batch, e.g. after the parent was killed). Elsewhere: nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent already ended before prctl
        os._exit(3)


def _start() -> None:
    global _watchdog
    with _lock:
        if _watchdog is not None:
            return
        _install_signals()
        _watchdog = threading.Thread(target=_watch, name="kuaiji-hook-watchdog", daemon=True)
        _watchdog.start()


def _install_signals() -> None:
    """In the main thread, and only where the program kept Python's defaults: note when a
    real Ctrl-C arrives (then raise KeyboardInterrupt as Python would), and let SIGALRM
    break a hook's blocking sleep."""
    global _signals_installed
    if _signals_installed or threading.current_thread() is not threading.main_thread():
        return
    _signals_installed = True
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)
    if signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGALRM, _on_alarm)


def _on_sigint(signum: int, frame: object) -> None:
    global _sigint_at
    _sigint_at = time.monotonic()
    raise KeyboardInterrupt


def _on_alarm(signum: int, frame: object) -> None:
    call = _calls.get(threading.main_thread().ident or 0)
    if call is not None and time.monotonic() - call.began > call.budget:
        raise HookTimeout


def _watch() -> None:
    main = threading.main_thread().ident
    while True:
        time.sleep(TICK)
        now = time.monotonic()
        with _lock:
            late = [
                (ident, call)
                for ident, call in list(_calls.items())  # a snapshot: end() pops unlocked
                if now - call.began > call.budget * (1 + call.fired)
            ]
            for ident, call in late:
                call.fired += 1
                if call.fired > STUCK_BUDGETS and _exit_when_stuck:
                    _stuck(call)
                if ident == main and signal.getsignal(signal.SIGALRM) is _on_alarm:
                    # The handler raises in the main thread, breaking a blocking sleep too.
                    signal.pthread_kill(ident, signal.SIGALRM)
                else:
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(ident), ctypes.py_object(HookTimeout)
                    )


def _stuck(call: _Call) -> None:
    seconds = time.monotonic() - call.began
    sys.stderr.write(
        f"kuaiji：插件 {call.plugin!r} 的 {call.hook} 已运行 {seconds:.0f} 秒仍未返回，"
        "无法中断，程序退出。请联系该插件的维护者，或用 KUAIJI_PLUGINS 排除该插件后重试。\n"
    )
    sys.stderr.flush()
    os._exit(3)
