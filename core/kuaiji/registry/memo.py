"""Rules' answers remembered during a batch, for candidates in the same situation.

A rule declares the candidate fields it reads (:func:`reads`, in ``kuaiji.plugin`` for plugin
authors). While a batch is checked (:func:`remembering`), its answer for one candidate is
reused for every later candidate of the same *situation* with the same values in those
fields. The situation is everything a context holds besides the candidate: the region and
the region holding the record, the exam, its year and the moment (so the schedule and the
platforms too). A remembered answer is handed out as a new list each time: a caller may
add to it. When a rule names ``photo``, the facts the core read from the photo file
are part of the key as well as the field.

Remembering costs a lookup on every call (1–3 µs, about what most national rules take to
answer), which pays only for a rule whose inputs repeat (a cohort of one company, one
county). So the memo counts the hits of a rule's first :data:`TRIAL` calls in a batch; it
keeps remembering the rule only if at least half of them were hits, and otherwise calls it
directly for the rest of the batch. Counted, not timed: the same choice on every machine,
busy or not, and under valgrind, so that a benchmark's instruction counts repeat. The
answers are the same either way; only the time differs.

Outside :func:`remembering` (a single precheck, the library, the service) nothing is
remembered: the rule is simply called. Answers are kept as tuples of frozen records, shared
between candidates; a value that cannot be a key (a list given where the model has a tuple)
only means that call is not remembered. A rule that reads a field it did not declare would
get another candidate's answer, and so would a caller that hands a rule a context changed
in place of the situation (``attrs.evolve(ctx, schedule=…)``: pass on the context you
received). ``tests/test_batch_equivalence.py`` compares every batch
answer with a precheck made without remembering, on generated candidates of every kind.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import operator
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import attrs

from kuaiji.model.candidate import Candidate
from kuaiji.model.context import Context

Rule = TypeVar("Rule", bound=Callable[[Context], Sequence[Any]])

LIMIT = 3_000  # situations remembered at once; beyond, the store starts again empty

_STORE: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "kuaiji_memo", default=None
)
_FIELDS = {f.name: f for f in attrs.fields(Candidate)}
_NO_RECORD = object()  # what a narrowed field is when the candidate has no such record


def _getter(fields: tuple[str, ...]) -> Callable[[Candidate], Any]:
    """What the memo keys a rule's answer by: the declared fields' values. A name is a
    candidate field (``collection``) or one field of the record it holds
    (``collection.status``, when that record is an attrs class)."""
    if not fields:
        return lambda candidate: None
    if all("." not in name for name in fields):
        unknown = sorted(set(fields) - set(_FIELDS))
        if unknown:
            raise ValueError(f"reads(): not fields of a candidate: {', '.join(unknown)}")
        return operator.attrgetter(*fields)
    parts = [_part(name) for name in fields]
    if len(parts) == 1:
        return parts[0]
    return lambda candidate: tuple([part(candidate) for part in parts])


def _part(name: str) -> Callable[[Candidate], Any]:
    field, _, inner = name.partition(".")
    if field not in _FIELDS:
        raise ValueError(f"reads(): not a field of a candidate: {field}")
    if not inner:
        return operator.attrgetter(field)
    held = _record_class(field)
    if held is None or inner not in attrs.fields_dict(held):
        raise ValueError(f"reads(): {name} is not a field of the record {field} holds")
    get = operator.attrgetter(inner)
    return lambda candidate: (
        _NO_RECORD if (record := getattr(candidate, field)) is None else get(record)
    )


def _record_class(field: str) -> type | None:
    """The attrs class a candidate field holds, alone or None (``Collection | None`` →
    Collection); None for anything else (a tuple of records, a string)."""
    hint = typing.get_type_hints(Candidate)[field]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        hint = options[0] if len(options) == 1 else None
    return hint if isinstance(hint, type) and attrs.has(hint) else None


def reads(*fields: str, region: bool = True) -> Callable[[Rule], Rule]:
    """Declare that a rule's answer (a list of records) depends only on the situation
    (region, record region, exam, year, moment) and on these fields of the candidate, so
    that a batch may reuse it::

        @reads("collection")
        def collection_required(ctx: Context) -> list[Finding]: ...

    ``reads()`` with no field: the answer depends on the situation alone.

    ``region=False``: the rule reads nothing of ``ctx.region`` or ``ctx.record_region``
    (no name, platform, contact or code), only the region's merged ``ctx.schedule``, the
    exam, the year and the moment: its answers are then shared by every region with the
    same schedule, not only by one county's candidates::

        @reads(region=False)
        def schedule_window(ctx: Context) -> list[Finding]: ...

    A field may be narrowed to one field of the record it holds, ``"collection.status"``:
    candidates whose records differ only elsewhere (another date) then share the answer. A
    candidate without that record (``collection`` None) is told apart from one whose record
    has None there."""
    getter = _getter(fields)
    photo = any(name.split(".")[0] == "photo" for name in fields)
    situation = _situation if region else _schedule_situation

    def decorate(rule: Rule) -> Rule:
        @functools.wraps(rule)
        def remembered(ctx: Context) -> Sequence[Any]:
            store = _STORE.get()
            if store is None:
                return rule(ctx)
            trial = store.get(remembered)  # None, then a _Trial; then True or False
            if trial is False:  # remembering this rule does not pay in this batch
                return rule(ctx)
            answers = situation(store, ctx)
            key = (remembered, getter(ctx.candidate), ctx.photo if photo else None)
            try:
                answer = answers[key]
            except KeyError:
                answer = None  # answered below, outside the handler
            except TypeError:  # an unhashable value: not remembered
                return rule(ctx)
            hit = answer is not None
            if not hit:
                answer = answers[key] = tuple(rule(ctx))  # a generator is read once, here
            if trial is not True:
                _count(store, remembered, trial, hit)
            return list(answer)  # a list of its own, as the rule gives

        remembered.reads = fields  # type: ignore[attr-defined]
        return remembered  # type: ignore[return-value]

    return decorate


TRIAL = 200  # calls of a rule in a batch after which the memo decides whether it pays


class _Trial:
    """How remembering a rule has done so far in a batch: its calls and its hits."""

    __slots__ = ("calls", "hits")

    def __init__(self) -> None:
        self.calls = self.hits = 0


def _count(store: Store, rule: object, trial: _Trial | None, hit: bool) -> None:
    """Count a call of ``rule`` on trial; after :data:`TRIAL` calls, keep remembering it
    (its trial is dropped) only if at least half of them were hits, else call it directly
    for the rest of the batch (the answers are the same either way)."""
    if trial is None:
        trial = store[rule] = _Trial()
    trial.calls += 1
    trial.hits += hit
    if trial.calls >= TRIAL:
        store[rule] = trial.hits * 2 >= trial.calls


Store = dict[Any, Any]


def _situation(store: Store, ctx: Context) -> Store:
    """The answers remembered for ``ctx``'s situation. The last context asked about is held
    with its answers, so that the rules of one candidate look the situation up once."""
    last = store.get(_LAST)
    if last is not None and last[0] is ctx:
        remembered: Store = last[1]
        return remembered
    held = ctx.record_region
    situation = (
        ctx.region.code, None if held is None else held.code, ctx.level, ctx.year, ctx.at
    )  # fmt: skip
    answers: Store | None = store.get(situation)
    if answers is None:
        if len(store) >= LIMIT:  # situations, each with its rules' answers
            store.clear()
        answers = store[situation] = {}
    store[_LAST] = (ctx, answers)
    return answers


def _schedule_situation(store: Store, ctx: Context) -> Store:
    """The answers remembered for ``ctx``'s schedule, exam, year and moment (rules declared
    with ``region=False``). A region's schedule is one object shared by the regions of a
    chain (:func:`kuaiji.registry.schedules.schedule_view`), so it is known by its identity;
    the store holds it, so that its identity is not reused while its answers are kept."""
    last = store.get(_LAST_SCHEDULE)
    if last is not None and last[0] is ctx:
        remembered: Store = last[1]
        return remembered
    schedule = ctx.schedule
    situation = (_LAST_SCHEDULE, id(schedule), ctx.level, ctx.year, ctx.at)
    answers: Store | None = store.get(situation)
    if answers is None or answers[_LAST_SCHEDULE] is not schedule:
        if len(store) >= LIMIT:
            store.clear()
        answers = store[situation] = {_LAST_SCHEDULE: schedule}
    store[_LAST_SCHEDULE] = (ctx, answers)
    return answers


_LAST = object()  # the key of the last context and its answers in a store
_LAST_SCHEDULE = object()  # the same for rules that read the schedule, not the region


@contextlib.contextmanager
def remembering(store: dict[Any, Any] | None = None) -> Iterator[None]:
    """Remember rules' answers inside this block (a batch), in ``store`` if given (a worker
    keeps one across its chunks of the same batch), else in a new one."""
    token = _STORE.set({} if store is None else store)
    try:
        yield
    finally:
        _STORE.reset(token)
