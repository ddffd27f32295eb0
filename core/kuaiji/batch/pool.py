"""Running a batch: the worker pool, chunks in flight, results in input order."""

from __future__ import annotations

import collections
import concurrent.futures as cf
import csv
import io
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from kuaiji.batch.check import (
    check_chunk,
    fewer_collections,
    forget_answers,
    init_worker,
    lost_results,
    usual_collections,
)
from kuaiji.batch.inputs import Input, chunks, span_items
from kuaiji.batch.options import CHUNK, CSV_COLUMNS, Item, Options, Summary, Task
from kuaiji.batch.output import JSON_ASCII

GRACE = 5.0  # seconds a stopped batch's workers get to finish what they hold


def header(options: Options) -> str | None:
    """What starts the output: the CSV header row (after a BOM, for Excel), or (xlsx) the
    header cells as a JSON array."""
    if options.output == "xlsx":
        return JSON_ASCII.encode(list(CSV_COLUMNS))
    if options.output != "csv":
        return None
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(CSV_COLUMNS)
    return "\ufeff" + out.getvalue().removesuffix("\r\n")


def run(
    source: Input | Iterable[Item],
    options: Options,
    write: Callable[[str], None],
    *,
    jobs: int = 1,
    progress: Callable[[Summary], None] | None = None,
    registry: Any = None,
) -> Summary:
    """Check every item, in order, writing each result line as soon as its turn comes.
    Ctrl-C stops cleanly: the lines written so far are whole, and the summary says how far
    it got (``interrupted``)."""
    import time

    summary = Summary()
    if isinstance(source, Input):
        summary.input_notes = source.notes
    began = time.perf_counter()
    first = header(options)
    if first is not None:
        write(first + ("\r\n" if options.output == "csv" else "\n"))
    # Ctrl-C only raises a flag, checked between blocks: a block is never cut in the middle
    # of a write (a pipe write can be interrupted), and the summary always matches the output.
    # SIGTERM (a service manager stopping the batch) ends it the same way.
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        tasks = source.tasks(CHUNK) if isinstance(source, Input) else chunks(iter(source), CHUNK)
        for block, tally in _results(tasks, options, jobs, registry, stop):
            write(block)  # whole lines only: an interrupted run leaves a valid prefix
            summary.merge(tally)
            if progress is not None:
                summary.seconds = time.perf_counter() - began
                progress(summary)
            if stop.is_set():
                summary.interrupted = True
                break
    except (KeyboardInterrupt, _Stopped):
        summary.interrupted = True
    finally:
        for signum_, handler in previous.items():
            signal.signal(signum_, handler)
        forget_answers()  # what a one-process batch remembered (candidates' data) goes with it
    summary.seconds = time.perf_counter() - began
    return summary


def _results(
    tasks: Iterator[Task], options: Options, jobs: int, registry: Any, stop: threading.Event
) -> Iterator[tuple[str, Summary]]:
    """Each chunk's block and counts, in order. Once ``stop`` is set, what is already
    checked comes out and nothing more is awaited."""
    if jobs <= 1:
        from kuaiji.registry.manager import get_registry

        registry = registry or get_registry()
        # The command's own process (not a service's thread: the collector is the process's).
        main = threading.current_thread() is threading.main_thread()
        froze = main and fewer_collections()
        try:
            for task in tasks:
                yield check_chunk(task, options, registry, stop)
                if stop.is_set():
                    return
        finally:
            if froze:
                usual_collections()
        return
    env = {k: v for k, v in os.environ.items() if k.startswith("KUAIJI_")}
    pool = _pool(jobs, env)
    pending: collections.deque[tuple[Task, cf.Future[tuple[str, Summary]]]] = collections.deque()
    try:
        for task in tasks:
            pending.append((task, _submit(pool, task, options)))
            while pending and (len(pending) >= jobs * 3 or pending[0][1].done()):
                try:
                    yield _next(pending, stop)
                except BrokenProcessPool:
                    pool.shutdown(wait=False)
                    yield from _one_by_one(pending, options, env, stop)
                    pool = _pool(jobs, env)
        while pending:
            try:
                yield _next(pending, stop)
            except BrokenProcessPool:
                pool.shutdown(wait=False)
                yield from _one_by_one(pending, options, env, stop)
    finally:
        if pending:
            # Stopped early (Ctrl-C, SIGTERM, a failed write): no new task is sent; the workers
            # get a few seconds to finish what they hold (results dropped), then are ended.
            # Nothing is cancelled: the pool fails unfinished futures itself when a worker is
            # ended, and a cancelled one would race it (InvalidStateError from its thread).
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False)
            _end(processes, grace=GRACE)
            manager = getattr(pool, "_executor_manager_thread", None)
            if manager is not None:
                manager.join(timeout=GRACE)
        else:
            pool.shutdown(wait=True, cancel_futures=True)


