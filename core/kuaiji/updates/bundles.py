"""Rules bundles: the plugins' data files, signed by a publisher the user trusts and served
from any static host or folder, so deadlines can change without a new release
(``kuaiji rules export|publish|update|status|reset|keygen``; docs/rules-feed.md gives the
format, docs/threat-model.md what it protects against).

A published bundle is a folder::

    index.json                  {"signed": {"kind": "kuaiji-rules", "format": 2, "feed": "kuaiji",
                                            "version": 3, "created": …, "expires": …,
                                            "files": [{"plugin", "name", "path", "sha256",
                                                       "size", "updated"}, …],
                                            "next_keys": ["ed25519:…"]},
                                 "signatures": [{"keyid": "3f9a-07c2-b1d4-8e60", "sig": "…"}]}
    <plugin>/<name>.json        data files in the plugins' own format (docs/data-format.md)

``update`` reads the index (https, or a local folder), verifies its signature with a key its
feed is bound to (the shipped keys for ``kuaiji``, the recorded ones for a feed installed before,
any trusted key for a new one: :mod:`kuaiji.updates.signing`), refuses an expired index and a
version lower than the highest one installed from that feed (or equal with other content),
fetches only the plugins that are installed here and whose data is newer than their own,
checks every size and
sha256 against the signed index and each plugin's whole data set as the plugin's own data is
checked (:mod:`kuaiji.updates.checks`), all within a total time bound. Only then is the set
written to a new folder, the feed's version floor and keys recorded in ``floors.json`` (which
``reset`` keeps, and an update refuses to work without once it is unreadable), and the set made
current by replacing ``state.json`` (one rename); the previous install is kept, older ones are
removed. Anything refused leaves the cache as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from kuaiji.errors import BundleError, DataError, InputError, Problem
from kuaiji.io.cache import cache_dir, read_private, trusted_folder
from kuaiji.model import clock
from kuaiji.registry.data import (
    DATA_FILE_NAME,
    INSTALL_NAME,
    PLUGIN_NAME,
    STATE,
    STATE_FORMAT,
    DataDocument,
    PluginData,
    current_install,
    parse_document,
    read_state,
)
from kuaiji.updates import checks

if TYPE_CHECKING:  # the network stack and the keys are imported only when they are used
    import httpx

    from kuaiji.io.net import Policy
    from kuaiji.updates.signing import PublicKey

ENV_ALLOW_LOOPBACK_HTTP = "KUAIJI_ALLOW_HTTP_LOOPBACK"  # "1": http://127.0.0.1 (tests only)
KIND = "kuaiji-rules"
FORMAT = 2  # a signed index; 1 is what `rules export` writes (unsigned, for `rules publish`)
INDEX = "index.json"
MAX_INDEX_BYTES = 1024 * 1024
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
TOTAL_SECONDS = 60.0  # the default bound on a whole `rules update`
LIFETIME = dt.timedelta(days=180)  # how long a published index is valid unless --expires says
PROJECT_FEED = "kuaiji"  # the project's own feed: only its shipped keys (and successors) sign it
FEED_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LEGACY = ("meta.json",)
FLOORS = "floors.json"  # feed → highest version installed and its keys; `rules reset` keeps it
FLOORS_FORMAT = 1
MAX_FLOORS_BYTES = 1024 * 1024  # what kuaiji 0.2's unsigned bundles left in the cache


# --- export ---


@attrs.frozen
class Entry:
    plugin: str
    name: str
    sha256: str
    size: int
    updated: str

    @property
    def path(self) -> str:
        return f"{self.plugin}/{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "path": self.path}


def export(folder: Path, plugins: dict[str, PluginData] | None = None) -> list[Entry]:
    """Write every plugin's bundled data, and an unsigned index (format 1), into ``folder``:
    what ``rules publish`` signs."""
    plugins = plugins if plugins is not None else _loaded_plugins()
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name in sorted(plugins):
        data = plugins[name]
        for doc in data.bundled:
            file_name = Path(doc.name).name
            body = _document_bytes(doc)
            target = folder / name / file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            entries.append(_entry(name, file_name, body, doc.updated))
    index = {
        "format": 1,
        "kind": KIND,
        "created": clock.iso(clock.now()),
        "files": [e.to_dict() for e in entries],
    }
    (folder / INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8")
    return entries


def _entry(plugin: str, name: str, body: bytes, updated: dt.date) -> Entry:
    return Entry(plugin, name, hashlib.sha256(body).hexdigest(), len(body), updated.isoformat())


def _document_bytes(doc: DataDocument) -> bytes:
    raw = {"format": 1, "plugin": doc.plugin, "updated": doc.updated.isoformat(), **doc.sections}
    return json.dumps(raw, ensure_ascii=False, indent=2).encode("utf-8")


def _loaded_plugins() -> dict[str, PluginData]:
    """The plugins installed here, each with its PluginData (importing them makes it). A
    registry that does not build still imported them: an update can always repair. Plugins
    left out of this process by ``KUAIJI_PLUGINS`` are installed too: their data is kept."""
    import importlib

    from kuaiji.errors import KuaijiError
    from kuaiji.registry.manager import get_registry

    with contextlib.suppress(KuaijiError):
        registry = get_registry()
        for _name, value, _dist, _version in registry.installed.entry_points:
            with contextlib.suppress(Exception):  # a plugin that does not import has no data
                importlib.import_module(value.split("[", 1)[0].partition(":")[0].strip())
    return PluginData.every()


# --- the signed index ---


@attrs.frozen
class Index:
    """A verified index: what its signer says, and who signed it."""

    feed: str
    version: int
    created: dt.datetime
    expires: dt.datetime
    entries: tuple[Entry, ...]
    next_keys: tuple[str, ...]  # keys (ed25519:…) that may sign this feed's next version
    keyid: str  # the key whose signature was verified
    signer: str  # that key, ed25519:…
    digest: str  # sha256 of the signed content: two indexes of one version must agree


def index_body(
    entries: Sequence[Entry],
    *,
    feed: str,
    version: int,
    created: dt.datetime,
    expires: dt.datetime,
    next_keys: Sequence[str] = (),
) -> dict[str, Any]:
    """The part of an index that is signed."""
    return {
        "kind": KIND,
        "format": FORMAT,
        "feed": feed,
        "version": version,
        "created": clock.iso(created),
        "expires": clock.iso(expires),
        "files": [e.to_dict() for e in entries],
        "next_keys": list(next_keys),
    }


def read_index(body: bytes, keys: Mapping[str, PublicKey], feeds: Mapping[str, Any]) -> Index:
    """The index in ``body``, verified and signed by a key its feed is bound to; BundleError
    otherwise. A feed's keys: for a feed installed before, only the keys its last installed
    version allowed (``feeds``: its signer and ``next_keys``); for the project's feed
    ``kuaiji``, the shipped keys and those; for a new feed, any key of ``keys``."""
    from kuaiji.updates import signing

    if not body.strip():
        raise BundleError("索引是空的：拒绝使用")
    try:
        envelope = json.loads(body)
    except ValueError:
        raise BundleError("索引不是有效的 JSON：拒绝使用") from None
    signed = envelope.get("signed") if isinstance(envelope, dict) else None
    claimed = signed.get("feed") if isinstance(signed, dict) else None
    recorded = _recorded_keys(feeds.get(claimed) if isinstance(claimed, str) else None)
    known = {**keys, **recorded}
    verified, keyid = signing.verify(envelope, known)
    index = _parse_signed(verified, keyid, known[keyid].text, signing.canonical(verified))
    if index.feed == PROJECT_FEED:
        allowed = {**{k.keyid: k for k in signing.shipped_keys()}, **recorded}
    else:
        allowed = recorded or dict(keys)
    if keyid not in allowed:
        raise BundleError(checks.printable(_unbound(index.feed, keyid, allowed)))
    return index


def _recorded_keys(floor: object) -> dict[str, PublicKey]:
    """The keys a feed's last installed version allowed to sign its next one, by id."""
    from kuaiji.updates import signing

    texts = floor.get("keys") if isinstance(floor, dict) else None
    found = {}
    for text in texts if isinstance(texts, list) else []:
        try:
            key = signing.parse_public(str(text), "floors")
        except InputError:
            continue
        found[key.keyid] = key
    return found


