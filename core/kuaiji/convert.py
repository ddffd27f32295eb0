"""The one cattrs converter for all (de)serialisation, and readable structuring errors.

Structuring is strict: a string is not a number, ``"false"`` is not a boolean, an unknown
field is refused. Errors name the JSON path and the expected form, e.g.
``education[0].level: expected one of high_school, secondary_vocational, …``.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import math
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from kuaiji.clock import SHANGHAI
from kuaiji.errors import InputError, Problem

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True)
# The same rules without detailed validation: generated code that runs about twice as fast.
# Valid documents (nearly all, in a batch) go through it; any failure is structured again
# by ``converter`` for its error paths.
_fast = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)


class _Expected(ValueError):
    """A value of the wrong form; the message says what form was expected."""


def _type_name(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "a whole number", float: "a decimal number"}
    names |= {list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _str(value: Any, cls: Any) -> Any:
    if cls is not str and issubclass(cls, enum.Enum):  # a str enum, not a StrEnum
        return _enum(value, cls)
    if not isinstance(value, str):
        raise _Expected(f"expected a string, got {_type_name(value)}")
    return value if cls is str else cls(value)


def _bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _Expected(f"expected true or false, got {_type_name(value)}")
    return value


def _int(value: Any, _: type) -> int:
    if type(value) is int:  # the common case first (bool is a subclass of int: refused below)
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Expected(f"expected a whole number, got {_type_name(value)}")
    return value


_FLOAT_INT = 2**1000  # integers below this convert to a float without overflow


def _float(value: Any, _: type) -> float:
    if type(value) is float and math.isfinite(value):  # the common cases first
        return value
    if type(value) is int and -_FLOAT_INT < value < _FLOAT_INT:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Expected(f"expected a number, got {_type_name(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise _Expected("expected a finite number") from None
    if not math.isfinite(number):
        raise _Expected("expected a finite number")
    return number


def _date(value: Any, _: type) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise _Expected(f"expected a date YYYY-MM-DD, got {_short(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Expected(f"expected a date YYYY-MM-DD, got {_short(value)}") from None


def _datetime(value: Any, _: type) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            # No offset: Beijing time, whatever the machine's time zone.
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=SHANGHAI)
    raise _Expected(f"expected an ISO 8601 time such as 2024-06-25T10:00, got {_short(value)}")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@functools.cache
def _members(cls: type[enum.Enum]) -> dict[Any, enum.Enum]:
    return {member.value: member for member in cls}


def _enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    """A member of the enum ``cls`` by its value (a dictionary lookup: the enum's own call
    is several times slower)."""
    try:
        return _members(cls)[value]
    except (KeyError, TypeError):  # TypeError: an unhashable value such as a list
        allowed = ", ".join(str(v) for v in _members(cls))
        raise _Expected(f"expected one of {allowed}, got {_short(value)}") from None


def _is_tuple(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple


def _configure(conv: cattrs.Converter) -> None:
    # cattrs dispatches on the class (singledispatch: str(value) would accept anything). A
    # StrEnum is a str too; registered on its own, it is the closer match for every enum.
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(enum.StrEnum, _enum)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(dt.datetime, _datetime)

    def list_hook(tp: Any) -> Callable[[Any, Any], Any]:
        """Lists must be JSON arrays: cattrs alone would iterate an object's keys."""
        if conv.detailed_validation:

            def structure(value: Any, cls: Any) -> Any:
                if not isinstance(value, list):
                    raise _Expected(f"expected a list, got {_type_name(value)}")
                return conv._structure_tuple(value, cls)

            return structure
        # The fast pass: the item hook looked up once, not per item.
        inner = typing.get_args(tp)[0]
        item = conv.get_structure_hook(inner)

        def fast(value: Any, cls: Any) -> Any:
            if not isinstance(value, list):
                raise _Expected(f"expected a list, got {_type_name(value)}")
            return tuple([item(v, inner) for v in value])

        return fast

    conv.register_structure_hook_factory(_is_tuple, list_hook)
    if not conv.detailed_validation:
        conv.register_structure_hook_factory(_is_optional, _optional_hook(conv))


def _is_optional(tp: Any) -> bool:
    args = typing.get_args(tp)
    return (
        typing.get_origin(tp) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


def _optional_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """``X | None`` with X's hook looked up once (cattrs looks it up on every value)."""

    def factory(tp: Any) -> Callable[[Any, Any], Any]:
        inner = next(a for a in typing.get_args(tp) if a is not type(None))
        if inner is str:  # the commonest optional field: checked here, without a second call

            def optional_str(value: Any, _: Any) -> Any:
                return value if value is None or type(value) is str else _str(value, str)

            return optional_str
        hook = conv.get_structure_hook(inner)

        def structure(value: Any, _: Any) -> Any:
            return None if value is None else hook(value, inner)

        return structure

    return factory


_configure(converter)
_configure(_fast)
converter.register_unstructure_hook(dt.date, lambda d: d.isoformat())
converter.register_unstructure_hook(dt.datetime, lambda d: d.isoformat(timespec="minutes"))


def _problems(exc: BaseException, path: str) -> Iterator[Problem]:
    """Walk a cattrs exception group and yield one Problem per leaf, with its JSON path."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without_notes = exc.group_exceptions()
        for inner, note in with_notes:
            name = getattr(note, "name", None)
            index = getattr(note, "index", None)
            if name is not None:
                child = f"{path}.{name}" if path else str(name)
            else:
                child = f"{path}[{index}]"
            if isinstance(inner, KeyError):
                yield Problem(child, "required field is missing", f"add {child!r}")
            else:
                yield from _problems(inner, child)
        for inner in without_notes:
            yield from _problems(inner, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            child = f"{path}.{key}" if path else key
            yield Problem(child, "unknown field", "remove it or check its spelling")
    elif isinstance(exc, _Expected):
        yield Problem(path, str(exc))
    elif isinstance(exc, TypeError) and path:
        # cattrs raises TypeError when an object is expected and something else is given.
        yield Problem(path, "expected an object (or a list where a list is asked for)")
    elif isinstance(exc, ValueError | TypeError | AttributeError):
        yield Problem(path, f"invalid value ({type(exc).__name__})")
    else:
        raise exc


def structure(data: Any, cls: type[T], *, source: str | None = None) -> T:
    """Structure ``data`` into ``cls``; raise :class:`InputError` naming every bad field."""
    if not isinstance(data, dict):
        raise InputError.single(
            "", f"expected a JSON object, got {_type_name(data)}", source=source
        )
    try:
        return _fast.structure(data, cls)
    except Exception:
        pass
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        raise InputError(list(_problems(exc, "")), source=source) from None


def unstructure(value: object) -> Any:
    return converter.unstructure(value)
