"""The accountant record (collection family): ``photo.spec``, ``collection.required``, ``collection.deadline``, ``transfer.cross_province``, ``work.uscc``, ``collection.appointment_date``."""

from __future__ import annotations

import datetime as dt

from kuaiji.model import clock
from kuaiji.model.candidate import CollectionStatus, Photo
from kuaiji.model.context import Context
from kuaiji.model.results import Finding, Role, Severity
from kuaiji.national import sources as S
from kuaiji.national.common import AUSM, ask, finding, platform_text, record_deadline
from kuaiji.registry.memo import reads

PHOTO_MIN_BYTES = 10 * 1024  # seed 002: 不小于 10KB


PHOTO_MIN_SIZE = (295, 413)  # seed 002: 像素>=295*413px


PHOTO_SUFFIXES = ("jpg", "jpeg", "png")  # seed 002: 仅支持 .jpg .jpeg .png


def photo_not_checked(ctx: Context, rule: str) -> list[Finding] | None:
    """No photo given, but the record is approved where it counts: the platform already
    accepted a photo, so it is reported as not given and not checked (what a spreadsheet
    cannot carry), not as missing. None when this does not apply."""
    photo = ctx.candidate.photo
    if photo is not None and (
        photo.path is not None or photo.receipt_code is not None or photo.known
    ):
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
        finding(
            rule,
            Severity.INFO,
            "证件照：未提供，未检查（信息采集已审核通过，平台已接受当时上传的照片）",
            action="需要更换照片时，按平台要求重新上传并提交审核",
            source=S.PHOTO,
        )
    ]


def _photo_facts_wrong(photo: Photo) -> str | None:
    """What is wrong with a photo's facts given instead of its file: some of the four
    missing, or a size or a pixel count that is not above 0. None when there is nothing
    wrong (or no facts at all)."""
    facts = {
        "照片大小": photo.size_bytes,
        "照片宽度": photo.width,
        "照片高度": photo.height,
        "照片格式": photo.format,
    }
    missing = [name for name, value in facts.items() if value is None]
    if missing and len(missing) < len(facts):
        return "照片信息不全：缺少" + "、".join(missing) + "（四项要么都给，要么都不给）"
    counts = [name for name, value in facts.items() if isinstance(value, int) and value <= 0]
    if counts and not missing:
        return "照片信息不合理：" + "、".join(counts) + "应大于 0"
    return None


@reads("photo", "collection.status")
def photo_spec(ctx: Context) -> list[Finding]:
    photo = ctx.candidate.photo
    wrong = _photo_facts_wrong(photo) if photo is not None and photo.path is None else None
    not_checked = None if wrong else photo_not_checked(ctx, "photo.spec")
    if not_checked is not None:
        return not_checked
    deadline = record_deadline(ctx)
    base = {"deadline": deadline, "source": S.PHOTO}
    if wrong:
        return [
            finding(
                "photo.spec",
                Severity.ERROR,
                wrong,
                action="照片大小、宽度、高度和格式四项都给出（按照片文件的实际值），或改给照片文件",
                **base,
            )
        ]
    if photo is None or (photo.path is None and photo.receipt_code is None and not photo.known):
        return [
            finding(
                "photo.spec",
                Severity.ERROR,
                "缺少证件照",
                action="准备清晰、近期的标准证件照：jpg/jpeg/png，不小于 10KB，像素不低于 295×413，在 photo.path 中给出",
                **base,
            )
        ]
    if photo.path is None and not photo.known:
        return [
            finding(
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
    told = "（按所给的照片信息判断，未读取文件）" if photo.path is None else ""
    return [
        finding(
            "photo.spec",
            Severity.ERROR,
            "证件照不符合要求：" + "；".join(problems) + told,
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
    answer = ctx.schedule.before_record_deadline(review.working_days)
    if answer is None:
        return None, text
    holidays = f"（{answer.note}）" if answer.note else ""
    return answer.moment, text + holidays


@reads("collection.status")
def collection_required(ctx: Context) -> list[Finding]:
    fact = ctx.schedule.collection_required
    record = ctx.candidate.collection
    status = record.status if record is not None else CollectionStatus.NONE
    if fact is not None and fact.value is False:
        return []
    if status is CollectionStatus.APPROVED:
        return []
    platform = ctx.platform(Role.COLLECTION)
    where = platform_text(platform, ctx.region.doubtful_urls)
    url = platform.url if platform else None
    deadline = record_deadline(ctx)
    if fact is None or fact.value is None:
        note = f"（{fact.note_zh}）" if fact is not None and fact.note_zh else ""
        state = "已提交、尚待审核" if status is CollectionStatus.SUBMITTED else "尚未完成"
        return [
            finding(
                "collection.required",
                Severity.WARNING,
                f"本考区报名前是否必须完成信息采集，现有资料未说明{note}；你的信息采集{state}",
                action=f"稳妥起见，报名前在{where}完成信息采集并确认审核通过"
                "（2024 年中级各地要求汇总建议报名前完成）" + ask(ctx.region.contact_text),
                deadline=deadline,
                url=url,
                source=" ; ".join(
                    dict.fromkeys(s for s in (fact.source if fact else None, S.SEED_000) if s)
                ),
            )
        ]
    latest, review_text = latest_submission(ctx)
    if status is CollectionStatus.SUBMITTED:
        late = latest is not None and deadline is not None and ctx.at > latest
        risk = (
            f"；按审核所需时间，{clock.human(deadline)} 前可能审核不完"
            if late and deadline is not None
            else ""
        )
        who = ctx.region.contact_text or "会计关系所在地财政局会计管理部门（联系方式资料未给出）"
        return [
            finding(
                "collection.required",
                Severity.PENDING,
                f"信息采集已提交，尚待审核；本考区须审核通过后才能报名{risk}",
                action=f"关注审核状态；{review_text}；如被退回，按原因修改后重新提交"
                + (
                    f"；现在就请联系{who}，说明报名截止在即"
                    if late
                    else f"；审核未及时完成的，咨询：{who}"
                ),
                deadline=deadline,
                url=url,
                source=fact.source,
            )
        ]
    state = "被退回" if status is CollectionStatus.REJECTED else "尚未完成"
    return [
        finding(
            "collection.required",
            Severity.ERROR,
            f"本考区报名前须完成信息采集并审核通过，目前{state}",
            action=f"在{where}完成信息采集（或按退回原因修改）并提交审核；{review_text}"
            + (f"，最晚 {clock.human(latest)} 前提交" if latest else "")
            + ask(ctx.region.contact_text),
            deadline=deadline,
            url=url,
            source=fact.source,
        )
    ]


@reads("collection.status", region=False)
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
        finding(
            "collection.deadline",
            Severity.ERROR,
            f"信息采集截止时间 {clock.human(cutoff.closes)} 已过，记录尚未审核通过",
            action="本次考试已无法补办信息采集；请为下一次考试提前完成",
            deadline=cutoff.closes,
            source=cutoff.source,
        )
    ]


@reads()
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
    where = platform_text(platform, ctx.region.doubtful_urls)
    known = fact is not None and fact.value is True
    return [
        finding(
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
                + ask(held.contact_text, "调出地")
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
            finding(
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
        finding(
            "collection.appointment_date",
            Severity.ERROR,
            f"会计专业技术职务聘任时间（{work.title_appointed}）早于开始从事会计工作时间（{work.accounting_since}）",
            action="核对 work.title_appointed 与 work.accounting_since：聘任时间不能早于开始工作时间",
            deadline=record_deadline(ctx),
            source=S.SEED_002,
        )
    ]
