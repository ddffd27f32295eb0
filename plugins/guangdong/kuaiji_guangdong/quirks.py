"""Guangdong's platform quirks (seed 001, 附件2 操作指引), active while 广东省会计信息服务平台
handles collection, change and transfer (until the national platform took over).

- Registration: name and ID number cannot be changed once registered.
- Collection: who must collect (scope), required uploads, the work-information matrix by
  在岗状态, field lengths, and no finance-department review (submitted = archived at once).
- Change: everything but ID number, ID type, gender and country; the region is locked while
  continuing-education records are in progress.
- Transfer out to and in from other provinces: documents, read-only record, automatic
  review in 1–2 working days, withdrawal.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from kuaiji.plugin import (
    NATIONAL_PLATFORM,
    ChangeDecision,
    CollectionStatus,
    Context,
    Decision,
    FieldChange,
    Finding,
    Move,
    Platform,
    QualificationKind,
    Role,
    Severity,
    Step,
    TransferPhase,
    TransferStep,
    WorkStatus,
    baseline_collection_required,
    record_deadline,
)

SEED = "seed:001-guangdong-collection-change-transfer-guide.txt"
SEED_000 = "seed:000-2024-intermediate-collection-requirements-by-region.txt"
PLATFORM = "gd-kj"  # data/guangdong.json
REVIEW_WORKDAYS = 2  # 待审核：1-2 个工作日系统自动完成审核
EMAIL_MAX = 50  # 电子邮箱 0/50
SCHOOL_MAX = 30  # 毕业院校 0/30
ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024  # 调转附件 jpeg/jpg，不超过 2M

A, N, U, S = (
    WorkStatus.ACCOUNTING,
    WorkStatus.NON_ACCOUNTING,
    WorkStatus.UNEMPLOYED,
    WorkStatus.STUDENT,
)


@attrs.frozen
class WorkField:
    """One row of seed 001's work-information table (第五步：填写工作信息)."""

    row: int
    label: str  # the platform's label
    path: str | None  # the candidate-file field, None where derived or always given
    applies: frozenset[WorkStatus]
    required: bool = True  # the form marks it with a red asterisk


# 16 rows × 4 在岗状态 (√ = applies). Rows 1 and 5 come from other fields: 行政区划 is the
# candidate's region, 从事会计工作年限 follows from 开始从事会计工作时间. Row 6
# (会计专业技术职务) has no asterisk on the form; its 聘任时间 is required once it is given.
WORK_MATRIX = (
    WorkField(1, "所属行政区划", None, frozenset({A, N, U, S})),
    WorkField(2, "从事会计工作岗位", "work.post", frozenset({A})),
    WorkField(3, "会计行政职务", "work.admin_position", frozenset({A})),
    WorkField(4, "开始从事会计工作时间", "work.accounting_since", frozenset({A})),
    WorkField(5, "从事会计工作年限", None, frozenset({A})),
    WorkField(6, "会计专业技术职务", "work.title", frozenset({A}), required=False),
    WorkField(7, "会计专业技术职务聘任时间", "work.title_appointed", frozenset({A})),
    WorkField(8, "工作单位名称", "work.employer", frozenset({A, N})),
    WorkField(9, "统一社会信用代码", "work.uscc", frozenset({A, N})),
    WorkField(10, "工作单位所属行业", "work.industry", frozenset({A, N})),
    WorkField(11, "工作单位经济类型", "work.economic_type", frozenset({A, N})),
    WorkField(12, "单位地址", "work.address", frozenset({A, N})),
    WorkField(13, "单位电话", "work.phone", frozenset({A, N})),
    WorkField(14, "居住地址", "work.residence_address", frozenset({U})),
    WorkField(15, "学校名称", "work.school", frozenset({S})),
    WorkField(16, "学生证明附件", "attachments.student_card", frozenset({S})),
)

REGION_BY_STATUS = {
    A: "工作单位所在行政区划",
    N: "工作单位所在行政区划",
    U: "户口所在地或居住证所在行政区划",
    S: "学校所在行政区划",
}


def active(ctx: Context, role: Role) -> Platform | None:
    """The Guangdong platform, when it handles ``role`` for this candidate at ``ctx.at``."""
    platform = ctx.platform(role)
    return platform if platform is not None and platform.id == PLATFORM else None


def _where(platform: Platform) -> str:
    access = f"；或{platform.access}" if platform.access else ""
    return f"{platform.name}（{platform.url}）{access}"


