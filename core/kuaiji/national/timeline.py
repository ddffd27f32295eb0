"""The national baseline's timeline: the steps from the national account to the exam, dated."""

from __future__ import annotations

import datetime as dt

from kuaiji.model import clock
from kuaiji.model.candidate import CollectionStatus
from kuaiji.model.context import Context
from kuaiji.model.results import (
    Event,
    EventKind,
    Platform,
    Reliability,
    Role,
    Step,
)
from kuaiji.model.sources import LOW_MARK, shown_note, source_text
from kuaiji.national import sources as S
from kuaiji.national.collection import latest_submission
from kuaiji.national.common import (
    AUSM,
    EVENT_ZH,
    REAL_NAME_REVIEW_WORKDAYS,
    record_deadline,
    step,
    uses_national_platform,
)
from kuaiji.schedule.leads import lead_time

AUSM_TAKEOVER = dt.date(2024, 8, 15)  # data/jurisdictions.json: ausm from 2024-08-15


def timeline(ctx: Context) -> list[Step]:
    schedule = ctx.schedule
    year_note = None  # a projected event's note says it is an estimate and what it rests on
    steps: list[Step] = []
    deadline = record_deadline(ctx) if schedule.known else None
    candidate = ctx.candidate

    if uses_national_platform(ctx):
        steps.append(account_step(ctx, deadline, after=year_note))

    required = schedule.collection_required
    elsewhere = _held_in_another_province(ctx)
    if required is not None and required.value is False:
        steps.append(
            step(
                id="collection",
                title=f"本考区 {ctx.year} 年{ctx.level.zh}考试报名前无需信息采集",
                done=True,
                note=shown_note(required),
                source=required.source,
            )
        )
    else:
        platform = ctx.platform(Role.COLLECTION)
        record = candidate.collection
        cutoff = schedule.first("collection")
        # What the source requiring collection says, unless the cutoff's own note (which
        # quotes the same notice, more precisely) is shown.
        said = (
            shown_note(required)
            if required is not None and required.value and not shown_note(cutoff)
            else None
        )
        steps.append(
            step(
                id="collection",
                title="完成会计人员信息采集并审核通过",
                platform=platform.name if platform else None,
                url=platform.url if platform else None,
                closes=cutoff.closes if cutoff is not None else schedule.registration_closes,
                done=record is not None
                and record.status is CollectionStatus.APPROVED
                and not elsewhere,
                latest_start=latest_submission(ctx)[0],
                note=_join(
                    None
                    if required is not None and required.value
                    else "现有资料未说明是否必须，建议报名前完成",
                    said,
                    _event_note(cutoff),
                    year_note,
                ),
                # The advice to collect before registering, when no source says it is required,
                # is seed 000's last line.
                source=_sources(
                    cutoff.source if cutoff is not None else None,
                    required.source if required is not None and (said or cutoff is None) else None,
                )
                or S.SEED_000,
            )
        )

    # A review before registering (e.g. a provincial qualification review) comes first.
    for review in schedule.events:
        if review.kind is EventKind.REVIEW:
            where = ctx.platform(Role.REVIEW, review.opens.date() if review.opens else None)
            steps.append(
                step(
                    id=review.id,
                    title=review.title or "报名前审核",
                    platform=where.name if where else None,
                    url=where.url if where else None,
                    opens=review.opens,
                    closes=review.closes,
                    note=_join(_event_note(review), year_note),
                    source=review.source,
                )
            )

    registration = ctx.registration_platform
    phases = schedule.registration
    for index, phase in enumerate(phases):
        suffix = f"（第 {index + 1} 阶段）" if len(phases) > 1 else ""
        steps.append(
            step(
                id="registration" if len(phases) == 1 else f"registration.{index + 1}",
                title=f"网上报名{suffix}",
                platform=registration.name if registration else None,
                url=registration.url if registration else None,
                opens=phase.opens,
                closes=phase.closes,
                note=_join(_event_note(phase), year_note),
                source=phase.source,
            )
        )
    for event_id, title in (
        ("payment", "网上缴费（缴费后不能修改、不予退费）"),
        ("admission_ticket", "打印准考证"),
        ("exam", "参加考试"),
    ):
        event = schedule.first(event_id)
        if event is None:
            continue
        platform = (
            ctx.platform(Role.ADMISSION_TICKET, event.opens.date() if event.opens else None)
            if event_id == "admission_ticket"
            else None
        )
        steps.append(
            step(
                id=event_id,
                title=title,
                platform=platform.name
                if platform
                else (registration.name if registration and event_id == "payment" else None),
                url=platform.url
                if platform
                else (registration.url if registration and event_id == "payment" else None),
                opens=event.opens,
                closes=event.closes,
                note=_join(_event_note(event), year_note),
                source=event.source,
            )
        )
    # Other dated events a candidate must act on: change cutoffs, and transfer cutoffs when
    # the record is held elsewhere (a province plugin may refine or remove them).
    moving = ctx.record_region is not None and ctx.record_region.code != ctx.region.code
    transfer_events = False
    for event in schedule.events:
        if event.kind is EventKind.CHANGE or (event.kind is EventKind.TRANSFER and moving):
            transfer_events = transfer_events or event.kind is EventKind.TRANSFER
            steps.append(
                step(
                    id=event.id,
                    title=event.title or EVENT_ZH[event.kind.value],
                    opens=event.opens,
                    closes=event.closes,
                    latest_start=lead.moment if (lead := lead_time(event)) else None,
                    note=_join(_event_note(event), lead.text if lead else None, year_note),
                    source=event.source,
                )
            )
    if elsewhere and not transfer_events and (required is None or required.value is not False):
        due = deadline
        if not schedule.known:  # the projected cutoff: the engine labels the step 预计
            cutoff = schedule.first("collection")
            due = cutoff.closes if cutoff and cutoff.closes else schedule.registration_closes
        steps.insert(0, cross_province_step(ctx, due))  # first of what closes together
    return _by_time(steps)


