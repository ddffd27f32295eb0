"""kuaiji-tianjin: 天津市 (12).

Adds Tianjin's 会计诚信平台 (effective-dated) and its district-bureau review
(``collection.review``). Source: seed 000 (天津 row); deadlines are in the national table
(2024 中级 6/12–7/2 12:00; 2025 初级 collection by 1/22 17:00; 2025/2026 中级).
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
from kuaiji_tianjin import quirks

KUAIJI_API = "1"  # the plugin API majors this plugin supports (kuaiji.plugin.API_VERSION)
DATA = PluginData("tianjin", __name__)
kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()

RULES = (
    RuleDoc(
        "collection.review",
        "区财政局审核",
        "collection",
        "Tianjin: a collected or transferred record must be approved by the district finance bureau before registering; submitted but not approved is pending (verdict pending) until the bureau approves it.",
    ),
    RuleDoc(
        "collection.required",
        "信息采集（天津）",
        "collection",
        "The national rule, except that a submitted record is reported as collection.review.",
    ),
)

OVERRIDES = (
    Override(
        "collection.required",
        OverrideAction.REPLACE,
        "Tianjin requires the district bureau's approval: submitted is pending",
        quirks.SEED,
        by="collection.review",
    ),
)


kuaiji_rules, kuaiji_rule_overrides = declared(RULES, OVERRIDES)


@hookimpl
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    return quirks.collection(ctx)


@hookimpl
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    return quirks.timeline(ctx)


@hookimpl
def kuaiji_transfer(ctx: Context, move: Move) -> Sequence[TransferStep]:
    return quirks.transfer(ctx, move)
