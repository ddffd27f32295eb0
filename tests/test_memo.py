"""Rules' answers remembered in a batch (kuaiji.registry.memo): reused for candidates whose
declared inputs are the same, and only while remembering pays (half of a rule's first calls
are hits: counted, never timed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from helpers import candidate
from kuaiji import candidate_from_dict
from kuaiji.commands.precheck import build_context
from kuaiji.model.context import Context
from kuaiji.registry import memo
from kuaiji.registry.manager import get_registry

AT = "2026-06-20T10:00:00+08:00"


def _contexts(count: int, *, same_record: bool, each: int = 1) -> list[Context]:
    """``count`` Beijing candidates in one situation: the same record (and national
    account) when ``same_record``, else a record of their own (another date) for each
    ``each`` candidates in a row."""
    registry = get_registry()
    base = build_context(
        candidate_from_dict(candidate()), exam="intermediate", year=2026, at=AT,
        registry=registry, read_photo=False,
    )  # fmt: skip
    contexts = []
    for n in range(count):
        record = base.candidate.collection
        if not same_record:
            days = dt.timedelta(days=n // each)
            record = attrs.evolve(record, updated=dt.date(2020, 1, 1) + days)
        people = attrs.evolve(base.candidate, name=f"考生{n}", collection=record)
        contexts.append(attrs.evolve(base, candidate=people))
    return contexts


def _counting(calls: list[int]) -> Any:
    @memo.reads("collection")
    def rule(ctx: Context) -> list[str]:
        calls.append(1)
        return [str(ctx.candidate.collection.status)]

    return rule


def _batch(rule: Any, contexts: list[Context]) -> tuple[list[Any], dict[Any, Any]]:
    """``rule``'s answers for ``contexts`` asked as a batch does, and the batch's store."""
    store: dict[Any, Any] = {}
    with memo.remembering(store):
        answers = [rule(ctx) for ctx in contexts]
    return answers, store


def test_a_rule_whose_inputs_repeat_is_answered_once_and_stays_remembered() -> None:
    calls: list[int] = []
    rule = _counting(calls)
    answers, store = _batch(rule, _contexts(memo.TRIAL + 100, same_record=True))
    assert len(calls) == 1  # every later candidate got the first one's answer
    assert store[rule] is True  # remembering pays: kept for the rest of the batch
    assert all(a == answers[0] for a in answers) and answers[0] is not answers[1]


def test_a_rule_whose_inputs_never_repeat_is_called_directly_after_the_trial() -> None:
    calls: list[int] = []
    rule = _counting(calls)
    store: dict[Any, Any] = {}
    contexts = _contexts(memo.TRIAL + 50, same_record=False)
    with memo.remembering(store):
        answers = [rule(ctx) for ctx in contexts]
        kept = sum(len(v) for k, v in store.items() if isinstance(v, dict))
        rule(contexts[0])  # asked again after the trial: answered anew, not looked up
    assert store[rule] is False
    assert len(calls) == len(contexts) + 1
    assert kept == memo.TRIAL  # nothing more was stored once remembering stopped paying
    assert answers == [rule.__wrapped__(ctx) for ctx in contexts]  # the same answers


@pytest.mark.parametrize(("each", "kept"), [(2, True), (3, True), (1, False)])
def test_whether_remembering_pays_is_counted_from_the_hits_of_the_trial(
    each: int, kept: bool
) -> None:
    """Each record shared by ``each`` candidates in a row: half the calls are hits (2), two
    thirds (3), none (1). Half or more keeps remembering; the choice is counted, not timed,
    so it is the same on any machine."""
    calls: list[int] = []
    rule = _counting(calls)
    contexts = _contexts(memo.TRIAL, same_record=False, each=each)
    answers, store = _batch(rule, contexts)
    assert store[rule] is kept
    assert len(calls) == -(-memo.TRIAL // each)  # one answer per distinct record
    assert answers == [rule.__wrapped__(ctx) for ctx in contexts]


def test_outside_a_batch_nothing_is_remembered() -> None:
    calls: list[int] = []
    rule = _counting(calls)
    for ctx in _contexts(3, same_record=True):
        rule(ctx)
    assert len(calls) == 3


def test_a_rule_that_reads_no_region_is_shared_by_every_region_with_the_same_schedule() -> None:
    """``reads(region=False)``: the counties of one chain share the rule's answer; a rule
    that may read the region is asked again in each county; another schedule or moment
    gets an answer of its own."""
    registry = get_registry()

    def context(region: str, at: str = AT) -> Context:
        people = candidate_from_dict(candidate(region=region))
        return build_context(
            people, exam="intermediate", year=2026, at=at, registry=registry, read_photo=False
        )

    beijing = [context(code) for code in ("110101", "110102", "110105", "110108")]
    assert (
        len({id(c.schedule) for c in beijing}) == 1 and len({c.region.code for c in beijing}) == 4
    )
    calls: dict[str, list[str]] = {"schedule": [], "region": []}

    @memo.reads(region=False)
    def by_schedule(ctx: Context) -> list[str]:
        calls["schedule"].append(ctx.region.code)
        return [str(ctx.schedule.registration_closes)]

    @memo.reads()
    def by_region(ctx: Context) -> list[str]:
        calls["region"].append(ctx.region.code)
        return [ctx.region.name]

    with memo.remembering():
        shared = [by_schedule(c) for c in beijing]
        named = [by_region(c) for c in beijing]
        by_schedule(context("440305"))  # Shenzhen: another chain, another schedule
        by_schedule(context("110101", "2026-06-21T10:00:00+08:00"))  # another moment
    assert calls["schedule"] == ["110101", "440305", "110101"]
    assert len(calls["region"]) == 4 and len({n[0] for n in named}) == 4
    assert all(answer == shared[0] for answer in shared)


def test_a_rule_may_read_one_field_of_a_record() -> None:
    """``reads("collection.status")``: records that differ only in another field (their
    date) share the answer; no record at all is told apart from a record whose field is
    None; a name that is not such a field is refused where the rule is declared."""
    calls: list[int] = []

    @memo.reads("collection.region")
    def held_where(ctx: Context) -> list[str]:
        calls.append(1)
        record = ctx.candidate.collection
        return ["none" if record is None else f"record in {record.region}"]

    contexts = _contexts(4, same_record=False)  # four dates, one region
    no_region = attrs.evolve(contexts[0].candidate.collection, region=None)
    unheld = [
        attrs.evolve(contexts[0], candidate=attrs.evolve(contexts[0].candidate, collection=c))
        for c in (no_region, None)
    ]
    with memo.remembering():
        answers = [held_where(ctx) for ctx in contexts + unheld]
    assert len(calls) == 3  # the four dates: one answer; then region None; then no record
    assert answers[-2:] == [["record in None"], ["none"]]
    for name in ("collection.nope", "education.level", "name.length", "nope"):
        with pytest.raises(ValueError, match="reads"):
            memo.reads(name)
