"""Loading a plugin's data files: one loader for the core and every plugin.

A plugin keeps the facts that change every year in JSON files under ``<package>/data/``.
Each file is an object::

    {"format": 1, "plugin": "guangdong", "updated": "2026-11-23",
     "jurisdictions": [...], "schedules": [...], "<other section>": [...]}

Moments are written in Beijing time as ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``
(see :mod:`kuaiji.clock`). Every jurisdiction, platform, event and fact names its
``source``. ``docs/writing-a-plugin.md`` describes the format in full.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any, ClassVar, TypeVar

import attrs

from kuaiji.clock import parse_data_moment
from kuaiji.convert import structure
from kuaiji.errors import DataError, InputError
from kuaiji.records import Contact, Jurisdiction, Schedule

FORMAT = 1
T = TypeVar("T")


def _moments(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """Turn the ``opens`` / ``closes`` strings of an event or alternative into datetimes."""
    out = dict(raw)
    for key, end in (("opens", False), ("closes", True)):
        value = out.get(key)
        if isinstance(value, str):
            try:
                out[key] = parse_data_moment(value, end=end)
            except ValueError as exc:
                raise DataError(f"{where}.{key}: {exc}") from None
    return out


def _events(raw_schedule: dict[str, Any], where: str) -> dict[str, Any]:
    out = dict(raw_schedule)
    events = []
    for i, raw_event in enumerate(out.get("events", [])):
        if not isinstance(raw_event, dict):
            raise DataError(f"{where}.events[{i}]: expected an object")
        event = _moments(raw_event, f"{where}.events[{i}]")
        event["alternatives"] = [
            _moments(alt, f"{where}.events[{i}].alternatives[{j}]")
            if isinstance(alt, dict)
            else alt
            for j, alt in enumerate(event.get("alternatives", []))
        ]
        event["region"] = out.get("region", "")
        events.append(event)
    out["events"] = events
    return out


@attrs.frozen
class DataDocument:
    """One loaded data file: its metadata and its raw sections."""

    name: str
    plugin: str
    updated: dt.date
    sections: dict[str, list[Any]]
    origin: str = "bundled"  # "bundled" with the plugin, or "updated" from a rules bundle


def parse_document(text: str | bytes, name: str, *, origin: str = "bundled") -> DataDocument:
    """Parse and check the envelope of a data file (not yet its records)."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise DataError(f"{name}: not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise DataError(f"{name}: expected a JSON object")
    if raw.get("format") != FORMAT:
        raise DataError(f"{name}: 'format' must be {FORMAT}, got {raw.get('format')!r}")
    plugin = raw.get("plugin")
    if not isinstance(plugin, str) or not plugin:
        raise DataError(f"{name}: 'plugin' must name the plugin")
    try:
        updated = dt.date.fromisoformat(str(raw.get("updated")))
    except ValueError:
        raise DataError(f"{name}: 'updated' must be a date YYYY-MM-DD") from None
    sections = {k: v for k, v in raw.items() if k not in {"format", "plugin", "updated"}}
    for key, value in sections.items():
        if not isinstance(value, list):
            raise DataError(f"{name}: section {key!r} must be a list")
    return DataDocument(name, plugin, updated, sections, origin)


def load_records(
    document: DataDocument,
    section: str,
    cls: type[T],
    prepare: Callable[[dict[str, Any], str], dict[str, Any]] | None = None,
) -> tuple[T, ...]:
    """Structure one section of a document into records, naming the entry on error."""
    records = []
    for i, raw in enumerate(document.sections.get(section, [])):
        where = f"{document.name}: {section}[{i}]"
        if not isinstance(raw, dict):
            raise DataError(f"{where}: expected an object")
        if prepare is not None:
            raw = prepare(raw, where)
        try:
            records.append(structure(raw, cls))
        except InputError as exc:
            details = "; ".join(str(p) for p in exc.problems)
            raise DataError(f"{where}: {details}") from None
    return tuple(records)


SECTIONS = ("jurisdictions", "schedules", "contacts")  # what a data file may hold


