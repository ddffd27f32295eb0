"""The precheck: resolve the region, merge the schedule, call the hooks on the chain,
apply overrides, merge the timeline and decide the verdict."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from kuaiji.errors import InputError
from kuaiji.io.convert import structure
from kuaiji.io.masking import mask_id, mask_name, mask_phone, scrub_text
from kuaiji.io.photo import inspect as inspect_photo
from kuaiji.model import clock
from kuaiji.model.candidate import Candidate
from kuaiji.model.context import Context, PhotoInfo, Region, ScheduleView
from kuaiji.model.results import (
    ExamLevel,
    Finding,
    Severity,
    Step,
)
from kuaiji.registry.manager import NATIONAL, HookResult, PluginProblem, Registry, get_registry
from kuaiji.registry.schedules import check_year, schedule_view

CHECK_HOOKS = ("kuaiji_registration", "kuaiji_collection", "kuaiji_exam_precheck")
PLUGIN_ERROR = "plugin.error"


class Verdict(enum.StrEnum):
    """The answer services key on (README, "The contract")."""

    READY = "ready"  # nothing blocks registration (exit code 0)
    PENDING = "pending"  # only a review of what was submitted remains (exit code 4)
    NOT_READY = "not_ready"  # the candidate must still act (exit code 1)
    TOO_LATE = "too_late"  # a blocking deadline has passed (exit code 1)


EXIT_CODES = {Verdict.READY: 0, Verdict.NOT_READY: 1, Verdict.TOO_LATE: 1, Verdict.PENDING: 4}


# --- loading candidates ---


def load_candidate(path: str | Path) -> Candidate:
    """Read a candidate JSON file; :class:`InputError` names the file and every bad field.

    UTF-8, with or without the BOM Windows Notepad writes. Any other encoding (UTF-16, GBK /
    GB18030) is one error naming it and how to save the file as UTF-8. Only a regular file
    of at most 1 MB is read (``MAX_CANDIDATE_BYTES``): a device such as ``/dev/zero``, a FIFO
    or a larger file is refused before reading."""
    from kuaiji.io.convert import (
        MAX_CANDIDATE_BYTES,
        FileTooLarge,
        NotRegularFile,
        decode_text,
        read_bounded,
    )

    where = str(path)
    try:
        raw = read_bounded(path, MAX_CANDIDATE_BYTES)
    except FileNotFoundError:
        raise InputError.single(
            "", "找不到这个文件", "检查路径和文件名（可用 kuaiji init 新建考生文件）", source=where
        ) from None
    except IsADirectoryError:
        raise InputError.single(
            "", "这是一个文件夹，不是文件", "给出考生文件（.json）的路径", source=where
        ) from None
    except PermissionError:
        raise InputError.single(
            "", "没有读取这个文件的权限", "检查文件权限", source=where
        ) from None
    except NotRegularFile:
        raise InputError.single(
            "",
            "这不是普通文件（是设备、管道或套接字），没有读取",
            "给出考生文件（.json）的路径；从管道读取请用 - 表示标准输入",
            source=where,
        ) from None
    except FileTooLarge as exc:
        raise InputError.single(
            "", _too_large(exc.size), "一个考生文件只写一位考生（几 KB）", source=where
        ) from None
    except OSError as exc:
        raise InputError.single(
            "", f"无法读取文件（{type(exc).__name__}）", "检查路径和磁盘", source=where
        ) from None
    candidate = parse_candidate(decode_text(raw, source=where), source=where)
    _remember_folder(candidate, Path(path).parent)
    return candidate


# A candidate read from a file reads its photo beside that file when precheck() is given no
# base_dir (keyed by the object, forgotten with it).
_FOLDERS: dict[int, Path] = {}


def _remember_folder(candidate: Candidate, folder: Path) -> None:
    import weakref

    key = id(candidate)
    _FOLDERS[key] = folder.resolve()
    weakref.finalize(candidate, _FOLDERS.pop, key, None)


def _too_large(size: int) -> str:
    """Too large for one candidate (:data:`kuaiji.io.convert.MAX_CANDIDATE_BYTES`, 1 MB)."""
    if size >= 2 << 20:
        return f"文件有 {size / (1 << 20):.0f} MB，超过 1 MB 的上限，不像考生文件"
    return "文件超过 1 MB 的上限，不像考生文件"


def read_candidate_text(stream: Any, *, source: str = "<stdin>") -> Candidate:
    """A candidate from a text stream (standard input): at most 1 MB is read, so that an
    endless stream (``< /dev/zero``) is refused rather than read until memory runs out."""
    from kuaiji.io.convert import MAX_CANDIDATE_BYTES

    text = stream.read(MAX_CANDIDATE_BYTES + 1)
    if len(text) > MAX_CANDIDATE_BYTES:
        raise InputError.single(
            "", _too_large(len(text)), "一个考生文件只写一位考生（几 KB）", source=source
        )
    return parse_candidate(text, source=source)


def parse_candidate(text: str, *, source: str = "<stdin>") -> Candidate:
    """A candidate from JSON text (a leading BOM is dropped); JSON errors in Chinese."""
    from kuaiji.io.convert import parse_json

    return candidate_from_dict(parse_json(text, source=source), source=source)


def candidate_from_dict(data: Any, *, source: str | None = None) -> Candidate:
    """A candidate from a JSON-like dict (English values, or their Chinese words; lenient
    dates, phones and ID numbers): :class:`InputError` in Chinese names every bad field."""
    return structure(data, Candidate, source=source)


@attrs.frozen
class Report:
    verdict: Verdict
    candidate: Candidate
    region: Region
    level: ExamLevel
    year: int
    at: dt.datetime
    findings: tuple[Finding, ...]
    steps: tuple[Step, ...]
    schedule: ScheduleView
    produced_by: dict[str, Any] = attrs.field(factory=dict, eq=False)  # kuaiji.registry.provenance

    @property
    def plugin_failed(self) -> bool:
        return any(f.rule == PLUGIN_ERROR for f in self.findings)

    @property
    def exit_code(self) -> int:
        if self.plugin_failed:
            return 3
        return EXIT_CODES[self.verdict]

    def to_dict(self, *, show_personal_data: bool = False) -> dict[str, Any]:
        """The JSON form (``kuaiji precheck --json``); personal data masked by default."""
        c = self.candidate
        doubtful = self.region.doubtful_urls
        return {
            "verdict": self.verdict.value,
            "candidate": {
                "name": c.name if show_personal_data else mask_name(c.name),
                "id_number": c.id_number if show_personal_data else mask_id(c.id_number),
                "phone": c.phone if show_personal_data else mask_phone(c.phone),
            },
            "region": {
                "code": self.region.code,
                "name": self.region.name,
                "exam_area": self.region.exam_area.name,
                "chain": list(self.region.plugins),
            },
            "exam": {"level": self.level.value, "year": self.year},
            "schedule": {
                "data_year": self.schedule.data_year,
                "known": self.schedule.known,
                "projected_from": list(self.schedule.projected_from),
                "basis": self.schedule.basis,
            },
            "at": clock.iso(self.at),
            "findings": [_marked(finding_dict(f), doubtful) for f in self.findings],
            "steps": [_marked(step_dict(s), doubtful) for s in self.steps],
            "produced_by": self.produced_by,
        }


def _marked(row: dict[str, Any], doubtful: frozenset[str]) -> dict[str, Any]:
    """``url_reliability``: "low" when the URL comes from a source of low reliability."""
    row["url_reliability"] = "low" if row.get("url") in doubtful else None
    return row


@functools.lru_cache(maxsize=4096)  # sources come from data: a few hundred, formatted per answer
def _source_text(source: str | None) -> str | None:
    from kuaiji.model.sources import source_text

    return source_text(source) or None


def finding_row(f: Finding) -> dict[str, Any]:
    """A finding as a batch's result line holds it."""
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "plugin": f.plugin,
        "message": f.message,
        "action": f.action,
        "deadline": clock.iso(f.deadline),
        "url": f.url,
        "source": f.source,
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    """A finding as a report's JSON holds it: the batch's fields and the source in words."""
    row = finding_row(f)
    row["source_text"] = _source_text(f.source)
    return row