def _unbound(feed: str, keyid: str, allowed: Mapping[str, PublicKey]) -> str:
    ids = "、".join(sorted(allowed)) or "无"
    if feed == PROJECT_FEED:
        why = (
            f"规则源 {feed} 是 kuaiji 项目自己的规则源，只接受随 kuaiji 发布的项目密钥"
            f"（或它们在 next_keys 中交接的密钥）签名：{ids}"
        )
    else:
        why = (
            f"规则源 {feed} 已在本机安装过，之后的版本只接受它上次安装的版本所允许的密钥"
            f"（签名者及其 next_keys）签名：{ids}"
        )
    return (
        f"{why}；此索引由密钥 {keyid} 签名：拒绝使用。其他发布者应使用自己的规则源名称"
        "（rules publish --feed）；换密钥须由原密钥在 next_keys 中宣布"
    )


def _parse_signed(signed: dict[str, Any], keyid: str, signer: str, canonical: bytes) -> Index:
    from kuaiji.updates import signing

    if signed.get("kind") != KIND or signed.get("format") != FORMAT:
        raise BundleError(f"索引不是格式 {FORMAT} 的 kuaiji 规则索引")
    feed, version = signed.get("feed"), signed.get("version")
    if not isinstance(feed, str) or not FEED_NAME.match(feed):
        raise BundleError("索引的 feed（规则源名称）不合规则")
    if isinstance(version, bool) or not isinstance(version, int) or not 0 < version < 2**53:
        raise BundleError("索引的 version 应为正整数")
    moments = []
    for field in ("created", "expires"):
        try:
            moment = dt.datetime.fromisoformat(str(signed.get(field)))
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise BundleError(f"索引的 {field} 应为带时区的时间")
        moments.append(moment)
    next_keys = signed.get("next_keys", [])
    if not isinstance(next_keys, list) or len(next_keys) > 8:
        raise BundleError("索引的 next_keys 应为至多 8 个公钥的列表")
    try:
        texts = tuple(signing.parse_public(str(k), "next_keys").text for k in next_keys)
    except InputError:
        raise BundleError("索引的 next_keys 中有不是 Ed25519 公钥的项") from None
    return Index(
        feed,
        version,
        moments[0],
        moments[1],
        tuple(parse_entries(signed.get("files"))),
        texts,
        keyid,
        signer,
        hashlib.sha256(canonical).hexdigest(),
    )