def _value(ctx: Context, path: str) -> object:
    obj: object = ctx.candidate
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def in_scope(ctx: Context) -> bool:
    """采集对象: holders of an accounting qualification, or people doing accounting work."""
    holds = any(q.kind is QualificationKind.ACCOUNTING for q in ctx.candidate.qualifications)
    work = ctx.candidate.work
    return holds or (work is not None and work.status is WorkStatus.ACCOUNTING)


def _needs_collection(ctx: Context) -> bool:
    record = ctx.candidate.collection
    return record is None or record.status in (CollectionStatus.NONE, CollectionStatus.REJECTED)


# --- registration ---


def registration(ctx: Context) -> list[Finding]:
    platform = active(ctx, Role.COLLECTION)
    if platform is None or not _needs_collection(ctx) or not in_scope(ctx):
        return []
    return [
        Finding(
            "registration.immutable",
            Severity.INFO,
            "在广东省会计信息服务平台注册后，姓名和证件号码不能修改",
            action="注册时按证件如实填写姓名（≤30 字）、证件类型、证件号码（≤30 位）、11 位手机号和 6 位短信验证码",
            url=platform.url,
            source=SEED,
        )
    ]


# --- collection ---


def collection_required(ctx: Context) -> list[Finding]:
    """Replaces the national ``collection.required`` in Guangdong (Shenzhen included).

    While a Guangdong platform collects (粤财会〔2019〕8号, seed 000), only qualification
    holders and people doing accounting work must collect; on 广东省会计信息服务平台 a
    submitted record is archived at once (no review). On the national platform, and on
    Shenzhen's for everything but the scope, the national rule applies.
    """
    platform = ctx.platform(Role.COLLECTION)
    if platform is None or platform.id == NATIONAL_PLATFORM:
        return baseline_collection_required(ctx)
    if not in_scope(ctx):
        return [
            Finding(
                "collection.scope",
                Severity.INFO,
                "不属于广东省会计人员信息采集对象（既不持有会计专业技术资格，也未从事会计工作），无须信息采集",
                source=f"{SEED} ; {SEED_000}",
            )
        ]
    if platform.id != PLATFORM:
        return baseline_collection_required(ctx)
    if not _needs_collection(ctx):
        return []
    return [
        Finding(
            "collection.required",
            Severity.ERROR,
            "报名前须在广东省会计信息服务平台完成会计人员信息采集（持有会计专业技术资格或从事会计工作的人员）",
            action=(
                f"在{_where(platform)}：业务办理 → 信息采集，注册后按采集须知、个人信息、学历、工作、"
                "专业技术、奖励信息逐步填写并提交；提交后无需财政部门审核，系统即生成信息档案"
            ),
            deadline=record_deadline(ctx),
            url=platform.url,
            source=f"{SEED} ; {SEED_000}",
        )
    ]


def collection_fields(ctx: Context) -> list[Finding]:
    platform = active(ctx, Role.COLLECTION)
    if platform is None:
        return []
    findings = _field_lengths(ctx)
    if not (_needs_collection(ctx) and in_scope(ctx)):
        return findings
    deadline = record_deadline(ctx)
    uploads = [
        ("attachments.id_card_front", "身份证人像面"),
        ("attachments.id_card_back", "身份证国徽面"),
    ]
    work = ctx.candidate.work
    status = work.status if work is not None else None
    if status is WorkStatus.STUDENT:
        uploads.append(("attachments.student_card", "学生证"))
    missing = [f"{label}（{path}）" for path, label in uploads if _value(ctx, path) is None]
    if missing:
        findings.append(
            Finding(
                "collection.uploads",
                Severity.ERROR,
                "信息采集须上传：" + "、".join(missing),
                action="准备身份证正反面（在校学生另需学生证）的清晰图片，在 attachments 中给出",
                deadline=deadline,
                url=platform.url,
                source=SEED,
            )
        )
    if status is None:
        findings.append(
            Finding(
                "collection.work_fields",
                Severity.ERROR,
                "工作信息须选择在岗状态（会计工作岗位 / 非会计工作岗位 / 待业 / 在校生）",
                action="填写 work.status",
                deadline=deadline,
                source=SEED,
            )
        )
        return findings
    needed = [
        f"{row.label}（{row.path}）"
        for row in WORK_MATRIX
        if status in row.applies
        and row.path
        and row.required
        and _value(ctx, row.path) is None
        and not (row.path == "work.title_appointed" and _value(ctx, "work.title") is None)
    ]
    if needed:
        findings.append(
            Finding(
                "collection.work_fields",
                Severity.ERROR,
                f"在岗状态为“{_STATUS_ZH[status]}”时，工作信息须填写：" + "、".join(needed),
                action=f"补全上述字段；所属行政区划选择{REGION_BY_STATUS[status]}",
                deadline=deadline,
                url=platform.url,
                source=SEED,
            )
        )
    return findings


