"""kuaiji-xinjiang: 新疆维吾尔自治区 (65).

Adds Xinjiang's qualification review on 新疆会计人员服务平台 between collection and
registration (``review.provincial``), the previous year's continuing-education credits
(``continuing_education.credits``), the social-security check of work years
(``work.social_security``), the password reset of the Xinjiang platform, and the on-site
review for the 财务管理 exemption and foreign candidates. Source: seed 004.
新疆生产建设兵团 (66) is a separate exam region, not served here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kuaiji.plugin import (
    AccountRecovery,
    Context,
    Finding,
    PluginData,
    Region,
    RuleDoc,
    Step,
    declared,
    hookimpl,
)
from kuaiji_xinjiang import quirks

KUAIJI_API = "1"  # the plugin API majors this plugin supports (kuaiji.plugin.API_VERSION)
DATA = PluginData("xinjiang", __name__)
kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()

RULES = (
    RuleDoc(
        "review.provincial",
        "新疆报名资格审核",
        "exam_precheck",
        "Xinjiang 中级 (2024): apply on 新疆会计人员服务平台 for the qualification review, decided within 2 working days, before registering and paying on the national platform; not applied or rejected = error with the latest moment leaving 2 working days before registration closes; applied but not decided = error until approved (deadline: registration close), with the expected decision time; years without data = info.",
    ),
    RuleDoc(
        "continuing_education.credits",
        "上一年度继续教育学分",
        "exam_precheck",
        "Xinjiang 2024 中级: the previous year's continuing education totals ≥90 credits with ≥60 专业 and ≥30 公需; missing or short = error; other 中级 years = info (not stated).",
    ),
    RuleDoc(
        "work.social_security",
        "社保证明年限",
        "exam_precheck",
        "Xinjiang's review counts work years by social-security proof: work.social_security_months below the required years = error; absent for a candidate born after 1998-07-02 (flagged in the review) = warning.",
    ),
)


kuaiji_rules, kuaiji_rule_overrides = declared(RULES, ())


@hookimpl
def kuaiji_account_recovery(region: Region, on: dt.date) -> Sequence[AccountRecovery]:
    return quirks.account_recovery(region, on)


@hookimpl
def kuaiji_exam_precheck(ctx: Context) -> Sequence[Finding]:
    return [*quirks.review(ctx), *quirks.credits(ctx), *quirks.social_security(ctx)]


@hookimpl
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    return quirks.steps(ctx)