class _Stopped(Exception):
    """Ctrl-C or SIGTERM while waiting for a worker's chunk."""


def _pool(jobs: int, env: dict[str, str]) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(max_workers=jobs, initializer=init_worker, initargs=(env,))


def _submit(
    pool: cf.ProcessPoolExecutor, task: Task, options: Options
) -> cf.Future[tuple[str, Summary]]:
    """The chunk sent to a worker; a pool a worker's death broke since the last look gives
    a future failed the same way, so that the chunk is checked again with the others."""
    try:
        return pool.submit(check_chunk, task, options)
    except BrokenProcessPool as exc:
        failed: cf.Future[tuple[str, Summary]] = cf.Future()
        failed.set_exception(exc)
        return failed


def _next(
    pending: collections.deque[tuple[Task, cf.Future[tuple[str, Summary]]]],
    stop: threading.Event,
) -> tuple[str, Summary]:
    """The oldest chunk's result, waiting in short steps so that a stop is seen at once.
    :class:`BrokenProcessPool` when a worker ended without an answer (the chunks in flight
    stay pending: :func:`_one_by_one` checks them again)."""
    while True:
        try:
            answer = pending[0][1].result(timeout=0.2)
        except cf.TimeoutError:
            if stop.is_set():
                raise _Stopped from None
            continue
        pending.popleft()
        return answer


def _one_by_one(
    pending: collections.deque[tuple[Task, cf.Future[tuple[str, Summary]]]],
    options: Options,
    env: dict[str, str],
    stop: threading.Event,
) -> Iterator[tuple[str, Summary]]:
    """A worker ended while the chunks in ``pending`` were in flight (a plugin ended the
    process, or got stuck in C code and the worker's timer ended it): every record of those
    chunks is checked again, one at a time, in a worker of its own pool, so that only a
    record that ends its worker again is lost (an ``error`` result saying so). Records in =
    records out."""
    tasks = [task for task, _ in pending]
    pending.clear()
    single = _pool(1, env)
    try:
        for task in tasks:
            items = span_items(task) if not isinstance(task, list) else task
            for item in items:
                if stop.is_set():
                    raise _Stopped
                future = _submit(single, [item], options)
                try:
                    yield _waited(future, stop)
                except BrokenProcessPool:
                    single.shutdown(wait=False)
                    yield lost_results([item], options)
                    single = _pool(1, env)
    finally:  # stopped or done: its worker ends now (a stuck one too), not at exit
        processes = list((getattr(single, "_processes", None) or {}).values())
        single.shutdown(wait=False, cancel_futures=True)
        _end(processes, grace=GRACE)


def _waited(future: cf.Future[tuple[str, Summary]], stop: threading.Event) -> tuple[str, Summary]:
    while True:
        try:
            return future.result(timeout=0.2)
        except cf.TimeoutError:
            if stop.is_set():
                raise _Stopped from None


def _end(processes: list[Any], grace: float) -> None:
    """Wait up to ``grace`` seconds in all for the workers to exit, then SIGTERM, then
    SIGKILL for one still alive a second later (a worker still starting has the parent's
    SIGTERM handler, which only sets a flag)."""
    import time

    deadline = time.monotonic() + grace
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=1)
        if process.is_alive():
            process.kill()
            process.join(timeout=1)