def _held_in_another_province(ctx: Context) -> bool:
    held, here = ctx.record_region, ctx.region
    return (
        held is not None
        and held.province is not None
        and here.province is not None
        and held.province.code != here.province.code
    )


def cross_province_step(ctx: Context, deadline: dt.datetime | None) -> Step:
    """Move the record from the province holding it, before the record deadline: the step
    that agrees with the ``transfer.cross_province`` finding."""
    held = ctx.record_region
    assert held is not None and held.province is not None and ctx.region.province is not None
    platform = ctx.platform(Role.TRANSFER)
    return step(
        id="transfer.cross_province",
        title=f"办理跨省调转：从{held.province.name}调出，调入{ctx.region.province.name}并经审核",
        platform=platform.name if platform else None,
        url=platform.url if platform else None,
        closes=deadline,
        done=False,
        note="全国资料未给出调转所需时间，请尽早办理；`kuaiji transfer` 给出各步骤",
        source=S.AUSM_TRANSFER if platform is not None and platform.id == AUSM else S.SEED_003,
    )


def _by_time(steps: list[Step]) -> list[Step]:
    """Order by when each step closes (or opens), stably: prerequisites listed first stay
    first on a tie; a step with no date keeps its place after the one before it."""
    keyed = []
    last = dt.datetime.min.replace(tzinfo=dt.UTC)
    for one in steps:
        last = one.closes or one.opens or last
        keyed.append((last, one))
    return [one for _, one in sorted(keyed, key=lambda pair: pair[0])]


def account_step(
    ctx: Context,
    deadline: dt.datetime | None,
    *,
    title: str = "在全国会计人员统一服务管理平台注册并实名认证",
    before: str | None = None,
    after: str | None = None,
    source: str = S.REAL_NAME,
) -> Step:
    """Register and real-name on the national platform by ``deadline``: online real-name
    review needs 3 working days, so that is the latest safe start (``before`` and ``after``
    wrap the note, for a plugin that moves the deadline, e.g. Xinjiang's review)."""
    account = ctx.candidate.national_account
    ausm = _ausm(ctx)
    latest = None
    note = "支付宝扫码实名认证即时完成；线上实名认证需审核"
    if deadline is not None:
        answer = clock.workdays_before(deadline, REAL_NAME_REVIEW_WORKDAYS)
        latest = answer.moment
        note += f"，最晚 {clock.human(latest)} 前提交线上认证"
        if answer.note:
            note += f"（{answer.note}）"
    return step(
        id="account.national",
        title=title,
        platform=ausm.name if ausm else None,
        url=ausm.url if ausm else None,
        closes=deadline,
        latest_start=latest,
        done=bool(account and account.registered and account.real_name_verified),
        note=_join(before, note, after),
        source=source,
    )


def _event_note(event: Event | None) -> str | None:
    """What a candidate reads of the event's note (its Chinese ``note_zh``, never the
    maintainers' ``note``), with its inference, low reliability and other sources visible."""
    if event is None:
        return None
    note = shown_note(event)
    if event.projected:
        return note
    marks = []
    if event.inferred and "推断" not in (note or ""):  # a note stating its inference says so
        marks.append("推断值（见说明）" if note else "推断值")
    if event.reliability is Reliability.LOW:
        marks.append("来源可靠性低")
    for alt in event.alternatives:
        value = clock.human(alt.closes) if alt.closes else alt.value
        said = f"另有来源称 {value}" if value else "另有来源说法不同"
        low = (
            "可靠性低，"
            if alt.reliability is Reliability.LOW and LOW_MARK not in alt.source
            else ""
        )
        marks.append(f"{said}（{low}来源 {source_text(alt.source)}）")
    return _join(*marks, note)


def _ausm(ctx: Context) -> Platform | None:
    for platform in ctx.region.chain[0].platforms:
        if platform.id == AUSM:
            return platform
    return None


def _join(*parts: str | None) -> str | None:
    text = "；".join(p for p in parts if p)
    return text or None


def _sources(*sources: str | None) -> str | None:
    """Sources joined by " ; ", each once."""
    parts = dict.fromkeys(p.strip() for s in sources if s for p in s.split(" ; ") if p.strip())
    return " ; ".join(parts) or None
