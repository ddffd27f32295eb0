"""Shenzhen's quirks (seed 001, 附件3): no uploaded photo but an 11-digit receipt code
(数码照回执) from Alipay's 证件照 service; five collection modules; its own platform until the
national platform took over."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from kuaiji.plugin import (
    ChangeDecision,
    CollectionStatus,
    Context,
    Decision,
    FieldChange,
    Finding,
    Move,
    Platform,
    Region,
    Role,
    Severity,
    Step,
    TransferPhase,
    TransferStep,
    baseline_photo_not_checked,
    baseline_photo_spec,
    record_deadline,
)

# 深圳市财政局 "会计人员…信息采集、跨省（市）调转及继续教育登记业务常见问题" (a mirror; low).
SZ_FAQ = "http://pojie9.cn/faq/3069.html (low)"
SEED = "seed:001-guangdong-collection-change-transfer-guide.txt"
UNKNOWN_UNDER_AUSM = (
    "https://023wlan.com/caiji/2872.html"  # domain notes §7: receipt code under ausm not found
)
PLATFORM = "sz-acc"  # data/shenzhen.json
RECEIPT = re.compile(r"^[0-9]{11}$")  # “请输入11位数码照回执”
MODULES = ("基本信息", "在岗信息", "学历信息", "专业技能", "会计高端人才")
PROCEDURE = (
    "用手机打开支付宝，搜索“证件照”（市民服务）→ 证件照拍摄 → 选择“深圳市”→“含回执”→ 找到“深圳会计信息采集”，"
    "按要求拍摄并上传，获取 11 位回执码（对着白色墙壁拍摄，头发不能遮挡眉毛）；"
    "再登录深圳市会计管理综合平台（网页版“会计人员信息采集”，或“深圳财政发布”微信公众号 → 便民服务 → 会计综合业务办理），"
    "输入回执码，点击“获取照片”"
)


def active(ctx: Context, role: Role) -> Platform | None:
    platform = ctx.platform(role)
    return platform if platform is not None and platform.id == PLATFORM else None


def photo(ctx: Context) -> list[Finding]:
    """``photo.receipt_code`` replaces the national ``photo.spec`` in Shenzhen."""
    given = ctx.candidate.photo
    platform = active(ctx, Role.COLLECTION)
    deadline = record_deadline(ctx)
    if platform is None:
        # On the national platform a photo file is uploaded (seed 002); whether Shenzhen's
        # receipt code still applies there is not known.
        if given is not None and given.receipt_code is not None and given.path is None:
            return [
                Finding(
                    "photo.receipt_code",
                    Severity.WARNING,
                    "全国平台信息采集要求上传照片文件；深圳的数码照回执码在全国平台是否仍然适用，资料未说明",
                    action="另备一张符合要求的照片文件（jpg/jpeg/png，≥10KB，≥295×413），在 photo.path 中给出",
                    deadline=deadline,
                    source=f"seed:002-2025-junior-national-collection-steps.txt ; {UNKNOWN_UNDER_AUSM}",
                )
            ]
        return baseline_photo_spec(ctx)
    not_checked = baseline_photo_not_checked(ctx, "photo.receipt_code")
    if not_checked is not None:
        return not_checked
    if given is None or (given.receipt_code is None and given.path is None):
        problem = (
            "缺少数码照回执码：深圳信息采集不上传照片，而是输入 11 位数码照回执码由平台获取照片"
        )
    elif given.receipt_code is None:
        problem = "深圳信息采集不接受上传的照片文件，需要 11 位数码照回执码"
    elif not RECEIPT.match(given.receipt_code):
        problem = f"数码照回执码应为 11 位数字，现为 {len(given.receipt_code)} 个字符"
    else:
        return []
    return [
        Finding(
            "photo.receipt_code",
            Severity.ERROR,
            problem,
            action=PROCEDURE + "；然后在 photo.receipt_code 中填写回执码",
            deadline=deadline,
            url=platform.url,
            source=SEED,
        )
    ]


def timeline(ctx: Context) -> list[Step]:
    platform = active(ctx, Role.COLLECTION)
    if platform is None:
        return []
    record = ctx.candidate.collection
    given = ctx.candidate.photo
    has_code = (
        given is not None
        and given.receipt_code is not None
        and RECEIPT.match(given.receipt_code) is not None
    )
    cutoff = ctx.schedule.first("collection")
    closes = cutoff.closes if cutoff is not None else ctx.schedule.registration_closes
    return [
        Step(
            id="photo.receipt_code",
            title="在支付宝“证件照”获取深圳会计信息采集的 11 位数码照回执码",
            closes=closes,
            done=has_code,
            note=PROCEDURE,
            source=SEED,
        ),
        Step(
            id="collection",
            title="在深圳市会计管理综合平台完成信息采集：" + "、".join(MODULES),
            platform=platform.name,
            url=platform.url,
            closes=closes,
            done=record is not None and record.status is CollectionStatus.APPROVED,
            note=f"入口：{platform.access}；未注册的先注册；性别可选“男 / 女 / 未知的性别”",
            source=SEED,
        ),
    ]


def change(ctx: Context, changes: Sequence[FieldChange]) -> list[ChangeDecision]:
    platform = active(ctx, Role.CHANGE)
    if platform is None:
        return []
    decisions = []
    for requested in changes:
        if requested.field in ("name", "id_type", "id_number", "phone"):
            decisions.append(
                ChangeDecision(
                    requested.field,
                    Decision.UNKNOWN,
                    "深圳平台的信息采集页显示姓名、证件类型、证件号码、手机号码，资料未说明能否修改",
                    platform=platform.name,
                    url=platform.url,
                    how="咨询所在区财政局（kuaiji contacts）",
                    source=SEED,
                )
            )
        else:
            decisions.append(
                ChangeDecision(
                    requested.field,
                    Decision.ALLOWED,
                    "已完成信息采集的，如有信息变更可直接修改",
                    platform=platform.name,
                    url=platform.url,
                    how=f"登录{platform.name}（{platform.url}）或{platform.access}，在信息采集各模块中直接修改",
                    source=SEED,
                )
            )
    return decisions


def _on_shenzhen_platform(region: Region, on: dt.date) -> bool:
    platform = region.platform(Role.COLLECTION, on)
    return region.within("4403") and platform is not None and platform.id == PLATFORM


def transfer(ctx: Context, move: Move) -> list[TransferStep]:
    on = ctx.at.date()
    sz_origin = _on_shenzhen_platform(move.origin, on)
    sz_destination = _on_shenzhen_platform(move.destination, on)
    steps = []
    if sz_origin and not sz_destination:
        steps.append(
            TransferStep(
                "sz.transfer_out",
                TransferPhase.OUT,
                "从深圳调出：在深圳市会计管理综合平台申请调转，选择调入地的具体区县（不要选“直属”或“本级”）",
                platform="深圳市会计管理综合平台",
                url="https://public.szfb.sz.gov.cn/acc",
                documents=("工作证或需要调转的说明材料（深圳未作特别要求）",),
                working_days=5,
                note="系统自动处理，不需人工审批，符合条件的一般 5 个工作日内完成（深圳市财政局答问的转载，来源可靠性低）；"
                f"调入地是否审批由调入地确定；有疑问请咨询所在区财政局：{move.origin.contact_text or '见 kuaiji contacts'}",
                source=f"{SZ_FAQ} ; {SEED}",
            )
        )
    if sz_destination and not sz_origin:
        steps.append(
            TransferStep(
                "sz.transfer_in",
                TransferPhase.IN,
                "调入深圳：深圳由系统自动接收调入，不需人工审批；调出地的办理方式以调出地为准",
                platform="深圳市会计管理综合平台",
                url="https://public.szfb.sz.gov.cn/acc",
                note="深圳市财政局答问的转载（来源可靠性低）；"
                f"有疑问请咨询调入地所在区财政局：{move.destination.contact_text or '见 kuaiji contacts'}",
                source=f"{SZ_FAQ} ; {SEED}",
            )
        )
    return steps