def step_dict(s: Step) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "platform": s.platform,
        "url": s.url,
        "opens": clock.iso(s.opens),
        "closes": clock.iso(s.closes),
        "latest_start": clock.iso(s.latest_start),
        "done": s.done,
        "note": s.note,
        "note_zh": s.note,  # a step's note is already what a person reads (Chinese)
        "source": s.source,
        "source_text": _source_text(s.source),
        "plugin": s.plugin,
        "projected": s.projected,
    }


# --- the precheck ---


def build_context(
    candidate: Candidate,
    *,
    exam: ExamLevel | str,
    year: int,
    at: dt.datetime | str | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
    read_photo: bool = True,
) -> Context:
    """Resolve the regions, merge the schedule and (unless ``read_photo`` is False) read
    the photo: the context every hook receives."""
    registry = registry or get_registry()
    level = exam_level(exam)
    year = check_year(registry, level, year)  # 2026.0 == 2026 as a key: checked, not looked up
    moment = clock.now() if at is None else aware(at)
    region = registry.resolve(candidate.region)
    record_region = None
    if candidate.collection is not None and candidate.collection.region:
        record_region = registry.resolve(candidate.collection.region, field="collection.region")
    schedule = schedule_view(registry, region, level, year)
    photo = None
    if read_photo and candidate.photo is not None and candidate.photo.path is not None:
        folder = base_dir or _FOLDERS.get(id(candidate)) or Path.cwd()
        photo = inspect_photo(candidate.photo.path, folder)
    elif read_photo and candidate.photo is not None and candidate.photo.known:
        photo = _known_photo(candidate.photo)
    return Context(candidate, level, year, moment, region, schedule, base_dir, record_region, photo)


