"""The national baseline's answers to a change of the record (what may be changed, where, how)
and to a move between regions (the transfer-out and transfer-in steps), from the seeds and
the national platform's guide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kuaiji.model.context import Context, Move
from kuaiji.model.results import (
    ChangeDecision,
    Decision,
    FieldChange,
    Role,
    TransferPhase,
    TransferStep,
)
from kuaiji.national import sources as S
from kuaiji.national.common import (
    AUSM,
)

AUSM_TAKEOVER = dt.date(2024, 8, 15)  # data/jurisdictions.json: ausm from 2024-08-15


# --- change ---

_BASIC = ("id_number", "id_type", "gender", "birth_date")
_EDITABLE = (
    "email",
    "photo",
    "education",
    "work",
    "qualifications",
    "continuing_education",
    "region",
    "collection.region",
)


def change(ctx: Context, changes: Sequence[FieldChange]) -> list[ChangeDecision]:
    platform = ctx.platform(Role.CHANGE)
    name = platform.name if platform else None
    url = platform.url if platform else None
    national = platform is not None and platform.id == AUSM
    decisions = []
    for requested in changes:
        field = requested.field
        top = field.split(".")[0]
        if field == "name":
            decisions.append(
                ChangeDecision(
                    field,
                    Decision.IN_PERSON,
                    "实名认证后姓名不能在网上修改，只能由本人到会计管理部门申请",
                    platform=name,
                    url=url,
                    how="本人持有效身份证件或相关证明到会计关系所在地会计管理部门（会计科）申请修改",
                    source=S.SEED_004,
                )
            )
        elif field in _BASIC or field == "phone":
            decisions.append(
                ChangeDecision(
                    field,
                    Decision.REFUSED if national else Decision.UNKNOWN,
                    "证件类型、证件号码、姓名、性别、出生年月和手机号码为注册时所填信息，信息采集页面不可修改"
                    if national
                    else "现有资料未说明该平台能否修改此项",
                    platform=name,
                    url=url,
                    how="现有资料未说明更正途径；请咨询会计关系所在地会计管理部门",
                    source=S.SEED_002 if national else None,
                )
            )
        elif field in _EDITABLE or top in ("education", "work", "qualifications", "photo"):
            how = "登录后在信息采集/信息变更中编辑该项并重新提交审核"
            if field in ("region", "collection.region"):
                how = "同省内在信息变更中修改所属会计管理部门；跨省须办理调转（`kuaiji transfer`）"
            decisions.append(
                ChangeDecision(
                    field,
                    Decision.ALLOWED,
                    "教育经历、工作经历等可编辑、删除后重新提交审核"
                    if national
                    else "可在信息变更中修改",
                    platform=name,
                    url=url,
                    how=how,
                    source=S.SEED_002 if national else S.SEED_003,
                )
            )
        else:
            decisions.append(
                ChangeDecision(
                    field, Decision.UNKNOWN, "现有资料未说明此项能否变更", platform=name, url=url
                )
            )
    return decisions


# --- transfer ---


def transfer(ctx: Context, move: Move) -> list[TransferStep]:
    origin, destination = move.origin, move.destination
    if not move.cross_province:
        return [
            TransferStep(
                id="transfer.same_province",
                phase=TransferPhase.IN,
                title=f"同在{destination.province.name if destination.province else destination.name}：无需跨省调转，在信息变更中更新所属行政区划/会计管理部门",
                note="省内跨地区的具体做法由省级插件说明；现有全国资料未规定",
                source=S.SEED_001,
            )
        ]
    on = ctx.at.date()
    out_platform = origin.platform(Role.TRANSFER, on)
    in_platform = destination.platform(Role.TRANSFER, on)
    national = on >= AUSM_TAKEOVER
    source = S.AUSM_TRANSFER if national else S.SEED_003
    origin_name = origin.province.name if origin.province else origin.name
    destination_name = destination.province.name if destination.province else destination.name
    return [
        TransferStep(
            id="transfer.out",
            phase=TransferPhase.OUT,
            title=f"在调出地（{origin_name}）申请调出",
            platform=out_platform.name if out_platform else None,
            url=out_platform.url if out_platform else None,
            documents=("现工作单位证明、学生证或户籍/居住证明（按调入地要求）",)
            if national
            else (),
            note="前提：信息采集已完成，且没有在途的调转、奖惩或视同继续教育申请"
            if national
            else None,
            source=source,
        ),
        TransferStep(
            id="transfer.in",
            phase=TransferPhase.IN,
            title=f"在调入地（{destination_name}）办理调入，由调入地财政部门审核",
            platform=in_platform.name if in_platform else None,
            url=in_platform.url if in_platform else None,
            note="全国资料未给出审核所需时间",
            source=source,
        ),
        TransferStep(
            id="transfer.after",
            phase=TransferPhase.AFTER,
            title="调入后核对并更新信息采集，确认审核通过后再报名",
            platform=in_platform.name if in_platform else None,
            url=in_platform.url if in_platform else None,
            source=S.SEED_003,
        ),
    ]
