"""kuaiji-shenzhen: 深圳市 (4403; parent: Guangdong).

Adds on top of the national baseline (and Guangdong's plugin when installed): Shenzhen's own
platform (effective-dated), the photo receipt-code procedure that replaces the national
photo rule, the five collection modules, and the district finance bureaus' contacts.
Source: seed 001 (附件1 directory, 附件3 photo procedure).
"""

from __future__ import annotations

from collections.abc import Sequence

from kuaiji.plugin import (
    ChangeDecision,
    Context,
    FieldChange,
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
from kuaiji_shenzhen import quirks

KUAIJI_API = "1"  # the plugin API majors this plugin supports (kuaiji.plugin.API_VERSION)
DATA = PluginData("shenzhen", __name__)
kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()

RULES = (
    RuleDoc(
        "photo.receipt_code",
        "数码照回执码",
        "collection",
        "Replaces photo.spec in Shenzhen: on the Shenzhen platform an 11-digit receipt code from Alipay's 证件照 service is needed (missing, malformed or a photo file instead is an error); on the national platform the national photo rule applies and a receipt code alone is a warning.",
    ),
)

OVERRIDES = (
    Override(
        "photo.spec",
        OverrideAction.REPLACE,
        "Shenzhen does not take an uploaded photo but a receipt code",
        quirks.SEED,
        by="photo.receipt_code",
    ),
)


kuaiji_rules, kuaiji_rule_overrides = declared(RULES, OVERRIDES)


@hookimpl
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    return quirks.photo(ctx)


@hookimpl
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    return quirks.timeline(ctx)


@hookimpl
def kuaiji_change(ctx: Context, changes: Sequence[FieldChange]) -> Sequence[ChangeDecision]:
    return quirks.change(ctx, changes)


@hookimpl
def kuaiji_transfer(ctx: Context, move: Move) -> Sequence[TransferStep]:
    return quirks.transfer(ctx, move)