_STATUS_ZH = {A: "会计工作岗位", N: "非会计工作岗位", U: "待业", S: "在校生"}


def _field_lengths(ctx: Context) -> list[Finding]:
    candidate = ctx.candidate
    too_long = []
    if candidate.email is not None and len(candidate.email) > EMAIL_MAX:
        too_long.append(f"电子邮箱（email）超过 {EMAIL_MAX} 个字符")
    for i, education in enumerate(candidate.education):
        if education.school is not None and len(education.school) > SCHOOL_MAX:
            too_long.append(f"毕业院校（education[{i}].school）超过 {SCHOOL_MAX} 个字符")
    if (
        candidate.work is not None
        and candidate.work.school is not None
        and len(candidate.work.school) > SCHOOL_MAX
    ):
        too_long.append(f"学校名称（work.school）超过 {SCHOOL_MAX} 个字符")
    if not too_long:
        return []
    return [
        Finding(
            "collection.field_length",
            Severity.ERROR,
            "；".join(too_long),
            action="缩短后再填写（平台输入框有字数上限）",
            deadline=record_deadline(ctx),
            source=SEED,
        )
    ]


def timeline(ctx: Context) -> list[Step]:
    platform = active(ctx, Role.COLLECTION)
    if platform is None or not in_scope(ctx):
        return []
    record = ctx.candidate.collection
    cutoff = ctx.schedule.first("collection")
    return [
        Step(
            id="collection",
            title="在广东省会计信息服务平台完成信息采集（提交即生成档案，无需财政部门审核）",
            platform=platform.name,
            url=platform.url,
            closes=cutoff.closes if cutoff is not None else ctx.schedule.registration_closes,
            done=record is not None
            and record.status in (CollectionStatus.APPROVED, CollectionStatus.SUBMITTED),
            note=(
                f"入口：{platform.access}。步骤：注册（姓名、证件、手机、短信验证码）→ 阅读采集须知 → 个人信息"
                "（民族、政治面貌、邮箱、免冠照、身份证正反面）→ 学历 → 工作 → 专业技术（选填）→ 奖励 → 提交；"
                "“信息已采集”即完成"
            ),
            source=SEED,
        )
    ]


# --- change ---

_LOCKED = {
    "id_number": "证件号码不能变更",
    "id_type": "证件类型不能变更",
    "gender": "性别不能变更",
}


def change(ctx: Context, changes: Sequence[FieldChange]) -> list[ChangeDecision]:
    platform = active(ctx, Role.CHANGE)
    if platform is None:
        return []
    steps = f"登录{_where(platform)} → 信息变更：选择信息项，点击“变更信息”，修改后点击“保存”"
    in_progress = any(ce.in_progress for ce in ctx.candidate.continuing_education)

    def decide(
        field: str, decision: Decision, reason: str, how: str | None = None
    ) -> ChangeDecision:
        return ChangeDecision(field, decision, reason, platform.name, platform.url, how, SEED)

    decisions = []
    for requested in changes:
        field = requested.field
        if field in _LOCKED:
            reason = f"{_LOCKED[field]}（除证件号码、证件类型、性别和所属国家外均可变更）"
            decisions.append(decide(field, Decision.REFUSED, reason))
        elif field == "name":
            decisions.append(decide(field, Decision.REFUSED, "注册成功后“姓名”不能修改"))
        elif field in ("region", "collection.region") and in_progress:
            reason = "继续教育有在途未完成数据时，行政区划不能修改"
            decisions.append(
                decide(
                    field,
                    Decision.REFUSED,
                    reason,
                    "待在途继续教育数据完成后再变更；跨省请办理调转",
                )
            )
        elif field in ("region", "collection.region"):
            reason = "省内行政区划可变更；跨省须办理调转（kuaiji transfer）"
            decisions.append(decide(field, Decision.ALLOWED, reason, steps))
        else:
            reason = "除证件号码、证件类型、性别和所属国家外，其他信息项均可变更"
            decisions.append(decide(field, Decision.ALLOWED, reason, steps))
    return decisions


# --- transfer ---


