"""The one-pass decoder (kuaiji.io.fastpath) answers only what the detailed path answers.

For every document, ``fastpath.candidate(text)`` is either None (the caller takes the
detailed path) or exactly the candidate ``structure(json.loads(text))`` makes. Checked on
generated candidates, on every value a field may take in people's spellings, and on
hostile values; and it must answer for the canonical form (else it buys nothing).
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import records
from helpers import BASE
from kuaiji.errors import InputError
from kuaiji.io import fastpath
from kuaiji.io.convert import structure
from kuaiji.model.candidate import Candidate


def _detailed(text: str) -> Candidate | None:
    try:
        return structure(json.loads(text), Candidate)
    except (InputError, ValueError, RecursionError):
        return None


def _agrees(text: str) -> Candidate | None:
    """The text's fast answer, when it agrees with the detailed path's; the service's entry
    (the JSON value ``json.loads`` made of a request) must agree too, and answer the same."""
    fast = fastpath.candidate(text)
    if fast is not None:
        assert fast == _detailed(text), text[:300]
        assert type(fast.education) is tuple and type(fast.continuing_education) is tuple
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return fast
    from_value = fastpath.candidate_from_json(value)
    if from_value is not None:
        assert from_value == _detailed(text), text[:300]
        assert type(from_value.education) is tuple
    return fast


def test_generated_candidates_take_the_fast_path_with_the_same_answer() -> None:
    lines = list(records(2000, seed=11))
    answered = [line for line in lines if _agrees(line) is not None]
    valid = [line for line in lines if _detailed(line) is not None]
    assert len(answered) == len(valid) > 1900  # every valid canonical line is answered


# Values that the detailed path accepts, refuses, or normalises, for the fields they go in.
VALUES: dict[tuple[str, ...], list[Any]] = {
    ("phone",): [
        "13800138000",
        "+8613800138000",
        "138 0013 8000",
        "１３８００１３８０００",
        "010-1234567",
        "",
        13800138000,
        None,
        "1380013800x",
        "13800138000\n",
        "\n13800138000",
    ],
    ("id_number",): [
        "110105199003072346",
        "11010519900307234x",
        " 110105199003072346",
        "H12345678",
        "h12345678",
        "",
        110105199003072346,
        "ＡＢＣ",
        "E1234567(8)",
        "110105199003072346\n",
    ],
    ("name",): ["王芳", "", " 王芳 ", 1, None, "\x00", ["王芳"]],
    ("region",): ["110105", "北京", 110105, ""],
    ("id_type",): ["resident_id", "身份证", "RESIDENT_ID", None, 1],
    ("gender",): ["female", "女", None, "F", True],
    ("birth_date",): ["1990-03-07", "1990-3-7", "1990/03/07", "19900307", "1990-02-30", None, 1990],
    ("foreign",): [True, False, "是", 1, 0, None, "true"],
    ("education", 0, "graduated"): ["2012-07-01", "2012-7-1", "2012年7月1日", None, "2012-13-01"],
    ("education", 0, "level"): ["bachelor", "本科", "Bachelor", None, 3],
    ("work", "social_security_months"): [12, 12.0, "12", True, 10**18, 10**18 - 1, -5, None, 2**70],
    ("continuing_education",): [
        [{"year": 2025, "professional": 60, "public": 30}],
        [{"year": 2025, "professional": 59.5}],
        [{"year": 2025, "professional": 1e20}],
        [{"year": 2025, "professional": 2**80}],
        [{"year": "2025"}],
        {"year": 2025},
    ],
    ("provincial_review",): [
        {"status": "applied", "applied": "2026-03-01T10:00:00+08:00"},
        {"status": "applied", "applied": "2026-03-01 10:00"},
        {"status": "applied", "applied": "2026-03-01T10:00:00Z"},
        {"status": "applied", "applied": "yesterday"},
        {"applied": None},
    ],
    ("national_account",): [{"registered": True}, {"registered": "是"}, {}, None, [], {"x": 1}],
    ("photo",): [
        {"path": "a.jpg"},
        {"size_bytes": 20000, "width": 300, "height": 420, "format": "jpeg"},
    ],
    ("qualifications",): [[{"kind": "economics", "level": "intermediate"}], [{"kind": "经济"}], []],
    ("unknown_field",): [1],
}


def _with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"), [(path, value) for path, values in VALUES.items() for value in values]
)
def test_every_spelling_or_wrong_value_gets_the_detailed_paths_answer(
    path: tuple[str | int, ...], value: Any
) -> None:
    _agrees(json.dumps(_with(path, value), ensure_ascii=False))


def test_the_canonical_form_is_answered_fast() -> None:
    assert _agrees(json.dumps(BASE)) is not None
    assert _agrees(json.dumps(_with(("phone",), "+8613800138000"))) is None  # normalised: slow
    assert fastpath.candidate_from_json(json.loads(json.dumps(BASE))) is not None  # the service's
    assert fastpath.candidate_from_json(_with(("phone",), "+8613800138000")) is None


def test_the_services_entry_takes_only_what_json_makes() -> None:
    """A tuple where JSON has a list is refused by the detailed path; the service's entry is
    only given what ``json.loads`` made, and answers None for what is not an object."""
    assert fastpath.candidate_from_json([BASE]) is None
    assert fastpath.candidate_from_json(None) is None
    assert fastpath.candidate_from_json({**BASE, "unknown": 1}) is None


@pytest.mark.parametrize(
    "text",
    [
        '{"name": NaN}',
        '{"name": "王芳", "name": "李四", "id_number": "110105199003072346", "phone": "13800138000", "region": "110105"}',
        '{"name": "\\ud800", "id_number": "1", "phone": "13800138000", "region": "110105"}',
        "\ufeff{}",
        "[" * 3000 + "]" * 3000,
        '{"name": "a", "id_number": "1", "phone": "13800138000", "region": "1"} trailing',
        "",
    ],
)
def test_hostile_text_gets_the_detailed_paths_answer(text: str) -> None:
    _agrees(text)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(list(VALUES)),
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=12),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=6,
    ),
)
def test_any_json_value_in_any_field_agrees(path: tuple[str | int, ...], value: Any) -> None:
    _agrees(json.dumps(_with(path, value), ensure_ascii=False))


def test_random_mutations_of_generated_lines_agree() -> None:
    rng = random.Random(5)
    lines = list(records(300, seed=5))
    for line in lines:
        for _ in range(3):
            cut = rng.randrange(len(line))
            _agrees(line[:cut] + rng.choice(['"', "1", "}", ",", " ", "x", "null"]) + line[cut:])
