"""The national baseline's checks: rules that hold in every region.

Each function takes the :class:`~kuaiji.context.Context` and returns findings; only
problems and useful notices are reported, a passing rule says nothing (except
``schedule.window``, which always says where the window stands).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types

from kuaiji import clock
from kuaiji.context import Context, Region
from kuaiji.models import (
    CollectionStatus,
    Education,
    EducationLevel,
    EducationMode,
    IdType,
    QualificationKind,
    QualificationLevel,
    QualificationMethod,
)
from kuaiji.national import sources as S
from kuaiji.records import AccountRecovery, ExamLevel, Finding, Role, Severity

AUSM = "ausm"  # the national platform's id in data/jurisdictions.json

NAME_MAX = 30  # seed 001: the registration form allows 30 characters
ID_MAX = 30  # seed 001: 证件号码 0/30
PHONE = re.compile(r"^1[0-9]{10}$")  # seed 001: 手机号码 0/11
OTHER_ID = re.compile(r"^[A-Za-z0-9]{5,30}$")

PHOTO_MIN_BYTES = 10 * 1024  # seed 002: 不小于 10KB
PHOTO_MIN_SIZE = (295, 413)  # seed 002: 像素>=295*413px
PHOTO_SUFFIXES = ("jpg", "jpeg", "png")  # seed 002: 仅支持 .jpg .jpeg .png

REAL_NAME_REVIEW_WORKDAYS = 3  # seed 004 FAQ 8: 线上实名认证 至少提前 3 个工作日

# 中级: years of accounting work by education (domain notes §3, national notice wording).
WORK_YEARS = {
    EducationLevel.ASSOCIATE: 5,
    EducationLevel.BACHELOR: 4,
    EducationLevel.SECOND_BACHELOR: 2,
    EducationLevel.POSTGRADUATE_CLASS: 2,
    EducationLevel.MASTER: 1,
    EducationLevel.DOCTOR: 0,
}
EDUCATION_ZH = {
    EducationLevel.HIGH_SCHOOL: "高中",
    EducationLevel.SECONDARY_VOCATIONAL: "中专",
    EducationLevel.ASSOCIATE: "大专",
    EducationLevel.BACHELOR: "本科",
    EducationLevel.SECOND_BACHELOR: "第二学士",
    EducationLevel.POSTGRADUATE_CLASS: "研究生班",
    EducationLevel.MASTER: "硕士",
    EducationLevel.DOCTOR: "博士",
}
QUALIFYING_OTHER_KINDS = (
    QualificationKind.ECONOMICS,
    QualificationKind.STATISTICS,
    QualificationKind.AUDIT,
)


def _finding(rule: str, severity: Severity, message: str, **kwargs: object) -> Finding:
    return Finding(rule, severity, message, **kwargs)  # type: ignore[arg-type]


def record_deadline(ctx: Context) -> dt.datetime | None:
    """When the record must be in order (:attr:`ScheduleView.record_deadline`)."""
    return ctx.schedule.record_deadline


def uses_national_platform(ctx: Context) -> bool:
    """Whether this exam's registration, or the record's collection now, is on ausm."""
    registration = ctx.registration_platform
    collection = ctx.platform(Role.COLLECTION)
    return any(p is not None and p.id == AUSM for p in (registration, collection))


# --- registration family ---


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


def identity_name(ctx: Context) -> list[Finding]:
    name = ctx.candidate.name.strip()
    if 1 <= len(name) <= NAME_MAX and name.isprintable():
        return []
    problem = (
        "为空"
        if not name
        else ("含不可见字符" if not name.isprintable() else f"有 {len(name)} 个字符")
    )
    return [
        _finding(
            "identity.name",
            Severity.ERROR,
            f"姓名须为 1–{NAME_MAX} 个字符，现{problem}",
            action="按身份证件填写真实姓名；注册后姓名不能自行修改",
            source=S.SEED_001,
        )
    ]


def identity_id_number(ctx: Context) -> list[Finding]:
    candidate = ctx.candidate
    number = candidate.id_number.strip()
    if candidate.id_type is not IdType.RESIDENT_ID:
        if OTHER_ID.match(number):
            return []
        return [
            _finding(
                "identity.id_number",
                Severity.ERROR,
                f"证件号码格式不符：应为 5–{ID_MAX} 位半角字母或数字",
                action="按证件原样填写，不含空格和全角字符",
                source=S.SEED_001,
            )
        ]
    problem = _resident_id_problem(number, ctx.at.date())
    if problem:
        return [
            _finding(
                "identity.id_number",
                Severity.ERROR,
                f"居民身份证号码无效：{problem}",
                action="核对身份证号码（18 位，最后一位可为 X）",
                source="GB 11643-1999（python-stdnum cn.ric）",
            )
        ]
    findings = []
    number = number.upper()
    if number[:6] not in _counties():
        findings.append(
            _finding(
                "identity.id_number",
                Severity.WARNING,
                f"身份证号码前 6 位（地区码 {number[:2]}****）不在 GB/T 2260 历年行政区划代码中",
                action="请核对前 6 位；号码确实如此（如个别地区自行编码）可继续，报名时以平台核验为准",
                source="GB/T 2260（python-stdnum cn.loc）",
            )
        )
    derived_birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    if candidate.birth_date is not None and candidate.birth_date != derived_birth:
        findings.append(
            _finding(
                "identity.id_number",
                Severity.ERROR,
                "出生日期与身份证号码不一致",
                action="删除 birth_date 或按身份证号码更正",
                source="GB 11643-1999",
            )
        )
    derived_gender = "male" if int(number[16]) % 2 else "female"
    if candidate.gender is not None and candidate.gender.value not in (derived_gender, "unknown"):
        findings.append(
            _finding(
                "identity.id_number",
                Severity.ERROR,
                "性别与身份证号码不一致",
                action="删除 gender 或按身份证号码更正",
                source="GB 11643-1999",
            )
        )
    return findings


def _resident_id_problem(number: str, today: dt.date) -> str | None:
    """What makes a resident ID number impossible (GB 11643-1999): the length and digits,
    the check digit (python-stdnum's), a real birth date not after ``today``, and an area
    code not retired before the birth year. The area code is where the number was first
    issued, usually years after birth, so a code newer than the birth year is fine; a code
    GB/T 2260 never listed is not an error here (the caller warns)."""
    if not number.isascii():
        return "含全角或非 ASCII 字符，请用半角数字"
    number = number.strip().upper()
    if len(number) != 18:
        return f"应为 18 位，现为 {len(number)} 位"
    if not number[:-1].isdigit():
        return "格式不正确（前 17 位须为数字，最后一位为数字或 X）"
    if number[-1] != _ric().calc_check_digit(number):
        return "校验位不正确"
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "出生日期（第 7–14 位）不是有效日期"
    if born > today:
        return "出生日期（第 7–14 位）晚于今天"
    retired = _code_retired(number[:6])
    if retired is not None and retired < born.year:
        return f"地区码（前 6 位）在 {retired} 年后已停用，不可能分配给 {born.year} 年出生的人"
    return None


@functools.cache
def _ric() -> types.ModuleType:
    """python-stdnum's cn.ric, imported on first use (an import statement per call costs)."""
    from stdnum.cn import ric

    return ric


def _code_retired(code: str) -> int | None:
    """The last year GB/T 2260 (python-stdnum's table) lists ``code``; None while it is
    still in use or when the table never listed it."""
    periods = _county_periods(code) if code in _counties() else ()
    ends = [end for _, end in periods]
    if not ends or None in ends:
        return None
    return max(end for end in ends if end is not None)


@functools.cache
def _counties() -> dict[str, str]:
    """GB/T 2260's counties by code (python-stdnum's table)."""
    from kuaiji.regions import gbt2260

    return gbt2260()[1]


@functools.cache
def _county_periods(code: str) -> tuple[tuple[int | None, int | None], ...]:
    """The years each county name of ``code`` was in use: ``"[1983-1989]A,[1990-]B"`` →
    ((1983, 1989), (1990, None)); a name without years is always valid."""
    from kuaiji.regions import gbt2260

    county = gbt2260()[1].get(code)
    if not county:
        return ()
    periods: list[tuple[int | None, int | None]] = []
    for name in str(county).split(","):
        if not name.startswith("["):
            return ((None, None),)
        start, end = name[1:].split("]")[0].split("-")
        periods.append((int(start) if start else None, int(end) if end else None))
    return tuple(periods)


def identity_phone(ctx: Context) -> list[Finding]:
    phone = ctx.candidate.phone.strip()
    if PHONE.match(phone):
        return []
    return [
        _finding(
            "identity.phone",
            Severity.ERROR,
            "手机号码应为 11 位大陆手机号（半角数字）",
            action="填写本人可接收短信验证码的大陆手机号",
            source=S.SEED_001,
        )
    ]


def account_national(ctx: Context) -> list[Finding]:
    if not uses_national_platform(ctx):
        return []
    account = ctx.candidate.national_account
    deadline = record_deadline(ctx)
    platform = ctx.platform(Role.COLLECTION) or ctx.registration_platform
    url = platform.url if platform else None
    if account is None or not account.registered:
        return [
            _finding(
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
            _finding(
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


# --- collection family ---


def photo_not_checked(ctx: Context, rule: str) -> list[Finding] | None:
    """No photo given, but the record is approved where it counts: the platform already
    accepted a photo, so it is reported as not given and not checked (what a spreadsheet
    cannot carry), not as missing. None when this does not apply."""
    photo = ctx.candidate.photo
    if photo is not None and (photo.path is not None or photo.receipt_code is not None):
        return None
    record = ctx.candidate.collection
    held = ctx.record_region
    here = held is None or (
        held.province is not None
        and ctx.region.province is not None
        and held.province.code == ctx.region.province.code
    )
    if record is None or record.status is not CollectionStatus.APPROVED or not here:
        return None
    return [
        _finding(
            rule,
            Severity.INFO,
            "证件照：未提供，未检查（信息采集已审核通过，平台已接受当时上传的照片）",
            action="需要更换照片时，按平台要求重新上传并提交审核",
            source=S.PHOTO,
        )
    ]


def photo_spec(ctx: Context) -> list[Finding]:
    not_checked = photo_not_checked(ctx, "photo.spec")
    if not_checked is not None:
        return not_checked
    photo = ctx.candidate.photo
    deadline = record_deadline(ctx)
    base = {"deadline": deadline, "source": S.PHOTO}
    if photo is None or (photo.path is None and photo.receipt_code is None):
        return [
            _finding(
                "photo.spec",
                Severity.ERROR,
                "缺少证件照",
                action="准备清晰、近期的标准证件照：jpg/jpeg/png，不小于 10KB，像素不低于 295×413，在 photo.path 中给出",
                **base,
            )
        ]
    if photo.path is None:
        return [
            _finding(
                "photo.spec",
                Severity.ERROR,
                "本地区须上传照片文件，不使用数码照回执码（回执码为深圳的做法）",
                action="在 photo.path 中给出照片文件：jpg/jpeg/png，不小于 10KB，像素不低于 295×413",
                **base,
            )
        ]
    info = ctx.photo
    if info is None:  # the core reads the photo before the hooks run
        return []
    problems = []
    if info.suffix not in PHOTO_SUFFIXES:
        problems.append(f"扩展名 .{info.suffix} 不受支持（仅 .jpg .jpeg .png）")
    if info.format not in ("jpeg", "png"):
        problems.append(f"文件实际格式为 {info.format}，须为 JPG 或 PNG")
    elif info.suffix in PHOTO_SUFFIXES and (info.format == "png") != (info.suffix == "png"):
        problems.append(f"扩展名 .{info.suffix} 与实际格式 {info.format.upper()} 不符")
    if info.size_bytes < PHOTO_MIN_BYTES:
        problems.append(f"文件 {info.size_bytes / 1024:.1f}KB，小于 10KB")
    min_w, min_h = PHOTO_MIN_SIZE
    if info.width < min_w or info.height < min_h:
        problems.append(
            f"像素 {info.width}×{info.height}，低于 {min_w}×{min_h}（不得放大低像素照片凑数）"
        )
    if info.mode not in ("RGB", "L", "RGBA", "P"):
        problems.append(f"色彩模式 {info.mode}（如 CMYK）可能无法上传，请另存为 RGB")
    if not problems:
        return []
    return [
        _finding(
            "photo.spec",
            Severity.ERROR,
            "证件照不符合要求：" + "；".join(problems),
            action="重新拍摄或导出：jpg/jpeg/png，不小于 10KB，像素不低于 295×413，白底免冠，刘海不遮眉",
            **base,
        )
    ]


def latest_submission(ctx: Context) -> tuple[dt.datetime | None, str]:
    """The latest safe moment to submit the record for review (the region's review time,
    the longest figure a source gives, counted back from :func:`record_deadline`), and a
    Chinese sentence on the review time with its source."""
    review = ctx.region.collection_review
    if review is None:
        return None, "本地区审核所需时间现有资料未给出"
    mark = "（推断值）" if review.inferred else ""
    note = f"；{review.note}" if review.note else ""
    others = "".join(
        f"；另有来源称 {alt.value}（{'可靠性低，' if alt.reliability.value == 'low' else ''}来源 {alt.source}）"
        for alt in review.alternatives
        if alt.value
    )
    text = f"审核一般需 {review.text}{mark}{note}{others}（来源 {review.source}）"
    deadline = record_deadline(ctx)
    if deadline is None:
        return None, text
    answer = clock.workdays_before(deadline, review.working_days)
    holidays = f"（{answer.note}）" if answer.note else ""
    return answer.moment, text + holidays


def collection_required(ctx: Context) -> list[Finding]:
    fact = ctx.schedule.collection_required
    record = ctx.candidate.collection
    status = record.status if record is not None else CollectionStatus.NONE
    platform = ctx.platform(Role.COLLECTION)
    where = _platform_text(platform, ctx.region.doubtful_urls)
    url = platform.url if platform else None
    deadline = record_deadline(ctx)
    if fact is not None and fact.value is False:
        return []
    if status is CollectionStatus.APPROVED:
        return []
    if fact is None or fact.value is None:
        note = f"（{fact.note_zh}）" if fact is not None and fact.note_zh else ""
        state = "已提交、尚待审核" if status is CollectionStatus.SUBMITTED else "尚未完成"
        return [
            _finding(
                "collection.required",
                Severity.WARNING,
                f"本考区报名前是否必须完成信息采集，现有资料未说明{note}；你的信息采集{state}",
                action=f"稳妥起见，报名前在{where}完成信息采集并确认审核通过"
                "（2024 年中级各地要求汇总建议报名前完成）"
                + _ask(ctx.region.contact_text),
                deadline=deadline,
                url=url,
                source=" ; ".join(
                    dict.fromkeys(s for s in (fact.source if fact else None, S.SEED_000) if s)
                ),
            )
        ]
    latest, review_text = latest_submission(ctx)
    if status is CollectionStatus.SUBMITTED:
        return [
            _finding(
                "collection.required",
                Severity.PENDING,
                "信息采集已提交，尚待审核；本考区须审核通过后才能报名",
                action=f"关注审核状态；{review_text}；如被退回，按原因修改后重新提交"
                + _ask(ctx.region.contact_text, "审核未及时完成的，"),
                deadline=deadline,
                url=url,
                source=fact.source,
            )
        ]
    state = "被退回" if status is CollectionStatus.REJECTED else "尚未完成"
    return [
        _finding(
            "collection.required",
            Severity.ERROR,
            f"本考区报名前须完成信息采集并审核通过，目前{state}",
            action=f"在{where}完成信息采集（或按退回原因修改）并提交审核；{review_text}"
            + (f"，最晚 {clock.human(latest)} 前提交" if latest else "")
            + _ask(ctx.region.contact_text),
            deadline=deadline,
            url=url,
            source=fact.source,
        )
    ]


def collection_deadline(ctx: Context) -> list[Finding]:
    cutoff = ctx.schedule.first("collection")
    if not ctx.schedule.known or cutoff is None or cutoff.closes is None:
        return []
    fact = ctx.schedule.collection_required
    if fact is not None and fact.value is False:
        return []
    record = ctx.candidate.collection
    if record is not None and record.status is CollectionStatus.APPROVED:
        return []
    if ctx.at < cutoff.closes:
        return []
    return [
        _finding(
            "collection.deadline",
            Severity.ERROR,
            f"信息采集截止时间 {clock.human(cutoff.closes)} 已过，记录尚未审核通过",
            action="本次考试已无法补办信息采集；请为下一次考试提前完成",
            deadline=cutoff.closes,
            source=cutoff.source,
        )
    ]


def transfer_cross_province(ctx: Context) -> list[Finding]:
    held = ctx.record_region
    if held is None or held.province is None or ctx.region.province is None:
        return []
    if held.province.code == ctx.region.province.code:
        return []
    fact = ctx.schedule.collection_required
    if fact is not None and fact.value is False:
        return []  # no record is needed here, so where it is held does not matter
    platform = ctx.platform(Role.TRANSFER)
    where = _platform_text(platform, ctx.region.doubtful_urls)
    known = fact is not None and fact.value is True
    return [
        _finding(
            "transfer.cross_province",
            Severity.ERROR if known else Severity.WARNING,
            f"会计人员信息档案在{held.province.name}，与报考地{ctx.region.province.name}不同，须先跨省调转"
            if known
            else f"会计人员信息档案在{held.province.name}，与报考地{ctx.region.province.name}不同；"
            "本考区报名前是否必须在本地完成信息采集，现有资料未说明，如须则要先跨省调转",
            action=(
                f"在调出地（{held.province.name}）申请调出，再在调入地（{ctx.region.province.name}）"
                f"办理调入并经审核；{clock.human(ctx.at)[:10]} 起办理平台：{where}。"
                "全国资料未给出调转所需时间，请尽早办理（`kuaiji transfer` 给出步骤）"
                + _ask(held.contact_text, "调出地")
            ),
            deadline=record_deadline(ctx),
            url=platform.url if platform else None,
            source=S.AUSM_TRANSFER if platform is not None and platform.id == AUSM else S.SEED_003,
        )
    ]


def work_uscc(ctx: Context) -> list[Finding]:
    work = ctx.candidate.work
    if work is None or work.uscc is None:
        return []
    from stdnum import exceptions
    from stdnum.cn import uscc

    try:
        uscc.validate(work.uscc)
    except exceptions.ValidationError as exc:
        reason = {
            exceptions.InvalidLength: "应为 18 位",
            exceptions.InvalidChecksum: "校验位不正确",
        }.get(type(exc), "格式不正确")
        return [
            _finding(
                "work.uscc",
                Severity.ERROR,
                f"工作单位统一社会信用代码无效：{reason}",
                action="按营业执照核对 18 位统一社会信用代码",
                source="GB 32100-2015（python-stdnum cn.uscc）",
            )
        ]
    return []


def appointment_date(ctx: Context) -> list[Finding]:
    """会计专业职务聘任时间不能早于工作开始时间 (seed 002)."""
    work = ctx.candidate.work
    if work is None or work.title_appointed is None or work.accounting_since is None:
        return []
    if work.title_appointed >= work.accounting_since:
        return []
    return [
        _finding(
            "collection.appointment_date",
            Severity.ERROR,
            f"会计专业技术职务聘任时间（{work.title_appointed}）早于开始从事会计工作时间（{work.accounting_since}）",
            action="核对 work.title_appointed 与 work.accounting_since：聘任时间不能早于开始工作时间",
            deadline=record_deadline(ctx),
            source=S.SEED_002,
        )
    ]


# --- exam_precheck family ---


def _counted_education(ctx: Context) -> list[Education]:
    """Education finished by the time registration closes (or by year end if unknown)."""
    closes = ctx.schedule.registration_closes if ctx.schedule.known else None
    limit = closes.date() if closes else dt.date(ctx.year, 12, 31)
    return [e for e in ctx.candidate.education if e.graduated is None or e.graduated <= limit]


def _qualification_route(ctx: Context) -> bool:
    return any(
        q.kind in QUALIFYING_OTHER_KINDS
        and q.level is QualificationLevel.INTERMEDIATE
        and q.method is QualificationMethod.EXAM
        for q in ctx.candidate.qualifications
    )


def eligibility_education(ctx: Context) -> list[Finding]:
    education = _counted_education(ctx)
    if ctx.level is ExamLevel.JUNIOR:
        if education:
            return []
        return [
            _finding(
                "eligibility.education",
                Severity.ERROR,
                "初级须具备高中（含中专、职高、技校）及以上学历，候选人资料中没有已毕业的学历",
                action="在 education 中填写已取得的学历",
                source=S.JUNIOR_EDUCATION,
            )
        ]
    if any(e.level in WORK_YEARS for e in education) or _qualification_route(ctx):
        return []
    return [
        _finding(
            "eligibility.education",
            Severity.ERROR,
            "中级须具备大专及以上学历，或通过全国统一考试取得经济、统计、审计专业技术中级资格",
            action="不符合中级报名学历条件；可先报考初级",
            source=S.ELIGIBILITY,
        )
    ]


def _years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def required_work_years(ctx: Context) -> int | None:
    """The fewest years of accounting work the candidate's education asks for 中级, or
    None when no route is known (or a qualification route needs none)."""
    if ctx.level is not ExamLevel.INTERMEDIATE or _qualification_route(ctx):
        return None
    needs = [WORK_YEARS[e.level] for e in _counted_education(ctx) if e.level in WORK_YEARS]
    return min(needs) if needs else None


def eligibility_work_years(ctx: Context) -> list[Finding]:
    if ctx.level is not ExamLevel.INTERMEDIATE or _qualification_route(ctx):
        return []
    routes = [e for e in _counted_education(ctx) if e.level in WORK_YEARS]
    if not routes:
        return []  # eligibility.education reports it
    if any(WORK_YEARS[e.level] == 0 for e in routes):
        return []
    work = ctx.candidate.work
    since = work.accounting_since if work is not None else None
    if since is None:
        return [
            _finding(
                "eligibility.work_years",
                Severity.ERROR,
                "中级须有规定年限的会计工作经历，资料未给出开始从事会计工作时间（work.accounting_since）",
                action="填写 work.accounting_since（开始从事会计工作的日期）",
                source=S.ELIGIBILITY,
            )
        ]
    end = dt.date(ctx.year, 12, 31)
    best: tuple[int, int, Education] | None = None  # (shortfall, earliest year, route)
    for route in routes:
        start = since
        if route.mode is EducationMode.FULL_TIME and route.graduated is not None:
            start = max(since, route.graduated)  # work while studying full-time does not count
        need = WORK_YEARS[route.level]
        have = _years_between(start, end)
        shortfall = need - have
        earliest = ctx.year + max(shortfall, 0)
        if best is None or shortfall < best[0]:
            best = (shortfall, earliest, route)
    assert best is not None
    shortfall, earliest, route = best
    if shortfall <= 0:
        if route.mode is EducationMode.PART_TIME:
            return [
                _finding(
                    "eligibility.work_years",
                    Severity.INFO,
                    "非全日制学历的工作年限按取得学历前后合并计算；另有来源称只计取得学历后的年限，以报考地审核为准",
                    source=f"{S.WORK_YEARS_PART_TIME} ; 冲突：{S.WORK_YEARS_PART_TIME_CONFLICT}",
                )
            ]
        return []
    level = EDUCATION_ZH[route.level]
    return [
        _finding(
            "eligibility.work_years",
            Severity.ERROR,
            f"{level}学历报考中级须从事会计工作满 {WORK_YEARS[route.level]} 年（计算至 {ctx.year}-12-31），"
            f"现为 {WORK_YEARS[route.level] - shortfall} 年",
            action=f"按现有资料最早可报考 {earliest} 年中级",
            source=f"{S.ELIGIBILITY} ; {S.WORK_YEARS_CUTOFF}",
        )
    ]


def schedule_window(ctx: Context) -> list[Finding]:
    """Where the registration window stands at ``ctx.at``."""
    schedule = ctx.schedule
    exam = f"{ctx.year} 年{ctx.level.zh}"
    if schedule.data_year is None:
        return [
            _finding(
                "schedule.window",
                Severity.WARNING,
                f"没有{ctx.level.zh}考试的报名时间数据",
                action="以报考地考试管理机构公告为准",
            )
        ]
    if not schedule.known:
        return _projected_window(ctx, exam)
    phases = schedule.registration
    if not phases:
        return [
            _finding(
                "schedule.window",
                Severity.WARNING,
                f"现有资料没有本考区{exam}的报名时间",
                action="以报考地考试管理机构公告为准",
            )
        ]
    at = ctx.at
    for index, phase in enumerate(phases):
        opens, closes = phase.opens, phase.closes
        if opens is not None and at < opens:
            reopening = "暂停，" if index > 0 else ""
            return [
                _finding(
                    "schedule.window",
                    Severity.INFO,
                    f"{exam}报名{reopening}将于 {clock.human(opens)} 开始（{clock.countdown(at, opens)}）",
                    deadline=phases[-1].closes,
                    source=phase.source,
                )
            ]
        if closes is None or at < closes:
            text = (
                f"{exam}报名进行中，{clock.human(closes)} 截止（{clock.countdown(at, closes)}）"
                if closes
                else f"{exam}报名进行中（截止时间未知）"
            )
            if len(phases) > 1:
                text += f"；共 {len(phases)} 个阶段，当前为第 {index + 1} 阶段"
            return [
                _finding(
                    "schedule.window", Severity.INFO, text, deadline=closes, source=phase.source
                )
            ]
    last = phases[-1]
    return [
        _finding(
            "schedule.window",
            Severity.ERROR,
            f"{exam}报名已于 {clock.human(last.closes)} 截止"
            if last.closes
            else f"{exam}报名已截止",
            action="请关注下一年度的考试通知",
            deadline=last.closes,
            source=last.source,
        )
    ]


UPDATE_HINT = "运行 `kuaiji rules update` 更新规则数据，并查看财政部和报考地考试管理机构的通知"


def _projected_window(ctx: Context, exam: str) -> list[Finding]:
    """A year not yet published: the window is unknown; say when it is expected (预计, the
    earliest of the last published years), and say the data may be stale once such a
    notice has usually appeared. A window that by every past year would have closed is
    never reported as open: that is an error until the data says otherwise."""
    schedule = ctx.schedule
    phases = schedule.registration
    opens = phases[0].opens if phases else None
    closes = phases[-1].closes if phases else None
    source = phases[0].source if phases else None
    expected = (
        f"预计 {clock.human(opens)} 起报名、{clock.human(closes)} 截止（{schedule.basis}）"
        if opens and closes
        else f"（{schedule.basis}）"
    )
    published_by = schedule.first("local_details_published_by")
    stale_from = min(
        (m for m in (opens, published_by.closes if published_by else None) if m is not None),
        default=None,
    )
    if closes is not None and ctx.at >= closes:
        return [
            _finding(
                "schedule.window",
                Severity.ERROR,
                f"现有资料没有{exam}考试的报名安排；按往年日期，报名应已于 {clock.human(closes)} 前后截止，"
                "无法确认是否还能报名：规则数据可能已过时",
                action=UPDATE_HINT,
                source=source,
            )
        ]
    if stale_from is not None and ctx.at >= stale_from:
        return [
            _finding(
                "schedule.window",
                Severity.WARNING,
                f"{exam}考试的报名安排尚未收录，而往年此时通常已公布：规则数据可能已过时；{expected}",
                action=UPDATE_HINT,
                source=source,
            )
        ]
    return [
        _finding(
            "schedule.window",
            Severity.WARNING,
            f"{exam}考试的报名安排尚未公布，报名时间未知；{expected}",
            action="现在可先把会计人员信息采集、学历和工作年限等准备好；关注财政部及报考地考试管理机构的考试通知",
            source=source,
        )
    ]


EVENT_ZH = {
    "registration": "报名",
    "payment": "缴费截止",
    "collection": "信息采集截止",
    "change": "信息变更截止",
    "transfer": "调转截止",
    "review": "资格审核",
    "admission_ticket": "准考证打印",
    "exam": "考试",
    "other": "其他",
}


def schedule_conflict(ctx: Context) -> list[Finding]:
    """Sources that disagree on a date the candidate depends on: keep both visible."""
    if not ctx.schedule.known:
        return []
    findings = []
    for event in ctx.schedule.events:
        if not event.alternatives or event.kind.value not in (
            "registration",
            "payment",
            "collection",
        ):
            continue
        chosen = clock.human(event.closes) if event.closes else "未知"
        others = "；".join(
            f"{clock.human(alt.closes) if alt.closes else alt.value or '另一说法'}"
            f"（{'可靠性低，' if alt.reliability.value == 'low' else ''}来源 {alt.source}）"
            for alt in event.alternatives
        )
        earliest = min(
            (m for m in (event.closes, *(a.closes for a in event.alternatives)) if m is not None),
            default=None,
        )
        findings.append(
            _finding(
                "schedule.conflict",
                Severity.WARNING,
                f"{event.title or EVENT_ZH[event.kind.value]}时间来源不一致：采用 {chosen}；另有 {others}",
                action=f"稳妥起见，按较早的 {clock.human(earliest)} 完成" if earliest else None,
                deadline=earliest if earliest is not None and earliest != event.closes else None,
                source=event.source,
            )
        )
    return findings


def notice_regional(ctx: Context) -> list[Finding]:
    """What the region's sources ask of every candidate beyond the dates (data
    ``requirements``), each a finding with its source; labelled when the year's own
    notice is not published and the requirement is the last known year's."""
    schedule = ctx.schedule
    reference = (
        f"（{schedule.data_year} 年的要求，{ctx.year} 年尚未公布，仅供参考）"
        if not schedule.known and schedule.data_year is not None
        else ""
    )
    return [
        _finding(
            "notice.regional",
            requirement.severity if not reference else Severity.INFO,
            requirement.text + reference,
            action=requirement.action,
            source=requirement.source,
        )
        for requirement in schedule.requirements
    ]


def _ask(contact: str | None, whose: str = "") -> str:
    """``；咨询…：<bureau>`` when a plugin gives the bureau's contact, else nothing."""
    return f"；{whose}咨询：{contact}" if contact else ""


def _platform_text(platform: object, doubtful: frozenset[str] = frozenset()) -> str:
    if platform is None:
        return "报考地规定的平台（现有资料未给出）"
    name = getattr(platform, "name", "")
    url = getattr(platform, "url", None)
    if url in doubtful:
        return f"{name}（{url}，来源可靠性低，请核实后再用）"
    return f"{name}（{url}）" if url else f"{name}（网址未知）"
