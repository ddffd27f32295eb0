"""Tianjin's quirks (seed 000, 天津 row of the 2024 中级 table).

- A candidate not collected on Tianjin's 会计诚信平台 first collects there or transfers the
  record in (the transfer is arranged with the origin province's finance department).
- Either must be approved by the district finance bureau (区财政局) before registering:
  a submitted but unapproved record is pending (verdict ``pending``) until the bureau approves it
  (rule ``collection.review``).
- Candidates already collected update their record, then register directly.
"""

from __future__ import annotations

from kuaiji.plugin import (
    CollectionStatus,
    Context,
    Finding,
    Move,
    Role,
    Severity,
    Step,
    TransferPhase,
    TransferStep,
    baseline_collection_required,
    record_deadline,
)

SEED = "seed:000-2024-intermediate-collection-requirements-by-region.txt"
PLATFORM = "tj-kjcx"  # data/tianjin.json
BUREAU = "所在区财政局（区财政局会计管理部门；联系方式资料未给出）"


def collection(ctx: Context) -> list[Finding]:
    """Replaces the national ``collection.required`` in Tianjin: submitted is not enough."""
    findings = baseline_collection_required(ctx)
    record = ctx.candidate.collection
    if record is None or record.status is not CollectionStatus.SUBMITTED:
        return findings
    platform = ctx.platform(Role.COLLECTION)
    return [
        Finding(
            "collection.review",
            Severity.PENDING,
            "天津：信息采集或信息调转须经区财政局审核通过后才能报名；目前已提交、尚待审核",
            action=f"联系{BUREAU}确认审核进度；审核通过前不能报名（审核所需时间资料未给出）",
            deadline=record_deadline(ctx),
            url=platform.url if platform else None,
            source=SEED,
        )
    ]


def timeline(ctx: Context) -> list[Step]:
    platform = ctx.platform(Role.COLLECTION)
    if platform is None or platform.id != PLATFORM:
        return []
    record = ctx.candidate.collection
    held_here = ctx.record_region is None or ctx.record_region.within("12")
    collected = record is not None and record.status is CollectionStatus.APPROVED and held_here
    title = (
        "在天津会计诚信平台及时完成信息更新，然后直接报名"
        if collected
        else "在“天津会计”网站首页左侧 会计诚信平台 → “信息采集”窗口提交采集（或办理信息调转），经区财政局审核通过"
    )
    cutoff = ctx.schedule.first("collection")
    return [
        Step(
            id="collection",
            title=title,
            platform=platform.name,
            url=platform.url,
            closes=cutoff.closes if cutoff is not None else ctx.schedule.registration_closes,
            done=collected,
            note="信息调转请联系调出地财政厅（局）办理",
            source=SEED,
        )
    ]


def transfer(ctx: Context, move: Move) -> list[TransferStep]:
    platform = move.destination.platform(Role.TRANSFER, ctx.at.date())
    if not move.cross_province or platform is None or platform.id != PLATFORM:
        return []
    return [
        TransferStep(
            "tj.transfer_in",
            TransferPhase.IN,
            "调入天津：信息调转请联系调出地财政厅（局）办理，调入后由区财政局审核通过",
            platform=platform.name,
            url=platform.url,
            note="审核时间资料未给出",
            source=SEED,
        ),
        TransferStep(
            "tj.transfer_after",
            TransferPhase.AFTER,
            "区财政局审核通过后，登录“天津会计”网站报名",
            platform=platform.name,
            url=platform.url,
            source=SEED,
        ),
    ]
