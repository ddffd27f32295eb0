"""The national baseline: the regions, schedules and rules that hold everywhere.

Registered by the core itself, first, under the name ``national``, and written like any
province plugin: its data through ``PluginData``, its rule list through ``declared``, one
module per check family (``identity``, ``accounts``, ``collection``, ``eligibility``,
``window``), the steps and plans in ``timeline``. Province plugins add their quirks on top
and may replace or waive these rules by rule id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kuaiji.model.context import Context, Move, Region
from kuaiji.model.results import (
    AccountRecovery,
    ChangeDecision,
    FieldChange,
    Finding,
    RuleDoc,
    Step,
    TransferStep,
)
from kuaiji.national import accounts, collection, eligibility, identity, plans, timeline, window
from kuaiji.registry.data import PluginData
from kuaiji.registry.hookspecs import declared, hookimpl

DATA = PluginData("national", __name__)

RULES = (
    RuleDoc(
        "identity.name",
        "姓名",
        "registration",
        "The name has 1–30 printable characters (the registration form's limit).",
    ),
    RuleDoc(
        "identity.id_number",
        "证件号码",
        "registration",
        "A resident ID passes the GB 11643 checksum and birth-date check and agrees with gender and birth_date; other ID types: 5–30 ASCII letters or digits.",
    ),
    RuleDoc(
        "identity.phone",
        "手机号码",
        "registration",
        "A mainland mobile number: 11 ASCII digits starting with 1.",
    ),
    RuleDoc(
        "account.national",
        "全国平台账号",
        "registration",
        "Registered and real-name verified on 全国会计人员统一服务管理平台 when this exam's registration or the record's collection is there; online real-name review takes ≥3 working days.",
    ),
    RuleDoc(
        "account.password_default",
        "重置默认密码",
        "registration",
        "kuaiji account check-password: a new password equal (ignoring case) to a password that an office's reset sets on a platform of the region is refused.",
    ),
    RuleDoc(
        "photo.spec",
        "证件照",
        "collection",
        "A jpg/jpeg/png photo file, ≥10 KB, ≥295×413 px, readable, its extension matching its format; a missing photo is an error.",
    ),
    RuleDoc(
        "collection.required",
        "信息采集",
        "collection",
        "Where the region requires it, the record is approved before registering: submitted = pending (verdict pending), none/rejected = error (with the latest safe submission from the region's review time); unknown requirement = warning.",
    ),
    RuleDoc(
        "collection.deadline",
        "信息采集截止",
        "collection",
        "The region's collection cutoff has passed and the record is not approved (too late for this exam).",
    ),
    RuleDoc(
        "transfer.cross_province",
        "跨省调转",
        "collection",
        "The record is held in another province than the candidate's region: transfer out at the origin and in at the destination first.",
    ),
    RuleDoc(
        "work.uscc",
        "统一社会信用代码",
        "collection",
        "The employer's unified social credit code, when given, passes the GB 32100 check.",
    ),
    RuleDoc(
        "collection.appointment_date",
        "聘任时间",
        "collection",
        "The appointment date of a professional title (work.title_appointed) cannot precede the start of accounting work.",
    ),
    RuleDoc(
        "eligibility.education",
        "学历条件",
        "exam_precheck",
        "初级: high school (incl. 中专/职高/技校) or above; 中级: 大专 or above, or a 中级 经济/统计/审计 qualification obtained by national exam.",
    ),
    RuleDoc(
        "eligibility.work_years",
        "会计工作年限",
        "exam_precheck",
        "中级: 5 (大专) / 4 (本科) / 2 (第二学士, 研究生班) / 1 (硕士) / 0 (博士) years of accounting work to 12-31 of the exam year, from the later of work.accounting_since and the full-time graduation date.",
    ),
    RuleDoc(
        "schedule.window",
        "报名时间",
        "exam_precheck",
        "Where the registration window stands at the evaluation time: not yet open or paused (info), open (info, time left), closed (error), unpublished year (warning).",
    ),
    RuleDoc(
        "schedule.conflict",
        "来源冲突",
        "exam_precheck",
        "Sources disagree on a registration, payment or collection date: the better-sourced value is used and the others are shown; the action names the earliest.",
    ),
    RuleDoc(
        "notice.regional",
        "地区要求",
        "exam_precheck",
        "What the region's sources ask of every candidate beyond the dates (data requirements: e.g. choose the exam and level while collecting, check the record under 会计人员信息查询); each shown with its source.",
    ),
    RuleDoc(
        "plugin.error",
        "插件出错",
        "plugin",
        "A plugin failed to load, raised in a hook, returned the wrong type or claimed another plugin's region; the result may be incomplete (exit code 3).",
    ),
)


kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()
kuaiji_rules, kuaiji_rule_overrides = declared(RULES)


@hookimpl
def kuaiji_registration(ctx: Context) -> Sequence[Finding]:
    return [
        *identity.identity_name(ctx),
        *identity.identity_id_number(ctx),
        *identity.identity_phone(ctx),
        *accounts.account_national(ctx),
    ]


@hookimpl
def kuaiji_account_recovery(region: Region, on: dt.date) -> Sequence[AccountRecovery]:
    return accounts.account_recovery(region, on)


@hookimpl
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    return [
        *collection.photo_spec(ctx),
        *collection.collection_required(ctx),
        *collection.collection_deadline(ctx),
        *collection.transfer_cross_province(ctx),
        *collection.work_uscc(ctx),
        *collection.appointment_date(ctx),
    ]


@hookimpl
def kuaiji_exam_precheck(ctx: Context) -> Sequence[Finding]:
    return [
        *eligibility.eligibility_education(ctx),
        *eligibility.eligibility_work_years(ctx),
        *window.schedule_window(ctx),
        *window.schedule_conflict(ctx),
        *window.notice_regional(ctx),
    ]


@hookimpl
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    return timeline.timeline(ctx)


@hookimpl
def kuaiji_change(ctx: Context, changes: Sequence[FieldChange]) -> Sequence[ChangeDecision]:
    return plans.change(ctx, changes)


@hookimpl
def kuaiji_transfer(ctx: Context, move: Move) -> Sequence[TransferStep]:
    return plans.transfer(ctx, move)