def precheck(
    candidate: Candidate,
    *,
    exam: ExamLevel | str,
    year: int,
    at: dt.datetime | str | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
    timeline: bool = True,
) -> Report:
    """Is ``candidate`` ready to register for ``exam`` (junior | intermediate) of ``year``,
    evaluated at ``at`` (default: now, Asia/Shanghai)? A relative ``photo.path`` is read in
    ``base_dir``; by default beside the file :func:`load_candidate` read the candidate from
    (else the working folder). ``timeline=False`` skips the
    candidate's steps (batches report verdicts and findings only)."""
    registry = registry or get_registry()
    ctx = build_context(
        candidate, exam=exam, year=year, at=at, base_dir=base_dir, registry=registry
    )
    plugins = ctx.region.plugins
    findings: list[Finding] = [
        plugin_finding(p, loaded=p.plugin in registry.info)
        for p in registry.problems_for(ctx.region)
    ]
    for hook in CHECK_HOOKS:
        result = registry.call(hook, plugins, Finding, ctx=ctx)
        for _, records in result.records:
            findings += records
        if result.problems:
            findings.extend(plugin_finding(p) for p in result.problems)
    findings = apply_overrides(_once(findings), plugins, registry)
    steps: tuple[Step, ...] = ()
    if timeline:
        answers = registry.call("kuaiji_timeline", plugins, Step, ctx=ctx)
        findings.extend(plugin_finding(p) for p in answers.problems)
        findings = _once(findings)
        steps = merge_steps(answers)
        if not ctx.schedule.known:
            steps = tuple(_estimated(s) for s in steps)
    findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])
    findings, steps = _without_own_data(candidate, findings, steps)
    return Report(
        verdict=decide(findings, ctx.at),
        candidate=candidate,
        region=ctx.region,
        level=ctx.level,
        year=year,
        at=ctx.at,
        findings=tuple(findings),
        steps=steps,
        schedule=ctx.schedule,
        produced_by=registry.produced_by if timeline else {},
    )


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.PENDING: 1, Severity.WARNING: 2, Severity.INFO: 3}


