"""The national platform account (registration family): ``account.national`` and password recovery."""

from __future__ import annotations

import datetime as dt

from kuaiji.model.context import Context, Region
from kuaiji.model.results import AccountRecovery, Finding, Role, Severity
from kuaiji.national import sources as S
from kuaiji.national.common import (
    AUSM,
    REAL_NAME_REVIEW_WORKDAYS,
    finding,
    record_deadline,
    uses_national_platform,
)
from kuaiji.registry.memo import reads


def account_recovery(region: Region, on: dt.date) -> list[AccountRecovery]:
    """The national platform's password recovery (seed 004 FAQ 5 and 6, for ausm)."""
    ausm = next((p for p in region.chain[0].platforms if p.id == AUSM), None)
    if ausm is None:
        return []
    return [
        AccountRecovery(
            platform=ausm.name,
            platform_id=AUSM,
            url=ausm.url,
            steps=(
                "用注册时的邮箱、手机号码或密保问题自行找回密码",
                "自行找回有困难：联系会计关系所在地会计管理部门（会计科）重置密码，重置后的密码以邮件发送到已认证的邮箱",
                "邮箱也已遗忘：本人持有效身份证件到会计关系所在地会计管理部门（会计科）书写说明、申请删除个人信息，"
                "由考试管理机构上报删除认证信息后，重新注册并实名认证",
            ),
            note="来源是新疆考区的 2024 年问答，说明的是全国平台的做法；其他地区未见不同说法",
            source=S.SEED_004,
        )
    ]


@reads("national_account")
def account_national(ctx: Context) -> list[Finding]:
    account = ctx.candidate.national_account
    if account is not None and account.registered and account.real_name_verified:
        return []
    if not uses_national_platform(ctx):
        return []
    deadline = record_deadline(ctx)
    platform = ctx.platform(Role.COLLECTION) or ctx.registration_platform
    url = platform.url if platform else None
    if account is None or not account.registered:
        return [
            finding(
                "account.national",
                Severity.ERROR,
                "尚未在全国会计人员统一服务管理平台注册",
                action=(
                    "在全国平台注册并实名认证（支付宝扫码即时完成；线上实名认证需审核，至少提前 "
                    f"{REAL_NAME_REVIEW_WORKDAYS} 个工作日提交）"
                ),
                deadline=deadline,
                url=url,
                source=S.REAL_NAME,
            )
        ]
    if not account.real_name_verified:
        return [
            finding(
                "account.national",
                Severity.ERROR,
                "全国会计人员统一服务管理平台账号尚未实名认证（信息采集和报名前必须完成）",
                action=(
                    "用本人支付宝扫码认证（即时）；无法使用支付宝时选“线上实名认证”，需审核，至少提前 "
                    f"{REAL_NAME_REVIEW_WORKDAYS} 个工作日提交"
                ),
                deadline=deadline,
                url=url,
                source=S.REAL_NAME,
            )
        ]
    return []