def validate_documents(docs: Sequence[DataDocument]) -> None:
    """Structure every record of every section, as the plugins will: DataError if any fails."""
    for doc in docs:
        unknown = sorted(set(doc.sections) - set(SECTIONS))
        if unknown:
            raise DataError(f"{doc.name}: unknown section(s) {', '.join(unknown)}")
        load_records(doc, "jurisdictions", Jurisdiction)
        load_records(doc, "schedules", Schedule, _events)
        load_records(doc, "contacts", Contact)


class PluginData:
    """A plugin's data, loaded once on first use.

    ``PluginData("guangdong", "kuaiji_guangdong")`` reads ``kuaiji_guangdong/data/*.json``.
    A valid rules bundle in the cache (:mod:`kuaiji.bundles`) that is newer than these files
    replaces them, for this plugin only.
    """

    _all: ClassVar[dict[str, PluginData]] = {}  # every instance, by name (export, status)

    def __init__(self, plugin: str, package: str, files: tuple[str, ...] | None = None) -> None:
        self.plugin = plugin
        self.package = package
        self._files = files
        self.problem: str | None = None  # why an updated bundle was not used, if it was not
        PluginData._all[plugin] = self

    @classmethod
    def every(cls) -> dict[str, PluginData]:
        return dict(cls._all)

    @functools.cached_property
    def bundled(self) -> tuple[DataDocument, ...]:
        """The data files shipped inside the plugin package."""
        folder = resources.files(self.package).joinpath("data")
        names = self._files or tuple(
            sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))
        )
        docs = []
        for name in names:
            text = folder.joinpath(name).read_bytes()
            doc = parse_document(text, f"{self.package}/data/{name}")
            if doc.plugin != self.plugin:
                raise DataError(f"{doc.name}: 'plugin' is {doc.plugin!r}, expected {self.plugin!r}")
            docs.append(doc)
        return tuple(docs)

    @functools.cached_property
    def documents(self) -> tuple[DataDocument, ...]:
        """The bundled files, or the cached update when it is newer and valid."""
        from kuaiji import bundles

        bundled = self.bundled
        try:
            cached = bundles.cached_documents(self.plugin)
            if cached and _newest(cached) > _newest(bundled):
                validate_documents(cached)
                return cached
        except DataError as exc:
            self.problem = f"updated rules not used: {exc}"
        return bundled

    @property
    def origin(self) -> str:
        docs = self.documents
        return docs[0].origin if docs else "bundled"

    @property
    def updated(self) -> dt.date | None:
        return max((d.updated for d in self.documents), default=None)

    def reload(self) -> None:
        """Forget what was loaded (after a rules update in this process)."""
        for name in ("documents", "jurisdictions", "schedules", "contacts"):
            self.__dict__.pop(name, None)
        self.problem = None

    def records(
        self,
        section: str,
        cls: type[T],
        prepare: Callable[[dict[str, Any], str], dict[str, Any]] | None = None,
    ) -> tuple[T, ...]:
        out: list[T] = []
        for doc in self.documents:
            out.extend(load_records(doc, section, cls, prepare))
        return tuple(out)

    @functools.cached_property
    def jurisdictions(self) -> tuple[Jurisdiction, ...]:
        return self.records("jurisdictions", Jurisdiction)

    @functools.cached_property
    def schedules(self) -> tuple[Schedule, ...]:
        return self.records("schedules", Schedule, _events)

    @functools.cached_property
    def contacts(self) -> tuple[Contact, ...]:
        return self.records("contacts", Contact)

    def hooks(
        self,
    ) -> tuple[
        Callable[[], Sequence[Jurisdiction]],
        Callable[[], Sequence[Schedule]],
        Callable[[], Sequence[Contact]],
    ]:
        """The three data hooks every plugin implements the same way::

        kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()
        """
        from kuaiji.hookspecs import hookimpl

        @hookimpl
        def kuaiji_jurisdictions() -> Sequence[Jurisdiction]:
            return self.jurisdictions

        @hookimpl
        def kuaiji_schedules() -> Sequence[Schedule]:
            return self.schedules

        @hookimpl
        def kuaiji_contacts() -> Sequence[Contact]:
            return self.contacts

        return kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts


def _newest(docs: Sequence[DataDocument]) -> dt.date:
    return max((d.updated for d in docs), default=dt.date.min)
