"""Loading a plugin's data files: one loader for the core and every plugin.

A plugin keeps the facts that change every year in JSON files under ``<package>/data/``.
Each file is an object::

    {"format": 1, "plugin": "guangdong", "updated": "2026-11-23",
     "jurisdictions": [...], "schedules": [...], "contacts": [...]}

No other section: the loader refuses it (:data:`SECTIONS`).

Moments are written in Beijing time as ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``
(see :mod:`kuaiji.model.clock`). Every jurisdiction, platform, event and fact names its
``source``. ``docs/writing-a-plugin.md`` describes the format in full.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from kuaiji.errors import DataError, InputError
from kuaiji.io.convert import structure
from kuaiji.model.clock import parse_data_moment
from kuaiji.model.results import Contact, Jurisdiction, Schedule

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

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
            raise DataError(f"{where}.events[{i}]：应为对象 {{…}}")
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


SECTIONS = ("jurisdictions", "schedules", "contacts")  # what a data file may hold


def parse_document(text: str | bytes, name: str, *, origin: str = "bundled") -> DataDocument:
    """Parse and check the envelope of a data file (not yet its records)."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise DataError(f"{name}：不是有效的 JSON（{exc}）") from None
    if not isinstance(raw, dict):
        raise DataError(f"{name}：应为 JSON 对象 {{…}}")
    if raw.get("format") != FORMAT:
        raise DataError(f"{name}：format 应为 {FORMAT}，实际是 {raw.get('format')!r}")
    plugin = raw.get("plugin")
    if not isinstance(plugin, str) or not plugin:
        raise DataError(f"{name}：plugin 应写插件的名字")
    try:
        updated = dt.date.fromisoformat(str(raw.get("updated")))
    except ValueError:
        raise DataError(f"{name}：updated 应为日期 YYYY-MM-DD") from None
    sections = {k: v for k, v in raw.items() if k not in {"format", "plugin", "updated"}}
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:  # a typo would otherwise hide a whole section
        raise DataError(
            f"{name}：不认识的部分 {'、'.join(unknown)}（只能有 {'、'.join(SECTIONS)}）"
        )
    for key, value in sections.items():
        if not isinstance(value, list):
            raise DataError(f"{name}：{key} 应为列表 […]")
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
            raise DataError(f"{where}：应为对象 {{…}}")
        if prepare is not None:
            raw = prepare(raw, where)
        try:
            records.append(structure(raw, cls))
        except InputError as exc:
            details = "; ".join(str(p) for p in exc.problems)
            raise DataError(f"{where}: {details}") from None
    return tuple(records)


def validate_documents(docs: Sequence[DataDocument]) -> None:
    """Structure every record of every section, as the plugins will: DataError if any fails."""
    for doc in docs:
        load_records(doc, "jurisdictions", Jurisdiction)
        load_records(doc, "schedules", Schedule, _events)
        load_records(doc, "contacts", Contact)