def _without_own_data(
    candidate: Candidate, findings: list[Finding], steps: tuple[Step, ...]
) -> tuple[list[Finding], tuple[Step, ...]]:
    """Findings and steps with the candidate's own name, ID number, phone and e-mail masked
    wherever a plugin wrote them (the national baseline, the core's own code, never quotes
    them: its records are not searched)."""
    if all(f.plugin == NATIONAL for f in findings) and all(s.plugin == NATIONAL for s in steps):
        return findings, steps
    from kuaiji.io.masking import mask_email, mask_id, mask_name, mask_phone, own_data_masked

    own = tuple(
        (value, mask(value))
        for value, mask in (
            (candidate.id_number, mask_id),
            (candidate.phone, mask_phone),
            (candidate.email, mask_email),
            (candidate.name, mask_name),
        )
        if value and len(value) >= 2
    )

    def clean(record: Any, fields: tuple[str, ...]) -> Any:
        if record.plugin == NATIONAL:
            return record
        changed = {
            name: own_data_masked(text, own)
            for name in fields
            if isinstance(text := getattr(record, name), str)
            and any(value in text for value, _ in own)
        }
        return attrs.evolve(record, **changed) if changed else record

    return (
        [clean(f, ("message", "action", "url", "source")) for f in findings],
        tuple(clean(s, ("title", "platform", "url", "note", "source")) for s in steps),
    )


def decide(findings: Iterable[Finding], at: dt.datetime) -> Verdict:
    """``too_late`` when a blocking finding's deadline has passed (an error, or a review
    still pending at its deadline); else ``not_ready`` when an error remains; else
    ``pending`` when only reviews remain; else ``ready``. The verdict follows from the
    findings alone, so it can never contradict them."""
    findings = list(findings)
    blocking = [
        f
        for f in findings
        if f.severity in (Severity.ERROR, Severity.PENDING) and f.rule != PLUGIN_ERROR
    ]
    if any(f.deadline is not None and f.deadline <= at for f in blocking):
        return Verdict.TOO_LATE
    if any(f.severity is Severity.ERROR for f in findings):
        return Verdict.NOT_READY
    if blocking:
        return Verdict.PENDING
    return Verdict.READY


def apply_overrides(
    findings: Sequence[Finding], plugins: Sequence[str], registry: Registry
) -> list[Finding]:
    """Drop the findings that a more specific plugin on the chain replaces or waives."""
    chain = tuple(plugins)
    found = registry.chain_overrides.get(chain)
    if found is None:
        found = _overridden(chain, registry)
        if len(registry.chain_overrides) >= 256:  # bounded: a library may pass any chain
            registry.chain_overrides.clear()
        registry.chain_overrides[chain] = found
    rank, dropped = found
    if not dropped:
        return list(findings)
    return [
        f
        for f in findings
        if f.rule not in dropped or rank.get(f.plugin, len(plugins)) >= dropped[f.rule]
    ]


def _overridden(
    plugins: tuple[str, ...], registry: Registry
) -> tuple[dict[str, int], dict[str, int]]:
    """The rank of each plugin on the chain, and each overridden rule id with the rank of
    the most specific plugin overriding it."""
    rank = {name: i for i, name in enumerate(plugins)}
    dropped: dict[str, int] = {}
    for name in plugins:
        for override in registry.overrides.get(name, ()):
            dropped[override.rule] = max(dropped.get(override.rule, -1), rank[name])
    return rank, dropped


def merge_steps(result: HookResult) -> tuple[Step, ...]:
    """Broadest plugin's steps first, in its order. A more specific plugin's step replaces
    the one with the same id in place; its new steps keep their own order and go before the
    first earlier step that closes at the same time or later (extra steps are usually
    prerequisites). A step whose final version has ``applies=False`` is dropped."""
    steps: list[Step] = []
    for _, records in result.records:
        earlier = list(steps)  # steps of broader plugins: new steps are placed among these
        last = -1  # keep this plugin's own order
        for step in records:
            index = next((i for i, s in enumerate(steps) if s.id == step.id), None)
            if index is not None:
                steps[index] = step
                last = max(last, index)
                continue
            when = step.closes or step.opens
            anchor = None
            if when is not None:
                anchor = next(
                    (s for s in earlier if _when(s) is not None and _when(s) >= when), None
                )
            # The anchor may have been replaced by this plugin: find its place by id.
            position = next(
                (i for i, s in enumerate(steps) if anchor is not None and s.id == anchor.id),
                len(steps),
            )
            position = max(position, last + 1)
            steps.insert(position, step)
            last = position
    return tuple(s for s in steps if s.applies)