def parse_entries(files: object) -> list[Entry]:
    """The index's entries, each checked: names, sizes, hashes, no path tricks."""
    if not isinstance(files, list) or not files:
        raise BundleError("索引的 files 应为非空列表")
    entries = []
    total = 0
    seen = set()
    for i, item in enumerate(files):
        where = f"索引 files[{i}]"
        if not isinstance(item, dict):
            raise BundleError(f"{where}：应为对象")
        plugin, name, path = item.get("plugin"), item.get("name"), item.get("path")
        size, sha, updated = item.get("size"), item.get("sha256"), item.get("updated")
        if not isinstance(plugin, str) or not PLUGIN_NAME.match(plugin):
            raise BundleError(f"{where}：插件名不合规则")
        if not isinstance(name, str) or not DATA_FILE_NAME.match(name):
            raise BundleError(f"{where}：文件名不合规则（拒绝路径花招）")
        if path != f"{plugin}/{name}":
            raise BundleError(f"{where}：path 应为 {plugin}/{name}")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_FILE_BYTES:
            raise BundleError(f"{where}：size 应在 1 到 {MAX_FILE_BYTES} 字节之间")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise BundleError(f"{where}：sha256 应为 64 个小写十六进制字符")
        try:
            dt.date.fromisoformat(str(updated))
        except ValueError:
            raise BundleError(f"{where}：updated 应为日期 YYYY-MM-DD") from None
        if path in seen:
            raise BundleError(f"{where}：{path} 出现了两次")
        seen.add(path)
        total += size
        entries.append(Entry(plugin, name, sha, size, str(updated)))
    if total > MAX_TOTAL_BYTES:
        raise BundleError(f"索引中的文件共 {total} 字节，超过上限 {MAX_TOTAL_BYTES}")
    return entries


def verify_file(entry: Entry, body: bytes) -> DataDocument:
    """The document in ``body`` if it is exactly what the signed index declares."""
    if len(body) != entry.size:
        raise BundleError(f"{entry.path}：{len(body)} 字节，签名的索引写的是 {entry.size}")
    if hashlib.sha256(body).hexdigest() != entry.sha256:
        raise BundleError(f"{entry.path}：sha256 与签名的索引不符（文件被改动过）")
    try:
        doc = parse_document(body, entry.path, origin="updated")
    except DataError as exc:
        raise BundleError(f"数据无效：{exc}") from None
    if doc.plugin != entry.plugin:
        raise BundleError(
            f"{entry.path}：文件中 plugin 是 {doc.plugin!r}，索引写的是 {entry.plugin!r}"
        )
    if doc.updated.isoformat() != entry.updated:
        raise BundleError(
            f"{entry.path}：文件中 updated 是 {doc.updated}，索引写的是 {entry.updated}"
        )
    return doc


# --- publish ---


@attrs.frozen
class Published:
    out: str
    feed: str
    version: int
    keyid: str
    expires: str
    files: int
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def publish(
    src: Path,
    out: Path,
    *,
    key: Path,
    version: int,
    expires: dt.date | None = None,
    feed: str | None = None,
    next_keys: Sequence[str] = (),
    extra: checks.Extra | None = None,
) -> Published:
    """Sign the data files of ``src`` (a folder as ``rules export`` writes it) into ``out``,
    a folder for static hosting, replaced whole. The files pass the checks an update makes."""
    from kuaiji.updates import signing

    private = signing.load_private(key)
    signer = signing.public_of(private)
    feed = feed or signer.keyid
    now = clock.now()
    until = (
        dt.datetime.combine(expires, dt.time(23, 59), clock.SHANGHAI) if expires else now + LIFETIME
    )
    if not FEED_NAME.match(feed):
        raise InputError.single("--feed", f"{feed!r} 不合规则", "用小写字母、数字、点、横线")
    if version < 1:
        raise InputError.single("--version", "应为正整数")
    if until <= now:
        raise InputError.single("--expires", f"{clock.human(until)} 已过去", "写一个将来的日期")
    keys = [signing.read_public(k, "--next-key").text for k in next_keys]
    before = _published_version(out)
    if before is not None and version <= before:
        raise InputError.single(
            "--version", f"{out} 中已是第 {before} 版", f"写大于 {before} 的版本号"
        )
    docs, bodies = _read_source(src)
    _check_publishable(docs, now.date(), extra)
    entries = [
        _entry(plugin, Path(doc.name).name, bodies[doc.name], doc.updated)
        for plugin, found in sorted(docs.items())
        for doc in found
    ]
    body = index_body(
        entries, feed=feed, version=version, created=now, expires=until, next_keys=keys
    )
    envelope = signing.sign(body, [private])
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staging.chmod(0o755)  # for static hosting
        for plugin, found in docs.items():
            (staging / plugin).mkdir()
            for doc in found:
                (staging / plugin / Path(doc.name).name).write_bytes(bodies[doc.name])
        text = json.dumps(envelope, ensure_ascii=False, indent=2) + "\n"
        (staging / INDEX).write_text(text, encoding="utf-8")
        _swap_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Published(
        str(out),
        feed,
        version,
        signer.keyid,
        clock.iso(until) or "",
        len(entries),
        sum(e.size for e in entries),
    )


