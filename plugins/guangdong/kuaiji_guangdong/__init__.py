"""kuaiji-guangdong: 广东省（除深圳外）.

Covers region 44 except 4403 (深圳 has its own plugin). Adds, on top of the national
baseline: the Guangdong platform (effective-dated), its registration, collection, change and
transfer quirks (``quirks.py``), and the finance bureaus' contacts (``data/contacts.json``).
Sources: seed 001 (the Guangdong guide and its directory), seed 000 and seed 002.
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
from kuaiji_guangdong import quirks

KUAIJI_API = "1"  # the plugin API majors this plugin supports (kuaiji.plugin.API_VERSION)
DATA = PluginData("guangdong", __name__)
kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()

RULES = (
    RuleDoc(
        "registration.immutable",
        "注册信息不可改",
        "registration",
        "On the Guangdong platform the name and ID number cannot be changed after registration (info, while collection is still to do).",
    ),
    RuleDoc(
        "collection.required",
        "信息采集（广东）",
        "collection",
        "Replaces the national rule in Guangdong: on the Guangdong platform only qualification holders and people doing accounting work must collect, and a submitted record is archived at once (no review); on the national platform the national rule applies.",
    ),
    RuleDoc(
        "collection.scope",
        "采集对象",
        "collection",
        "The candidate is outside Guangdong's collection scope (no accounting qualification, no accounting work): no collection needed (info).",
    ),
    RuleDoc(
        "collection.uploads",
        "必传附件",
        "collection",
        "ID card both sides (attachments.id_card_front/back), and a student card for students, for a collection still to do on the Guangdong platform.",
    ),
    RuleDoc(
        "collection.work_fields",
        "工作信息",
        "collection",
        "The work-information fields the Guangdong platform asks for the candidate's 在岗状态 (16-row matrix of seed 001), each missing one named.",
    ),
    RuleDoc(
        "collection.field_length",
        "字段长度",
        "collection",
        "Email ≤50 characters; school names ≤30 characters.",
    ),
)

OVERRIDES = (
    Override(
        "collection.required",
        OverrideAction.REPLACE,
        "Guangdong's platform collects only people in scope and has no review after submission",
        quirks.SEED,
        by="collection.required",
    ),
)


kuaiji_rules, kuaiji_rule_overrides = declared(RULES, OVERRIDES)


@hookimpl
def kuaiji_registration(ctx: Context) -> Sequence[Finding]:
    return quirks.registration(ctx)


@hookimpl
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    return [*quirks.collection_required(ctx), *quirks.collection_fields(ctx)]


@hookimpl
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    return quirks.timeline(ctx)


@hookimpl
def kuaiji_change(ctx: Context, changes: Sequence[FieldChange]) -> Sequence[ChangeDecision]:
    return quirks.change(ctx, changes)


@hookimpl
def kuaiji_transfer(ctx: Context, move: Move) -> Sequence[TransferStep]:
    return quirks.transfer(ctx, move)