def transfer(ctx: Context, move: Move) -> list[TransferStep]:
    on = ctx.at.date()
    steps: list[TransferStep] = []
    out_platform = move.origin.platform(Role.TRANSFER, on)
    in_platform = move.destination.platform(Role.TRANSFER, on)
    # Where the record lives: Shenzhen's records are on Shenzhen's platform, even though the
    # Guangdong platform is the nearest with a transfer role.
    held_on = move.origin.platform(Role.COLLECTION, on)
    origin_gd = held_on is not None and held_on.id == PLATFORM
    lands_on = move.destination.platform(Role.COLLECTION, on)
    destination_gd = lands_on is not None and lands_on.id == PLATFORM
    if move.cross_province and origin_gd and out_platform is not None:
        steps += _transfer_out(ctx, move, out_platform)
    if move.cross_province and destination_gd and in_platform is not None:
        steps += _transfer_in(move, in_platform)
    if not move.cross_province and destination_gd and not origin_gd and in_platform is not None:
        steps.append(
            TransferStep(
                "gd.transfer_in.from_shenzhen",
                TransferPhase.IN,
                "从深圳调入广东其他地区：两地使用不同平台（深圳市会计管理综合平台 / 广东省会计信息服务平台），"
                "广东的操作指引只写了省外调入，未写深圳调入",
                platform=in_platform.name,
                url=in_platform.url,
                note=f"资料未说明办理方式：请先咨询调入地财政局：{move.destination.contact_text or '见 kuaiji contacts'}",
                source=SEED,
            )
        )
    return steps


def _transfer_out(ctx: Context, move: Move, platform: Platform) -> list[TransferStep]:
    work = ctx.candidate.work
    employed = work is not None and work.status in (A, N)
    proof = (
        "调入地的工作证明"
        if employed
        else "调转证明（待业人员请先咨询调入地财政部门，按其要求上传）"
    )
    note = "申请调出后，“信息采集变更”和“继续教育”只能查看，不能操作"
    attachment = _attachment_note(ctx)
    destination = (
        move.destination.province.name if move.destination.province else move.destination.name
    )
    return [
        TransferStep(
            "gd.transfer_out.apply",
            TransferPhase.OUT,
            f"在广东省会计信息服务平台申请调出省外：选择调入省份（{destination}）的地区、填写调出理由、上传调转附件，点击“保存”",
            platform=platform.name,
            url=platform.url,
            documents=(f"{proof}（jpeg/jpg，不超过 2M）",),
            note=f"{note}；{attachment}" if attachment else note,
            working_days=0,  # an action the candidate takes, no waiting
            source=SEED,
        ),
        TransferStep(
            "gd.transfer_out.review",
            TransferPhase.OUT,
            "等待系统自动审核（待审核 → 审核通过）；全国平台处理状态为“待调入地接收”即调出完成",
            platform=platform.name,
            url=platform.url,
            working_days=REVIEW_WORKDAYS,
            note="1-2 个工作日；审核通过后、调入地接收前可“撤回”；审核不通过可重新申请",
            source=SEED,
        ),
    ]


def _transfer_in(move: Move, platform: Platform) -> list[TransferStep]:
    return [
        TransferStep(
            "gd.transfer_in.apply",
            TransferPhase.IN,
            "调出地办完调出后，在广东省会计信息服务平台 业务办理 → 跨省调转 → 省外调入：输入姓名、证件号码、手机号、短信验证码，选择调入地，确认调入",
            platform=platform.name,
            url=platform.url,
            note="调入地须与调出申请时填写的行政区划一致",
            working_days=0,  # an action the candidate takes, no waiting
            source=SEED,
        ),
        TransferStep(
            "gd.transfer_in.review",
            TransferPhase.IN,
            "等待系统自动审核调入申请",
            platform=platform.name,
            url=platform.url,
            working_days=REVIEW_WORKDAYS,
            note="1-2 个工作日",
            source=SEED,
        ),
        TransferStep(
            "gd.transfer_in.collect",
            TransferPhase.AFTER,
            "调入后登录信息采集系统完成采集（提交即归档）",
            platform=platform.name,
            url=platform.url,
            source=SEED,
        ),
    ]


def _attachment_note(ctx: Context) -> str | None:
    """Check a given transfer proof against jpeg/jpg ≤ 2 MB (the file is only stat'ed)."""
    attachments = ctx.candidate.attachments
    if attachments is None or attachments.transfer_proof is None or ctx.base_dir is None:
        return None
    path = (ctx.base_dir / attachments.transfer_proof).resolve()
    if not path.is_relative_to(ctx.base_dir.resolve()):
        return f"附件 {attachments.transfer_proof} 不在考生文件所在目录内，未检查"
    problems = []
    if path.suffix.lower() not in (".jpg", ".jpeg"):
        problems.append("须为 jpeg/jpg 格式")
    try:
        if path.stat().st_size > ATTACHMENT_MAX_BYTES:
            problems.append("不得超过 2M")
    except OSError:
        problems.append("文件不存在")
    return f"附件 {attachments.transfer_proof}：" + "，".join(problems) if problems else None
