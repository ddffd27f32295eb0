"""The small frozen records that hooks return and that data files load into.

Every fact carries its ``source``: a seed file (``seed:001-….txt``) or a public URL.
What no source gives stays ``None`` and is reported as unknown, never guessed.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

NATIONAL_CODE = "CN"
"""The code of the national jurisdiction, the root of every region chain."""


class Severity(enum.StrEnum):
    """How a finding weighs on the verdict: an ``error`` must be fixed by the candidate;
    ``pending`` blocks registration until someone else decides (a review of a submitted
    record); ``warning`` and ``info`` do not block."""

    ERROR = "error"
    PENDING = "pending"
    WARNING = "warning"
    INFO = "info"


class ExamLevel(enum.StrEnum):
    JUNIOR = "junior"  # 初级
    INTERMEDIATE = "intermediate"  # 中级

    @property
    def zh(self) -> str:
        return {"junior": "初级", "intermediate": "中级"}[self.value]


class Role(enum.StrEnum):
    """What a platform is used for."""

    REGISTRATION = "registration"  # account on the platform, exam registration and payment
    COLLECTION = "collection"  # 会计人员信息采集
    CHANGE = "change"  # 信息变更
    TRANSFER = "transfer"  # 调转 (transfer of the record)
    REVIEW = "review"  # a provincial qualification review before registering
    ADMISSION_TICKET = "admission_ticket"  # 准考证
    SCORES = "scores"
    CONTINUING_EDUCATION = "continuing_education"
    NOTICES = "notices"


class Reliability(enum.StrEnum):
    HIGH = "high"
    LOW = "low"


class EventKind(enum.StrEnum):
    REGISTRATION = "registration"  # 报名 (one event per phase)
    PAYMENT = "payment"  # 缴费截止
    COLLECTION = "collection"  # 信息采集截止
    CHANGE = "change"  # 信息变更截止
    TRANSFER = "transfer"  # 调转截止
    REVIEW = "review"  # a provincial review window
    ADMISSION_TICKET = "admission_ticket"  # 准考证打印
    EXAM = "exam"  # 考试
    OTHER = "other"


@attrs.frozen
class Alternative:
    """A value that another source gives for the same fact: kept visible, not chosen."""

    source: str
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    value: str | None = None
    reliability: Reliability = Reliability.LOW
    note: str | None = None


@attrs.frozen
class Platform:
    """A web platform and what it is used for, between two dates (inclusive)."""

    id: str
    name: str
    roles: tuple[Role, ...]
    source: str
    url: str | None = None  # None: no source gives it (say so, never invent one)
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    reliability: Reliability = Reliability.HIGH
    note: str | None = None
    access: str | None = None  # other ways in, e.g. a WeChat account menu
    # Why ``url`` is not https, when it is not: a source gives only http, or no scheme.
    # The validator refuses a non-https URL without it.
    plain_url_reason: str | None = None

    def effective_on(self, day: dt.date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_until is None or day <= self.effective_until


@attrs.frozen
class ReviewTime:
    """How long the finance bureau's review of a submitted record takes, as a source says:
    up to ``working_days`` (the longest figure given; ``least`` the shortest, when a range).
    ``note`` is Chinese and shown; ``inferred`` when read from a looser wording."""

    working_days: int
    source: str
    least: int | None = None
    inferred: bool = False
    note: str | None = None
    alternatives: tuple[Alternative, ...] = ()

    @property
    def text(self) -> str:
        span = f"{self.least}–{self.working_days}" if self.least else f"{self.working_days}"
        return f"{span} 个工作日"


@attrs.frozen
class Jurisdiction:
    """A region a plugin serves: a province, a city with its own exam area, or the nation.

    ``code`` is a GB/T 2260 prefix (``44``, ``4403``), ``CN`` for the nation, or
    ``66`` for 兵团 (a kuaiji convention: 兵团 has no GB/T 2260 province code).
    """

    code: str
    name: str
    source: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    platforms: tuple[Platform, ...] = ()
    exam_area: bool = True
    note: str | None = None
    # How long the review of a submitted record takes here (None: no source says; a
    # narrower jurisdiction's figure replaces a broader one's).
    collection_review: ReviewTime | None = None
    plugin: str = ""  # filled in by the core


@attrs.frozen
class Event:
    """One dated fact of an exam year: a window (opens and closes) or a deadline (closes).

    Events with the same ``id`` form one group (e.g. two registration phases); a more
    specific region's group replaces a broader one's.
    """

    id: str
    kind: EventKind
    source: str
    title: str | None = None
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    reliability: Reliability = Reliability.HIGH
    inferred: bool = False  # the value is read from the source by a stated inference
    note: str | None = None
    alternatives: tuple[Alternative, ...] = ()
    # What it takes to beat ``closes`` (a review "within N working days", a transfer of
    # "1–2 weeks"): the core turns it into a latest safe start (kuaiji.commands.deadlines).
    working_days: int | None = None
    calendar_days: int | None = None
    # An estimate for a year not yet published (kuaiji.schedule.projection), never in data files.
    projected: bool = False
    region: str = ""  # filled in by the loader
    # What a candidate reads of ``note`` (which is for maintainers, in any language): Chinese
    # and short; the validator refuses a ``note`` without it (kuaiji.model.sources.shown_note).
    note_zh: str | None = None


@attrs.frozen
class Fact:
    """A yes / no / unknown fact with its source (``value`` None means not known)."""

    source: str
    value: bool | None = None
    note: str | None = None
    note_zh: str | None = None  # what a candidate reads of ``note``: Chinese (as for Event)


@attrs.frozen
class Requirement:
    """Something a source asks of every candidate of a region for one exam, beyond its dates
    (e.g. "choose the exam and level while collecting"): shown to each candidate of the
    region as a ``notice.regional`` finding. ``text`` and ``action`` are Chinese, for people.
    A more specific region's requirement with the same ``id`` replaces a broader one's."""

    id: str
    text: str
    source: str
    action: str | None = None
    severity: Severity = Severity.INFO


@attrs.frozen
class Schedule:
    """What one region's data says about one exam (level and year)."""

    region: str
    level: ExamLevel
    year: int
    source: str
    events: tuple[Event, ...] = ()
    collection_required: Fact | None = None
    note: str | None = None
    requirements: tuple[Requirement, ...] = ()
    plugin: str = ""  # filled in by the core


