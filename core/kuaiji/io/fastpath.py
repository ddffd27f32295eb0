"""One pass from JSON text to a :class:`~kuaiji.model.candidate.Candidate`, for documents
already written in the canonical form (English values, ISO dates, a mobile number of 11
digits, an ID number in capitals): msgspec decodes, validates and builds the structs below
in C, and they become the same attrs objects the detailed path makes.

It answers only when it is sure to give the detailed path's answer
(:func:`kuaiji.io.convert.structure` after ``json.loads``); for anything else — another
spelling (本科, 是, 1992-3-5, +86…), a value to normalise, an error of any kind — it answers
``None`` and the caller takes the detailed path, which explains what is wrong exactly as
before. So each struct field accepts a subset of what the detailed path accepts, and gives
the same value for it:

- strings, booleans, enums by their values, ``YYYY-MM-DD`` dates: the same in both;
- integers only below 10^18 and numbers only up to 10^15 in size (the detailed path refuses
  larger integers; huge numbers are left to it), never ``NaN`` or ``Infinity`` (not JSON);
- ``phone`` only as 11 ASCII digits and ``id_number`` only as ASCII capitals and digits
  (what the detailed path would not change); a datetime is read by the detailed path's own
  hook;
- duplicate keys: the last one counts, as with ``json.loads``; unknown keys are refused.

The structs are made from the attrs classes themselves, so a field added to the model is
added here too; a type this module does not know makes the fast path refuse that class
(every document then takes the detailed path). ``tests/test_fastpath.py`` holds both paths
to the same answers.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any

import attrs
import msgspec

from kuaiji.model.candidate import Candidate

_INT = Annotated[int, msgspec.Meta(gt=-(10**18), lt=10**18)]  # convert._INT_MAX
_NUMBER = Annotated[float, msgspec.Meta(ge=-1e15, le=1e15)]
# ``\Z``, not ``$``: msgspec searches with Python's re, where ``$`` also matches before a final
# newline, and the detailed path strips it.
_SPECIAL: dict[tuple[type, str], Any] = {
    (Candidate, "phone"): Annotated[str, msgspec.Meta(pattern=r"^[0-9]{11}\Z")],
    (Candidate, "id_number"): Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Z]*\Z")],
}

Convert = Callable[[Any], Any]
Code = Callable[[str], str]  # the source of an expression converting the value at ``{v}``


class Unsupported(Exception):
    """A field type the fast path does not handle: its class always takes the slow path."""


def _field_type(tp: Any, names: dict[str, Any]) -> tuple[Any, Code | None]:
    """The struct field's type for the attrs field type ``tp``, and the code of what turns
    the decoded value into the attrs value (None: it is already the same), with the names
    that code uses added to ``names``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is str or tp is bool or tp is dt.date:
        return tp, None
    if tp is int:
        return _INT, None
    if tp is float:
        return _NUMBER, None
    if tp is dt.datetime:
        from kuaiji.io.convert import _datetime

        names["_datetime"], names["_dt"] = _datetime, dt.datetime
        return str, lambda v: f"_datetime({v}, _dt)"
    if isinstance(tp, type) and issubclass(tp, enum.StrEnum):
        return tp, None
    if attrs.has(tp):
        struct, build = _struct(tp)
        name = f"build_{tp.__name__}"
        if not name.isidentifier() or names.setdefault(name, build) is not build:
            raise Unsupported(f"a class named {tp.__name__!r} (or two of that name)")
        return struct, lambda v: f"{name}({v})"
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner, each = _field_type(next(a for a in args if a is not type(None)), names)
        if each is None:
            return inner | None, None
        return inner | None, lambda v: f"(None if {v} is None else {each(v)})"
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner, item = _field_type(args[0], names)
        if item is None:
            return tuple[inner, ...], None  # type: ignore[valid-type]
        return tuple[inner, ...], lambda v: f"tuple([{item('x')} for x in {v}])"  # type: ignore[valid-type]
    raise Unsupported(repr(tp))


@functools.cache
def _struct(cls: type) -> tuple[type, Convert]:
    """The msgspec struct mirroring the attrs class ``cls``, and the function that turns a
    decoded struct into an instance of ``cls``."""
    hints = typing.get_type_hints(cls)
    fields: list[tuple[Any, ...]] = []
    names: dict[str, Any] = {"cls": cls}
    args = []
    for field in attrs.fields(cls):
        tp, convert = _SPECIAL.get((cls, field.name)), None
        if tp is None:
            tp, convert = _field_type(hints[field.name], names)
        if field.default is attrs.NOTHING:
            fields.append((field.name, tp))
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            fields.append((field.name, tp, msgspec.field(default_factory=field.default.factory)))
        else:
            fields.append((field.name, tp, field.default))
        args.append(f"value.{field.name}" if convert is None else convert(f"value.{field.name}"))
    struct = msgspec.defstruct(
        f"{cls.__name__}Struct", fields, forbid_unknown_fields=True, kw_only=True
    )
    return struct, _builder(cls, args, names)


def _builder(cls: type, args: list[str], names: dict[str, Any]) -> Convert:
    """``build(value)``: ``cls(value.a, build_B(value.b), …)``, written out once as code
    (as attrs and cattrs write theirs), nested conversions inline: a generic loop over the
    fields cost several times the making of the objects."""
    code = f"def build(value):\n    return cls({', '.join(args)})\n"
    exec(compile(code, f"<kuaiji.io.fastpath: build {cls.__name__}>", "exec"), names)
    build: Convert = names["build"]
    return build


@functools.cache
def _decoder() -> tuple[msgspec.json.Decoder[Any], Convert] | None:
    try:
        struct, build = _struct(Candidate)
    except Unsupported:
        return None
    return msgspec.json.Decoder(struct), build


def candidate(text: str | bytes) -> Candidate | None:
    """The candidate in ``text`` (one JSON object) when it is in the canonical form, else
    None: then :func:`kuaiji.io.convert.structure` of ``json.loads(text)`` says what it is
    (an error, or another spelling it accepts)."""
    found = _decoder()
    if found is None:
        return None
    decoder, build = found
    try:
        result: Candidate = build(decoder.decode(text))
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError):
        return None
    return result


def candidate_from_json(value: Any) -> Candidate | None:
    """The candidate in ``value``, a JSON object as :func:`json.loads` made it (the
    service's request), when it is in the canonical form, else None, as :func:`candidate`:
    msgspec validates and builds it in C, and the caller takes the detailed path for
    anything else. Only for what ``json.loads`` made: a tuple given for a list, which the
    detailed path refuses, is taken here."""
    found = _decoder()
    if found is None or not isinstance(value, dict):
        return None
    decoder, build = found
    try:
        result: Candidate = build(msgspec.convert(value, decoder.type, strict=True))
    except (msgspec.ValidationError, ValueError, TypeError):
        return None
    return result