def _published_version(out: Path) -> int | None:
    """The version of the index already in ``out``; InputError if ``out`` is a folder that
    holds something else (publish replaces it whole)."""
    if not out.exists():
        return None
    if not out.is_dir() or out.is_symlink():
        raise InputError.single(str(out), "不是文件夹")
    if not any(out.iterdir()):
        return None
    try:
        with (out / INDEX).open("rb") as handle:
            signed = json.loads(handle.read(MAX_INDEX_BYTES)).get("signed", {})
    except (OSError, ValueError, AttributeError):
        signed = None
    if not isinstance(signed, dict) or signed.get("kind") != KIND:
        raise InputError.single(
            str(out), "不是空文件夹，也不是 kuaiji rules publish 写的规则包", "换一个文件夹"
        )
    version = signed.get("version")
    return version if isinstance(version, int) else 0


def _read_source(src: Path) -> tuple[dict[str, list[DataDocument]], dict[str, bytes]]:
    """The data files of ``src``: ``<plugin>/<name>.json``, each read by the core's loader."""
    if not src.is_dir():
        raise InputError.single(str(src), "不是文件夹", "给出 kuaiji rules export 写出的文件夹")
    docs: dict[str, list[DataDocument]] = {}
    bodies: dict[str, bytes] = {}
    problems = []
    for folder in sorted(p for p in src.iterdir() if p.is_dir() and PLUGIN_NAME.match(p.name)):
        for path in sorted(folder.glob("*.json")):
            where = f"{folder.name}/{path.name}"
            if not DATA_FILE_NAME.match(path.name) or not path.is_file() or path.is_symlink():
                problems.append(Problem(where, "文件名不合规则，或不是普通文件"))
                continue
            if path.stat().st_size > MAX_FILE_BYTES:
                problems.append(Problem(where, f"超过 {MAX_FILE_BYTES} 字节"))
                continue
            body = path.read_bytes()
            try:
                doc = parse_document(body, where)
            except DataError as exc:
                problems.append(Problem(where, str(exc)))
                continue
            if doc.plugin != folder.name:
                problems.append(Problem(where, f"plugin 是 {doc.plugin!r}，应为 {folder.name!r}"))
                continue
            docs.setdefault(folder.name, []).append(doc)
            bodies[where] = body
    if problems:
        raise InputError(problems, source=str(src))
    if not docs:
        raise InputError.single(str(src), "没有数据文件（<插件>/<文件>.json）")
    return docs, bodies


def _check_publishable(
    docs: Mapping[str, Sequence[DataDocument]], today: dt.date, extra: checks.Extra | None
) -> None:
    loaded = _loaded_plugins()
    problems = []
    for plugin, found in sorted(docs.items()):
        data = loaded.get(plugin)
        if data is None:  # not installed here: what can be checked without it
            problems += [Problem(plugin, p) for p in checks.loader_problems(found, today)]
        else:
            problems += [
                Problem(plugin, p)
                for p in checks.problems(plugin, found, data.bundled, today, extra)
            ]
    if problems:
        raise InputError(problems)