@attrs.frozen
class Finding:
    """What a check hook reports: one rule's verdict on one candidate.

    ``deadline`` is the latest moment the problem can still be fixed; an error whose
    deadline has passed makes the verdict ``too_late``.
    """

    rule: str
    severity: Severity
    message: str
    action: str | None = None
    deadline: dt.datetime | None = None
    url: str | None = None
    source: str | None = None
    plugin: str = ""  # filled in by the core


@attrs.frozen
class Step:
    """One step of the candidate's timeline. A more specific plugin's step with the same
    ``id`` replaces a broader one's."""

    id: str
    title: str
    platform: str | None = None
    url: str | None = None
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    done: bool | None = None  # None: not applicable or not known
    latest_start: dt.datetime | None = None
    note: str | None = None
    source: str | None = None
    applies: bool = True  # False: a more specific plugin removes a broader plugin's step
    projected: bool = False  # its dates are estimates (预计) for a year not yet published
    plugin: str = ""  # filled in by the core


class OverrideAction(enum.StrEnum):
    REPLACE = "replace"  # another rule of the overriding plugin takes its place
    WAIVE = "waive"  # the rule does not apply in the overriding plugin's regions


@attrs.frozen
class Override:
    """A more specific plugin replacing or waiving a broader plugin's rule, by rule id."""

    rule: str
    action: OverrideAction
    reason: str
    source: str
    by: str | None = None  # the replacing rule id, for REPLACE
    plugin: str = ""  # filled in by the core


@attrs.frozen
class RuleDoc:
    """A rule id a plugin may report, documented (services key on rule ids)."""

    rule: str
    title: str
    family: str  # registration | collection | change | transfer | exam_precheck | plugin
    description: str
    plugin: str = ""  # filled in by the core


class Decision(enum.StrEnum):
    ALLOWED = "allowed"  # the candidate can change it on the platform
    IN_PERSON = "in_person"  # not online: only through the accounting office, in person
    REFUSED = "refused"
    UNKNOWN = "unknown"


@attrs.frozen
class FieldChange:
    """A change the candidate asks about: a field of the candidate file and its new value."""

    field: str
    value: str


@attrs.frozen
class ChangeDecision:
    """Whether a requested change is allowed, why, and where and how to do it."""

    field: str
    decision: Decision
    reason: str
    platform: str | None = None
    url: str | None = None
    how: str | None = None
    source: str | None = None
    plugin: str = ""  # filled in by the core


class TransferPhase(enum.StrEnum):
    OUT = "out"  # at the origin
    IN = "in"  # at the destination
    AFTER = "after"  # once the record has arrived


@attrs.frozen
class TransferStep:
    """One step of moving an accountant record between regions."""

    id: str
    phase: TransferPhase
    title: str
    platform: str | None = None
    url: str | None = None
    documents: tuple[str, ...] = ()
    working_days: int | None = None  # review time in working days (the maximum given)
    calendar_days: int | None = None  # lead time in calendar days when a source says weeks
    note: str | None = None
    source: str | None = None
    plugin: str = ""  # filled in by the core


@attrs.frozen
class Contact:
    """A finance bureau's accounting office a candidate can call or visit.

    ``code`` is the GB/T 2260 code or prefix it serves (``44`` for the province's own office,
    ``4401`` for a city's 市本级, ``440103`` for a district); None for an area with no code
    (e.g. a development zone), which is then found by name only.
    """

    name: str
    source: str
    code: str | None = None
    serves: tuple[str, ...] = ()  # further codes it serves (e.g. 珠海市 含金湾区、斗门区)
    phones: tuple[str, ...] = ()
    address: str | None = None
    note: str | None = None
    plugin: str = ""  # filled in by the core


@attrs.frozen
class AccountRecovery:
    """How a candidate gets back into a platform account: the procedure in order, and the
    password an office's reset sets, when a source gives it (public, printed as such; a
    new password equal to it is refused by ``kuaiji account check-password``)."""

    platform: str  # the platform's name
    steps: tuple[str, ...]
    source: str
    platform_id: str | None = None
    url: str | None = None
    reset_default: str | None = None
    note: str | None = None
    plugin: str = ""  # filled in by the core