def data_folder(package: str) -> Traversable:
    """``<package>/data``: a plain folder for an installed package (found without
    importlib.resources, which is slow to import), else through importlib.resources."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "data"
        if folder.is_dir():
            return folder
    from importlib import resources

    return resources.files(package).joinpath("data")


MAX_DATA_FILE_BYTES = 10 * 1024 * 1024  # one data file of a plugin (as rules bundles allow)
MAX_STATE_BYTES = 1024 * 1024
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")  # a plugin's folder in the rules cache
DATA_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}\.json$")  # a data file in a bundle
INSTALL_NAME = re.compile(r"^install-[0-9a-f]{12}$")  # an installed bundle in the rules cache
STATE = "state.json"  # the rules cache's record of what is installed (kuaiji.updates.bundles)
STATE_FORMAT = 2
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def rules_dir() -> Path:
    """The rules cache: ``state.json`` names the installed bundle, a folder ``install-…``
    holding one folder per plugin (``kuaiji rules update`` writes them)."""
    from kuaiji.io.cache import cache_dir

    return cache_dir()


@attrs.frozen
class Install:
    """The installed bundle: its folder and the sha256 of every file in it, by
    ``plugin/name`` (what was verified against the signed index when it was installed)."""

    folder: Path
    files: dict[str, str]


_STATES: dict[str, tuple[object, dict[str, Any] | None]] = {}  # read once per change


def read_state(root: Path | None = None) -> dict[str, Any] | None:
    """The rules cache's ``state.json``: None when there is none; DataError when it cannot be
    used (not the user's private file, too large, not what kuaiji writes)."""
    from kuaiji.io.cache import read_private, stamp

    path = (root or rules_dir()) / STATE
    key = stamp(path)
    if key[1] is None:
        return None
    found = _STATES.get(str(path))
    if found is not None and found[0] == key:
        return found[1]
    body = read_private(path, MAX_STATE_BYTES)
    if body is None:
        raise DataError(
            f"{path}：不是当前用户私有的普通文件（或所在文件夹他人可写、或文件过大），未使用"
        )
    try:
        raw = json.loads(body)
    except ValueError:
        raise DataError(f"{path}：不是有效的 JSON，未使用") from None
    if not isinstance(raw, dict) or raw.get("format") != STATE_FORMAT:
        raise DataError(f"{path}：不是本版本 kuaiji 写的安装记录，未使用")
    _STATES[str(path)] = (key, raw)
    return raw


def current_install(root: Path | None = None) -> Install | None:
    """The installed bundle named by the state file, or None; DataError when the record
    cannot be used."""
    root = root or rules_dir()
    state = read_state(root)
    current = state.get("current") if state else None
    if current is None:
        return None
    folder = current.get("folder") if isinstance(current, dict) else None
    files = current.get("files") if isinstance(current, dict) else None
    if folder is None and files == {}:
        return None  # a feed installed with no data newer than the plugins'
    if (
        not isinstance(folder, str)
        or not INSTALL_NAME.match(folder)
        or not isinstance(files, dict)
        or not all(
            isinstance(k, str) and isinstance(v, str) and _SHA256.match(v) for k, v in files.items()
        )
    ):
        raise DataError(f"{root / STATE}：安装记录不完整，未使用")
    return Install(root / folder, dict(files))


def cached_documents(plugin: str, root: Path | None = None) -> tuple[DataDocument, ...]:
    """The installed data files of ``plugin`` (envelopes checked, records not yet): exactly
    the files the state file records for it, each with the sha256 recorded when its signed
    bundle was verified. Read only from a folder nobody but this user can change
    (:func:`kuaiji.io.cache.trusted_folder`), each file private, not a link and at most
    ``MAX_DATA_FILE_BYTES``; anything else is an error (the bundled data stays in force)."""
    import hashlib

    from kuaiji.io.cache import read_private, trusted_folder

    if not PLUGIN_NAME.match(plugin):
        return ()
    install = current_install(root)
    if install is None:
        return ()
    names = sorted(p.split("/", 1)[1] for p in install.files if p.split("/", 1)[0] == plugin)
    if not names:
        return ()
    folder = install.folder / plugin
    if not trusted_folder(str(folder)):
        raise DataError(
            f"{folder}：规则缓存文件夹不存在、不是当前用户私有的（或路径上有他人可写的文件夹），未使用"
        )
    docs = []
    for name in names:
        path = folder / name
        if not DATA_FILE_NAME.match(name):
            raise DataError(f"{path}：文件名不合规则，未使用")
        body = read_private(path, MAX_DATA_FILE_BYTES)
        if body is None:
            raise DataError(
                f"{path}：不存在，或不是当前用户私有的普通文件，或超过 {MAX_DATA_FILE_BYTES} 字节，未使用"
            )
        if hashlib.sha256(body).hexdigest() != install.files[f"{plugin}/{name}"]:
            raise DataError(f"{path}：与安装时校验过的内容不同（被改动过），未使用")
        doc = parse_document(body, str(path), origin="updated")
        if doc.plugin != plugin:
            raise DataError(f"{path}：plugin 是 {doc.plugin!r}，应为 {plugin!r}")
        docs.append(doc)
    return tuple(docs)


@attrs.frozen
class _Loaded:
    """A plugin's structured data and where it came from: what the snapshot keeps."""

    jurisdictions: tuple[Jurisdiction, ...]
    schedules: tuple[Schedule, ...]
    contacts: tuple[Contact, ...]
    origin: str
    updated: dt.date | None
    problem: str | None


class PluginData:
    """A plugin's data, loaded once on first use.

    ``PluginData("guangdong", "kuaiji_guangdong")`` reads ``kuaiji_guangdong/data/*.json``.
    A valid rules bundle in the cache (:mod:`kuaiji.updates.bundles`) that is newer than these files
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
        folder = data_folder(self.package)
        names = self._files or tuple(
            sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".json"))
        )
        docs = []
        for name in names:
            text = folder.joinpath(name).read_bytes()
            doc = parse_document(text, f"{self.package}/data/{name}")
            if doc.plugin != self.plugin:
                raise DataError(f"{doc.name}：plugin 是 {doc.plugin!r}，应为 {self.plugin!r}")
            docs.append(doc)
        return tuple(docs)

    @functools.cached_property
    def documents(self) -> tuple[DataDocument, ...]:
        """The bundled files, or the cached update when it is newer and valid."""
        bundled = self.bundled
        try:
            cached = cached_documents(self.plugin)
            if cached and _newest(cached) > _newest(bundled):
                validate_documents(cached)
                return cached
        except DataError as exc:
            self.problem = f"已更新的规则未使用（仍用内置数据）：{exc}"
        return bundled

    @property
    def origin(self) -> str:
        """ "bundled", or "updated" when a rules bundle's files are used."""
        if "_loaded" in self.__dict__:
            return self._loaded.origin
        docs = self.documents
        return docs[0].origin if docs else "bundled"

    @property
    def updated(self) -> dt.date | None:
        """The newest ``updated`` date of the files used."""
        if "_loaded" in self.__dict__:
            return self._loaded.updated
        return max((d.updated for d in self.documents), default=None)

    def reload(self) -> None:
        """Forget what was loaded (after a rules update in this process)."""
        for name in ("bundled", "documents", "_loaded"):
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

    @property
    def jurisdictions(self) -> tuple[Jurisdiction, ...]:
        return self._loaded.jurisdictions

    @property
    def schedules(self) -> tuple[Schedule, ...]:
        return self._loaded.schedules

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return self._loaded.contacts

    @functools.cached_property
    def _loaded(self) -> _Loaded:
        """The structured records, from the snapshot in the user cache when the files it was
        made from (bundled and updated) are unchanged, else from the files (and snapshotted)."""
        from kuaiji.io import cache

        key = self._snapshot_key()
        found = cache.load(f"data-{self.plugin}", key) if key is not None else None
        if isinstance(found, _Loaded):
            self.problem = found.problem
            return found
        # Read the files now, after the key was taken: what was read earlier in this process
        # could predate it, and must not be stored under it.
        for name in ("bundled", "documents"):
            self.__dict__.pop(name, None)
        self.problem = None
        loaded = _Loaded(
            self.records("jurisdictions", Jurisdiction),
            self.records("schedules", Schedule, _events),
            self.records("contacts", Contact),
            self.origin,
            self.updated,
            self.problem,
        )
        if key is not None:
            cache.store(f"data-{self.plugin}", key, loaded)
        return loaded

    def _snapshot_key(self) -> tuple[object, ...] | None:
        """The code that shapes the records and every file read; None when the files cannot
        be stat'ed (a zipped package): no snapshot then."""
        from kuaiji.io import cache

        folder = data_folder(self.package)
        names = self._files or sorted(e.name for e in folder.iterdir() if e.name.endswith(".json"))
        bundled = [cache.stamp(str(folder.joinpath(name))) for name in names]
        if any(s[1] is None for s in bundled):
            return None
        root = rules_dir()
        installed: list[object] = [cache.stamp(root / STATE)]
        try:
            install = current_install(root)
        except DataError:  # the documents say why; the stamps above change when it is fixed
            install = None
        if install is not None:
            folder = install.folder / self.plugin
            installed.append(cache.stamp(folder))
            installed.extend(
                cache.stamp(install.folder / path)
                for path in sorted(install.files)
                if path.split("/", 1)[0] == self.plugin
            )
        return (cache.code(), self.package, self._files, *bundled, *installed)

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
        from kuaiji.registry.hookspecs import hookimpl

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
