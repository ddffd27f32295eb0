"""The one import for plugin authors: ``from kuaiji import plugin`` (or
``from kuaiji.plugin import hookimpl, Finding, …``).

Everything a province plugin needs is here, typed, and promised for the plugin API's
version :data:`API_VERSION` (``docs/writing-a-plugin.md``, "What ``kuaiji.plugin``
promises"). The in-tree plugins import nothing else from the core; a test fails if one does.

- the hook marker and the constant hooks: :data:`hookimpl`, :func:`declared`, :class:`PluginData`
- what hooks receive: :class:`Context`, :class:`Region`, :class:`Move`, :class:`ScheduleView`
- what hooks return: :class:`Finding`, :class:`Step`, :class:`ChangeDecision`,
  :class:`TransferStep`, :class:`AccountRecovery`, :class:`RuleDoc`, :class:`Override`, …
- the candidate's parts (:class:`Education`, :class:`Collection`, :class:`Photo`, …) and
  enums (:class:`CollectionStatus`, :class:`EducationLevel`, …)
- what a rule reads, so that batches may reuse its answers: :func:`reads`
- the helpers plugins really use: :func:`record_deadline`, :func:`lead_time`,
  :func:`human`, :func:`workdays_after`, :func:`active_platform`, :func:`account_step`, and
  the national baseline's checks a plugin may wrap (``baseline_*``).
"""

from __future__ import annotations

import datetime as dt

from kuaiji.model.candidate import (
    Attachments,
    Candidate,
    Collection,
    CollectionStatus,
    ContinuingEducation,
    Education,
    EducationLevel,
    EducationMode,
    Exemption,
    Gender,
    IdType,
    NationalAccount,
    Photo,
    ProvincialReview,
    Qualification,
    QualificationKind,
    QualificationLevel,
    QualificationMethod,
    ReviewStatus,
    Work,
    WorkStatus,
)
from kuaiji.model.clock import human, workdays_after, workdays_before
from kuaiji.model.context import Context, Move, PhotoInfo, Region, ScheduleView
from kuaiji.model.results import (
    AccountRecovery,
    Alternative,
    ChangeDecision,
    Contact,
    Decision,
    Event,
    EventKind,
    ExamLevel,
    Fact,
    FieldChange,
    Finding,
    Jurisdiction,
    Override,
    OverrideAction,
    Platform,
    Reliability,
    Requirement,
    ReviewTime,
    Role,
    RuleDoc,
    Schedule,
    Severity,
    Step,
    TransferPhase,
    TransferStep,
)
from kuaiji.registry.data import PluginData
from kuaiji.registry.hookspecs import API_VERSION, declared, hookimpl
from kuaiji.registry.memo import reads
from kuaiji.schedule.leads import LeadTime, lead_time

NATIONAL_PLATFORM = "ausm"
"""The id of 全国会计人员统一服务管理平台 in the national data (its platforms' ``id``)."""


def record_deadline(ctx: Context) -> dt.datetime | None:
    """When the record must be in order for this exam: the collection cutoff, else the
    registration close; None for a year not published (no deadline is guessed)."""
    return ctx.schedule.record_deadline


def active_platform(ctx: Context, role: Role, platform_id: str) -> Platform | None:
    """The plugin's own platform ``platform_id`` when it handles ``role`` in the candidate's
    region at ``ctx.at``; None once another platform (e.g. the national one) has the role."""
    platform = ctx.platform(role)
    return platform if platform is not None and platform.id == platform_id else None


# --- the national baseline's checks a plugin may wrap (each is what the baseline reports) ---


def baseline_collection_required(ctx: Context) -> list[Finding]:
    """The national ``collection.required`` finding (approval before registering)."""
    from kuaiji.national import collection

    return collection.collection_required(ctx)


def baseline_photo_spec(ctx: Context) -> list[Finding]:
    """The national ``photo.spec`` finding (a jpg/png file, ≥10 KB, ≥295×413 px)."""
    from kuaiji.national import collection

    return collection.photo_spec(ctx)


def baseline_photo_not_checked(ctx: Context, rule: str) -> list[Finding] | None:
    """No photo given but the record is approved where it counts: an info finding under
    ``rule`` ("未提供，未检查"); None when that is not the case."""
    from kuaiji.national import collection

    return collection.photo_not_checked(ctx, rule)


def baseline_transfer_cross_province(ctx: Context) -> list[Finding]:
    """The national ``transfer.cross_province`` finding (the record is held elsewhere)."""
    from kuaiji.national import collection

    return collection.transfer_cross_province(ctx)


def required_work_years(ctx: Context) -> int | None:
    """The fewest years of accounting work the candidate's education asks for 中级 (None
    when no route is known or a qualification route needs none)."""
    from kuaiji.national import eligibility

    return eligibility.required_work_years(ctx)


def account_step(
    ctx: Context,
    deadline: dt.datetime | None,
    *,
    title: str = "在全国会计人员统一服务管理平台注册并实名认证",
    before: str | None = None,
    after: str | None = None,
    source: str | None = None,
) -> Step:
    """The national platform's account step (register and real-name by ``deadline``, with
    its latest safe start), for a plugin that moves the deadline (e.g. a provincial review)."""
    from kuaiji.national import timeline

    if source is None:
        return timeline.account_step(ctx, deadline, title=title, before=before, after=after)
    return timeline.account_step(
        ctx, deadline, title=title, before=before, after=after, source=source
    )


__all__ = [
    "API_VERSION",
    "NATIONAL_PLATFORM",
    "AccountRecovery",
    "Alternative",
    "Attachments",
    "Candidate",
    "ChangeDecision",
    "Collection",
    "CollectionStatus",
    "Contact",
    "Context",
    "ContinuingEducation",
    "Decision",
    "Education",
    "EducationLevel",
    "EducationMode",
    "Event",
    "EventKind",
    "ExamLevel",
    "Exemption",
    "Fact",
    "FieldChange",
    "Finding",
    "Gender",
    "IdType",
    "Jurisdiction",
    "LeadTime",
    "Move",
    "NationalAccount",
    "Override",
    "OverrideAction",
    "Photo",
    "PhotoInfo",
    "Platform",
    "PluginData",
    "ProvincialReview",
    "Qualification",
    "QualificationKind",
    "QualificationLevel",
    "QualificationMethod",
    "Region",
    "Reliability",
    "Requirement",
    "ReviewStatus",
    "ReviewTime",
    "Role",
    "RuleDoc",
    "Schedule",
    "ScheduleView",
    "Severity",
    "Step",
    "TransferPhase",
    "TransferStep",
    "Work",
    "WorkStatus",
    "account_step",
    "active_platform",
    "baseline_collection_required",
    "baseline_photo_not_checked",
    "baseline_photo_spec",
    "baseline_transfer_cross_province",
    "declared",
    "hookimpl",
    "human",
    "lead_time",
    "reads",
    "record_deadline",
    "required_work_years",
    "workdays_after",
    "workdays_before",
]