def _swap_folder(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is, by renames (``target``'s old content is removed)."""
    old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if old.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# --- update ---


@attrs.frozen
class UpdateResult:
    url: str  # where the index came from (a URL or a folder)
    changed: bool  # the installed data or feed version changed
    plugins: tuple[str, ...] = ()  # the plugins whose installed data changed
    files: int = 0  # files fetched
    bytes: int = 0
    cache: str = ""
    feed: str = ""
    version: int = 0
    keyid: str = ""
    expires: str | None = None
    installed: tuple[str, ...] = ()  # every plugin whose data the install now holds
    ignored: tuple[str, ...] = ()  # plugins in the bundle that are not installed here

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def update(
    source: str,
    *,
    trust: Iterable[str] = (),
    policy: Policy | None = None,
    root: Path | None = None,
    http: httpx.AsyncClient | None = None,
    total: float = TOTAL_SECONDS,
    extra: checks.Extra | None = None,
) -> UpdateResult:
    """Fetch, verify and install the rules bundle at ``source``: the https URL of its
    ``index.json``, or a local folder (or its ``index.json``). ``trust``: public keys (or
    ``.pub`` files) trusted besides the shipped ones and ``$KUAIJI_RULES_KEYS``; ``total``:
    seconds for the whole update; ``extra``: the checks of ``kuaiji plugins check``."""
    from kuaiji.io.net import Policy

    policy = policy or Policy(
        max_bytes=MAX_INDEX_BYTES,
        allow_http_loopback=os.environ.get(ENV_ALLOW_LOOPBACK_HTTP) == "1",
    )
    try:
        return asyncio.run(
            update_async(
                source, trust=trust, policy=policy, root=root, http=http, total=total, extra=extra
            )
        )
    except BundleError as exc:  # it may quote what a server said: never raw to a terminal
        raise BundleError(checks.printable(str(exc)), usage=exc.usage) from None


async def update_async(
    source: str,
    *,
    policy: Policy,
    trust: Iterable[str] = (),
    root: Path | None = None,
    http: httpx.AsyncClient | None = None,
    total: float = TOTAL_SECONDS,
    extra: checks.Extra | None = None,
) -> UpdateResult:
    from kuaiji.updates import signing

    keys = signing.trusted_keys(trust)
    root = root or cache_dir()
    _prepare(root)
    try:
        state = copy.deepcopy(read_state(root) or {})
    except DataError:  # an unreadable record is replaced by this update
        state = {}
    feeds = read_floors(root)  # never from scratch because state.json broke
    if feeds is None:
        feeds = _migrated(state)
    current = _dict(state.get("current"))
    try:
        async with asyncio.timeout(total):
            origin: _Origin = (
                _Folder(source) if "://" not in source else await _Web.open(source, policy, http)
            )
            try:
                return await _update(origin, root, keys, state, feeds, current, extra)
            finally:
                await origin.close()
    except TimeoutError:
        raise BundleError(
            f"超过总时限 {total:g} 秒仍未完成（{source}）：已放弃，缓存未改动"
        ) from None


async def _update(
    origin: _Origin,
    root: Path,
    keys: Mapping[str, PublicKey],
    state: dict[str, Any],
    feeds: dict[str, Any],
    current: dict[str, Any],
    extra: checks.Extra | None,
) -> UpdateResult:
    same_source = current.get("source") == origin.name and _usable(root, current)
    answer = await origin.index(current if same_source else {})
    if answer is None:  # 304: not changed since the index installed from here
        if not same_source:
            raise BundleError(
                f"服务器答复“没有变化”（304），但本机从没有从 {origin.name} 安装过规则：无法确认，未更新"
            )
        expires = dt.datetime.fromisoformat(str(current.get("expires")))
        if expires <= clock.now():
            raise BundleError(_expired(str(current.get("feed")), int(current["version"]), expires))
        return _unchanged(origin.name, root, current)
    index = read_index(answer.body, keys, feeds)
    now = clock.now()
    if index.expires <= now:
        raise BundleError(_expired(index.feed, index.version, index.expires))
    floor = _dict(feeds.get(index.feed))
    highest = floor.get("version")
    highest = highest if isinstance(highest, int) else 0
    if index.version < highest:
        raise BundleError(
            f"规则源 {index.feed} 的第 {index.version} 版比已安装过的第 {highest} 版旧："
            "拒绝回滚（可能有人在重放旧的规则包）"
        )
    if index.version == highest and floor.get("digest") != index.digest:
        raise BundleError(
            f"规则源 {index.feed} 的第 {index.version} 版与本机安装过的同一版本内容不同：拒绝使用"
            "（发布者应发布更大的版本号）"
        )
    loaded = _loaded_plugins()
    ignored = tuple(sorted({e.plugin for e in index.entries} - set(loaded)))
    wanted = _newer(index.entries, loaded)
    files = _dict(current.get("files"))
    bodies: dict[str, bytes] = {}
    fetched = downloads = 0
    for entry in (e for e in index.entries if e.plugin in wanted):
        body = _installed_body(root, current, files, entry)
        if body is None:
            body = await origin.file(entry)
            fetched += len(body)
            downloads += 1
        verify_file(entry, body)
        bodies[entry.path] = body
    _check_install(index, bodies, loaded, now.date(), extra)
    hashes = {path: hashlib.sha256(body).hexdigest() for path, body in bodies.items()}
    same_data = hashes == files and (not hashes or _usable(root, current))
    if not hashes:
        folder = None
    else:
        folder = current.get("folder") if same_data else _write_install(root, bodies)
    record = {
        "folder": folder,
        "files": hashes,
        "feed": index.feed,
        "version": index.version,
        "keyid": index.keyid,
        "digest": index.digest,
        "created": clock.iso(index.created),
        "expires": clock.iso(index.expires),
        "source": origin.name,
        "installed": clock.iso(now),
        **answer.validators,
    }
    floor = {
        "version": index.version,
        "digest": index.digest,
        "keys": list(dict.fromkeys((index.signer, *index.next_keys))),
    }
    _write_json(root / FLOORS, {"format": FLOORS_FORMAT, "feeds": {**feeds, index.feed: floor}})
    previous = state.get("previous")
    new_state = {
        "format": STATE_FORMAT,
        "current": record,
        "previous": previous if same_data else (current or None),
    }
    _write_json(root / STATE, new_state)
    _prune(root, new_state, loaded)
    changed = {p for p in {*hashes, *files} if hashes.get(p) != files.get(p)}
    news = bool(changed) or current.get("digest") != index.digest
    if news:
        _reload(root, loaded)
    return UpdateResult(
        origin.name,
        news,
        tuple(sorted({p.split("/", 1)[0] for p in changed})),
        downloads,
        fetched,
        str(root),
        index.feed,
        index.version,
        index.keyid,
        clock.iso(index.expires),
        tuple(sorted(wanted)),
        ignored,
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def read_floors(root: Path) -> dict[str, Any] | None:
    """The version floors kept in ``root``: feed → {"version": highest installed, "digest",
    "keys": who may sign the next one}; None when there is no floors file. BundleError when
    there is one that cannot be used: updates stop rather than forget a floor."""
    path = root / FLOORS
    if not (path.exists() or path.is_symlink()):
        return None
    body = read_private(path, MAX_FLOORS_BYTES)
    try:
        raw = json.loads(body) if body is not None else None
    except ValueError:
        raw = None
    feeds = (
        raw.get("feeds") if isinstance(raw, dict) and raw.get("format") == FLOORS_FORMAT else None
    )
    if not isinstance(feeds, dict) or not all(
        isinstance(k, str) and _is_floor(v) for k, v in feeds.items()
    ):
        raise BundleError(
            f"规则源版本下限文件 {path} 无法使用（不是当前用户私有的普通文件、过大，或内容损坏）："
            "为防止回滚，拒绝更新；已安装的规则和内置数据照常使用。若确认要放弃记录的版本下限"
            "和各规则源的密钥，删除该文件后再更新（之后第一次更新会接受任何未过期的签名版本）"
        )
    return feeds


def _is_floor(value: object) -> bool:
    return (
        isinstance(value, dict)
        and type(value.get("version")) is int
        and isinstance(value.get("digest"), str)
        and isinstance(value.get("keys"), list)
        and all(isinstance(k, str) for k in value["keys"])
    )


def _migrated(state: Mapping[str, Any]) -> dict[str, Any]:
    """The floors kuaiji kept in ``state.json`` before the floors file, for a cache that has
    none yet; the project's feed only when its last signer was a shipped key (any trusted key
    could sign it then)."""
    from kuaiji.updates import signing

    shipped = {key.text for key in signing.shipped_keys()}
    return {
        feed: floor
        for feed, floor in _dict(state.get("feeds")).items()
        if _is_floor(floor) and (feed != PROJECT_FEED or set(floor["keys"][:1]) & shipped)
    }


def _expired(feed: str, version: int, expires: dt.datetime) -> str:
    return (
        f"规则源 {feed} 第 {version} 版已于 {clock.human(expires)} 过期，且没有更新的版本："
        "发布者没有按时续签，或有人在重放旧的规则源（冻结）。已安装的规则不变；请向发布者确认"
    )


def _unchanged(name: str, root: Path, current: Mapping[str, Any]) -> UpdateResult:
    files = current.get("files") or {}
    return UpdateResult(
        name,
        False,
        cache=str(root),
        feed=str(current.get("feed")),
        version=int(current.get("version") or 0),
        keyid=str(current.get("keyid")),
        expires=str(current.get("expires")),
        installed=tuple(sorted({p.split("/", 1)[0] for p in files})),
    )


def _newer(entries: Iterable[Entry], loaded: Mapping[str, PluginData]) -> set[str]:
    """The installed plugins whose data in the bundle is newer than their own (only newer
    data is ever used, so nothing else is worth fetching or keeping)."""
    newest: dict[str, dt.date] = {}
    for e in entries:
        if e.plugin in loaded:
            day = dt.date.fromisoformat(e.updated)
            newest[e.plugin] = max(day, newest.get(e.plugin, dt.date.min))
    out = set()
    for plugin, day in newest.items():
        try:
            own = max((d.updated for d in loaded[plugin].bundled), default=dt.date.min)
        except DataError:
            own = dt.date.min
        if day > own:
            out.add(plugin)
    return out


def _check_install(
    index: Index,
    bodies: Mapping[str, bytes],
    loaded: Mapping[str, PluginData],
    today: dt.date,
    extra: checks.Extra | None,
) -> None:
    """Each plugin's whole data set, as its own data is checked; BundleError naming the
    first problems."""
    by_plugin: dict[str, list[DataDocument]] = {}
    for entry in index.entries:
        if entry.path in bodies:
            doc = parse_document(bodies[entry.path], entry.path, origin="updated")
            by_plugin.setdefault(entry.plugin, []).append(doc)
    for plugin, docs in sorted(by_plugin.items()):
        found = checks.problems(plugin, docs, loaded[plugin].bundled, today, extra)
        if found:
            more = f"（共 {len(found)} 处）" if len(found) > 3 else ""
            raise BundleError(f"插件 {plugin} 的数据未通过检查{more}：" + "；".join(found[:3]))


def _usable(root: Path, record: Mapping[str, Any]) -> bool:
    """Whether an install record's folder is there (or it needs none)."""
    folder = record.get("folder")
    if not record.get("files"):
        return bool(record)
    return (
        isinstance(folder, str)
        and INSTALL_NAME.match(folder) is not None
        and (root / folder).is_dir()
    )


def _installed_body(
    root: Path, current: Mapping[str, Any], files: Mapping[str, Any], entry: Entry
) -> bytes | None:
    """The bytes of ``entry`` from the current install, when it holds exactly them."""
    folder = current.get("folder")
    if files.get(entry.path) != entry.sha256 or not isinstance(folder, str):
        return None
    if not INSTALL_NAME.match(folder):
        return None
    body = read_private(root / folder / entry.path, MAX_FILE_BYTES)
    if body is None or hashlib.sha256(body).hexdigest() != entry.sha256:
        return None
    return body


def _prepare(root: Path) -> None:
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BundleError(f"无法创建规则缓存文件夹 {root}（{exc.strerror or exc}）") from None
    if not trusted_folder(str(root)):
        raise BundleError(
            f"规则缓存文件夹 {root} 不是当前用户私有的（或路径上有他人可写的文件夹）："
            "把 KUAIJI_CACHE_DIR 设为只有你能写的文件夹"
        )


def _write_install(root: Path, bodies: Mapping[str, bytes]) -> str:
    """A new folder holding ``bodies``, its name."""
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=root))  # 0700
    try:
        for path, body in bodies.items():
            plugin, name = path.split("/", 1)
            (staging / plugin).mkdir(mode=0o700, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(staging / plugin / name, flags, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
        name = f"install-{secrets.token_hex(6)}"
        staging.rename(root / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return name


def _prune(root: Path, state: Mapping[str, Any], loaded: Collection[str]) -> list[str]:
    """Remove every install but the current and previous ones, leftovers of interrupted
    updates, and what kuaiji 0.2 left; the names removed."""
    keep = {
        record.get("folder")
        for record in (state.get("current"), state.get("previous"))
        if isinstance(record, dict)
    }
    removed = []
    for child in sorted(root.iterdir()):
        name = child.name
        old = (INSTALL_NAME.match(name) and name not in keep) or name.startswith(
            (".install-", f".{STATE}.", f".{FLOORS}.")
        )
        legacy = name in _LEGACY or (
            name in loaded
            and child.is_dir()
            and not child.is_symlink()
            and all(p.suffix == ".json" for p in child.iterdir())
        )
        if not (old or legacy):
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
        removed.append(name)
    return removed


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _reload(root: Path, loaded: Mapping[str, PluginData]) -> None:
    """Forget the data and registry built before the cache changed: in this process, and
    (through the cache folder's generation file) in every other one using it."""
    from kuaiji.registry.manager import bump_generation, get_registry

    for data in loaded.values():
        data.reload()
    get_registry.cache_clear()
    if root == cache_dir():
        with contextlib.suppress(OSError):  # installed all the same; others see it on restart
            bump_generation()


# --- where an index and its files come from ---


@attrs.frozen
class _Answer:
    body: bytes
    validators: dict[str, str | None]  # ETag / Last-Modified, for the next request


class _Origin:
    name: str

    async def index(self, current: Mapping[str, Any]) -> _Answer | None:
        """The index (None: not changed since ``current`` was installed from here)."""
        raise NotImplementedError

    async def file(self, entry: Entry) -> bytes:
        raise NotImplementedError

    async def close(self) -> None:
        return None


class _Folder(_Origin):
    """A bundle in a local folder (a checkout of the project's ``rules/``, a USB stick)."""

    def __init__(self, source: str) -> None:
        path = Path(source).expanduser().absolute()
        self.index_path = path / INDEX if path.is_dir() else path
        self.name = str(self.index_path)

    async def index(self, current: Mapping[str, Any]) -> _Answer | None:
        return _Answer(_read_bounded(self.index_path, MAX_INDEX_BYTES), {})

    async def file(self, entry: Entry) -> bytes:
        return _read_bounded(self.index_path.parent / entry.plugin / entry.name, entry.size)


def _read_bounded(path: Path, limit: int) -> bytes:
    """A regular file of at most ``limit`` bytes (not a link), read no further."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as exc:
        raise BundleError(f"读不到 {path}（{exc.strerror or exc}）") from None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise BundleError(f"{path} 不是普通文件")
        body = handle.read(limit + 1)
    if len(body) > limit:
        raise BundleError(f"{path} 超过 {limit} 字节")
    return body


class _Web(_Origin):
    """A bundle on a web server: its files beside the index (after redirects)."""

    def __init__(self, url: str, policy: Policy, session: httpx.AsyncClient, own: bool) -> None:
        self.name = url
        self.policy = policy
        self.session = session
        self.own = own
        self.base = url

    @classmethod
    async def open(cls, source: str, policy: Policy, http: httpx.AsyncClient | None) -> _Web:
        from kuaiji.io.net import FetchError, check_url, client

        try:
            url = check_url(source, policy, field="--from")
        except FetchError as exc:
            raise BundleError(
                f"{exc}（给出规则包 index.json 的 https 网址，或本机的文件夹）", usage=True
            ) from None
        return cls(str(url), policy, http or client(policy), http is None)

    async def index(self, current: Mapping[str, Any]) -> _Answer | None:
        headers = {}
        if current.get("etag"):
            headers["If-None-Match"] = str(current["etag"])
        if current.get("last_modified"):
            headers["If-Modified-Since"] = str(current["last_modified"])
        got = await self._get(self.name, MAX_INDEX_BYTES, headers)
        if got.status == 304:
            return None
        if got.status != 200:
            raise BundleError(f"索引：{self.name} 答复 HTTP {got.status}")
        self.base = got.url  # the files lie beside the index, after redirects
        return _Answer(
            got.body,
            {"etag": got.headers.get("etag"), "last_modified": got.headers.get("last-modified")},
        )

    async def file(self, entry: Entry) -> bytes:
        import httpx

        url = str(httpx.URL(self.base).join(entry.path))
        got = await self._get(url, entry.size, {})
        if got.status != 200:
            raise BundleError(f"{entry.path}：HTTP {got.status}")
        body: bytes = got.body
        return body

    async def _get(self, url: str, cap: int, headers: dict[str, str]) -> Any:
        from kuaiji.io.net import FetchError, fetch

        try:
            return await fetch(
                self.session, url, attrs.evolve(self.policy, max_bytes=cap), headers=headers
            )
        except FetchError as exc:
            raise BundleError(f"{url}：{exc}") from None

    async def close(self) -> None:
        if self.own:
            await self.session.aclose()


# --- status and reset ---


@attrs.frozen
class DataSource:
    plugin: str
    origin: str  # bundled | updated
    updated: dt.date | None
    bundled_updated: dt.date | None
    where: str
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "origin": self.origin,
            "updated": self.updated.isoformat() if self.updated else None,
            "bundled_updated": self.bundled_updated.isoformat() if self.bundled_updated else None,
            "where": self.where,
            "problem": self.problem,
        }


@attrs.frozen
class Feed:
    """The installed feed: which version of whose index, how old, until when."""

    feed: str
    version: int
    keyid: str
    created: dt.datetime | None
    expires: dt.datetime | None
    source: str
    installed: dt.datetime | None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires is not None and self.expires <= now

    def to_dict(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "version": self.version,
            "keyid": self.keyid,
            "created": clock.iso(self.created),
            "expires": clock.iso(self.expires),
            "expired": self.expired(now),
            "age_days": (now - self.created).days if self.created else None,
            "source": self.source,
            "installed": clock.iso(self.installed),
        }


@attrs.frozen
class Status:
    cache: str
    feed: Feed | None
    problem: str | None  # what is wrong with the rules cache, if anything
    reset: str | None  # how to put it right, when something is wrong
    plugins: tuple[DataSource, ...]

    def to_dict(self) -> dict[str, Any]:
        now = clock.now()
        return {
            "cache": self.cache,
            "feed": self.feed.to_dict(now) if self.feed else None,
            "problem": self.problem,
            "reset": self.reset,
            "plugins": [s.to_dict() for s in self.plugins],
        }


def sources(root: Path | None = None) -> list[DataSource]:
    """Where each loaded plugin's data comes from, and its date."""
    root = root or cache_dir()
    try:
        install = current_install(root)
    except DataError:
        install = None
    out = []
    for name, data in sorted(_loaded_plugins().items()):
        origin = data.origin
        try:
            bundled = max((d.updated for d in data.bundled), default=None)
        except DataError:
            bundled = None
        if origin == "updated" and install is not None:
            where = str(install.folder / name)
        else:
            where = f"{data.package}/data"
        out.append(DataSource(name, origin, data.updated, bundled, where, data.problem))
    return out


def status(root: Path | None = None) -> Status:
    """The installed feed, what is wrong with the cache, and each plugin's data source."""
    root = root or cache_dir()
    plugins = tuple(sources(root))
    problem = None
    feed = None
    try:
        if root.exists() and not trusted_folder(str(root)):
            raise DataError(
                f"{root}：规则缓存文件夹不是当前用户私有的（或路径上有他人可写的文件夹）"
            )
        state = read_state(root) if root.exists() else None
        current_install(root)
        record = state.get("current") if state else None
        if isinstance(record, dict):
            feed = Feed(
                str(record.get("feed")),
                int(record.get("version") or 0),
                str(record.get("keyid")),
                _moment(record.get("created")),
                _moment(record.get("expires")),
                str(record.get("source")),
                _moment(record.get("installed")),
            )
    except (DataError, ValueError, TypeError) as exc:
        problem = str(exc)
    problem = problem or next((p.problem for p in plugins if p.problem), None)
    reset = None
    if not problem and root.exists():
        try:
            read_floors(root)
        except BundleError as exc:
            problem, reset = str(exc), f"确认后删除文件 {root / FLOORS}"
    if problem and not reset:
        if root.exists() and not trusted_folder(str(root)):
            reset = f"把环境变量 KUAIJI_CACHE_DIR 设为只有你能写的文件夹，或删除文件夹 {root}"
        else:
            reset = f"kuaiji rules reset（或删除文件夹 {root}）"
    return Status(str(root), feed, problem, reset, plugins)


def _moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def reset(root: Path | None = None) -> list[str]:
    """Remove the installed rules (every install, the state file, what kuaiji 0.2 left):
    every plugin uses its bundled data again. The version floors (``floors.json``) are kept.
    The names removed."""
    root = root or cache_dir()
    if not root.is_dir() or root.is_symlink():
        return []
    loaded = _loaded_plugins()
    with contextlib.suppress(BundleError, DataError):  # floors still only in state.json: kept
        if read_floors(root) is None and trusted_folder(str(root)):
            floors = _migrated(read_state(root) or {})
            if floors:
                _write_json(root / FLOORS, {"format": FLOORS_FORMAT, "feeds": floors})
    removed = _prune(root, {}, loaded)
    state = root / STATE
    if state.exists() or state.is_symlink():
        state.unlink()
        removed.append(STATE)
    _reload(root, loaded)
    return sorted(removed)
