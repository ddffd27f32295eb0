"""kuaiji-hunan: 湖南省 (43).

Adds Hunan's intra-province transfer (the design card's Hunan quirk), the 1–2-week lead time
of a transfer into Hunan, the 2025 中级 continuing-education-years gate and the truthfulness
notice. Sources: seed 000 (湖南 row), domain notes §6. The platform URL is of low reliability
(one third-party source) and is shown as such.
"""

from __future__ import annotations

from collections.abc import Sequence

from kuaiji.plugin import (
    Context,
    Finding,
    Move,
    Override,
    OverrideAction,
    PluginData,
    RuleDoc,
    Step,
    TransferStep,
    declared,
    hookimpl,
)
from kuaiji_hunan import quirks

KUAIJI_API = "1"  # the plugin API majors this plugin supports (kuaiji.plugin.API_VERSION)
DATA = PluginData("hunan", __name__)
kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()

RULES = (
    RuleDoc(
        "transfer.intra_province",
        "省内调转",
        "collection",
        "Record held in one 设区市 of Hunan, work in another: intra-province transfer before the cutoff (2024: 06-12), approved by the receiving county-level bureau.",
    ),
    RuleDoc(
        "transfer.cross_province",
        "跨省调入湖南",
        "collection",
        "Replaces the national rule in Hunan: the transfer in takes 1–2 weeks; a warning until two weeks before the cutoff, an error after.",
    ),
    RuleDoc(
        "continuing_education.years",
        "继续教育年度",
        "exam_precheck",
        "2025 中级: 大专 ≥4, 本科 ≥3, 第二学士/研究生班 ≥1 completed CE years (≥90 credits each) counted from the year after starting accounting work.",
    ),
    RuleDoc(
        "notice.truthfulness",
        "真实性承诺",
        "exam_precheck",
        "False data bars the candidate and cancels results (info).",
    ),
)

OVERRIDES = (
    Override(
        "transfer.cross_province",
        OverrideAction.REPLACE,
        "Hunan gives the lead time of a transfer in",
        quirks.SEED,
        by="transfer.cross_province",
    ),
)


kuaiji_rules, kuaiji_rule_overrides = declared(RULES, OVERRIDES)


@hookimpl
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    return [*quirks.intra_province(ctx), *quirks.cross_province(ctx)]


@hookimpl
def kuaiji_exam_precheck(ctx: Context) -> Sequence[Finding]:
    return [*quirks.ce_years(ctx), *quirks.truthfulness(ctx)]


@hookimpl
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    return quirks.steps(ctx)


@hookimpl
def kuaiji_transfer(ctx: Context, move: Move) -> Sequence[TransferStep]:
    return quirks.transfer(ctx, move)