def _estimated(step: Step) -> Step:
    """A dated step of a year not yet published: its dates are estimates (预计). A done step's
    dates are estimates too; its title stays as it is (nothing is left to do)."""
    if step.opens is None and step.closes is None and step.latest_start is None:
        return step
    if step.done:
        return attrs.evolve(step, projected=True)
    title = step.title if "预计" in step.title else f"{step.title}（预计）"
    return attrs.evolve(step, title=title, projected=True)


def _when(step: Step) -> dt.datetime | None:
    return step.closes or step.opens


def _once(findings: list[Finding]) -> list[Finding]:
    """The findings with each plugin failure once (a plugin cut off after a timeout says
    so for every hook it is no longer called for)."""
    seen: set[str] = set()
    out: list[Finding] = []
    for finding in findings:
        if finding.rule == PLUGIN_ERROR:
            if finding.message in seen:
                continue
            seen.add(finding.message)
        out.append(finding)
    return out


def plugin_finding(problem: PluginProblem, *, loaded: bool = True) -> Finding:
    """A plugin's failure as the candidate reads it: an error when the plugin serves the
    candidate's region (its answer is missing or refused); a warning when it failed to load
    at all, so that nobody knows which regions it would have served."""
    where = f"（{problem.hook}）" if problem.hook else ""
    if not loaded:
        return Finding(
            rule=PLUGIN_ERROR,
            severity=Severity.WARNING,
            message=scrub_text(
                f"插件 {problem.plugin!r} 未能加载{where}：{problem.message}；"
                "如果它服务你的地区，这里缺少它的规则"
            ),
            action="请联系该插件的维护者，或用 KUAIJI_PLUGINS 排除该插件后重试",
            plugin=problem.plugin,
        )
    return Finding(
        rule=PLUGIN_ERROR,
        severity=Severity.ERROR,
        message=scrub_text(f"插件 {problem.plugin!r} 出错{where}：{problem.message}"),
        action="结果可能不完整：请联系该插件的维护者，或用 KUAIJI_PLUGINS 排除该插件后重试",
        plugin=problem.plugin,
    )


def _known_photo(given: Any) -> PhotoInfo:
    """What a candidate says of a photo it did not send, as the core would have read it."""
    fmt = str(given.format).strip().lower().removeprefix(".")
    fmt = {"jpg": "jpeg"}.get(fmt, fmt)
    suffix = {"jpeg": "jpg"}.get(fmt, fmt)
    return PhotoInfo(
        Path(f"(照片信息).{suffix}"),
        suffix,
        given.size_bytes,
        fmt,
        given.width,
        given.height,
        "RGB",
    )


def exam_level(exam: ExamLevel | str) -> ExamLevel:
    """``junior``/``intermediate`` or 初级/中级 as an ExamLevel."""
    if isinstance(exam, ExamLevel):
        return exam
    words = {"初级": ExamLevel.JUNIOR, "中级": ExamLevel.INTERMEDIATE}
    found = words.get(exam.strip()) if isinstance(exam, str) else None
    if found is not None:
        return found
    try:
        return ExamLevel(exam)
    except ValueError:
        shown = f"“{exam}”" if isinstance(exam, str) and len(exam) <= 20 else "这个值"
        raise InputError.single(
            "--exam", f"不认识的考试级别{shown}", "写 初级 或 中级（或 junior、intermediate）"
        ) from None


def aware(at: dt.datetime | str) -> dt.datetime:
    """``at`` in Beijing time: a naive datetime is Beijing time; text is read as ``--at``
    is (``2026-06-20 10:00``, RFC 3339…); anything else is an :class:`InputError`."""
    if isinstance(at, str):
        return clock.parse_at(at)
    if not isinstance(at, dt.datetime):
        raise InputError.single(
            "at", "评估时间应为日期时间", "给出 datetime，或如 2026-06-20T10:00:00+08:00 的文本"
        )
    if at.tzinfo is None:
        at = at.replace(tzinfo=clock.SHANGHAI)
    return at.astimezone(clock.SHANGHAI)


# --- plans ---
