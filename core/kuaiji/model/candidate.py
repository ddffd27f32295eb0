"""The candidate file, version 1: the contract that services and tests rely on.

A candidate describes themselves in JSON; :func:`kuaiji.load_candidate` turns it into a
:class:`Candidate`. Unknown fields are refused. The JSON Schema is
:func:`kuaiji.io.schema.candidate_schema` (``kuaiji schema``).

Every enum's value may also be written with one of its Chinese words: the table ``ZH[Enum]``
next to each enum (word → value). The first word of a value is its Chinese name, shown in
messages, in the schema and by ``kuaiji init``. Only exact, unambiguous words: 研究生 (硕士 or
博士?) or 中职 (中专 or 职高?) are not among them.
"""

# No ``from __future__ import annotations`` here: cattrs would have to evaluate every field's
# annotation string (typing.get_type_hints, a compile per field) before reading a candidate,
# which costs a single command milliseconds. Every class below only names earlier ones.

import datetime as dt
import enum

import attrs

ZH: dict[type[enum.Enum], dict[str, str]] = {}
"""The Chinese words of each enum's values, word → value (filled next to each enum below)."""


class IdType(enum.StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    HK_MACAO_PASS = "hk_macao_pass"  # 港澳居民来往内地通行证
    TAIWAN_PASS = "taiwan_pass"  # 台湾居民来往大陆通行证
    PASSPORT = "passport"  # 护照


ZH[IdType] = {
    "居民身份证": "resident_id",
    "身份证": "resident_id",
    "港澳居民来往内地通行证": "hk_macao_pass",
    "回乡证": "hk_macao_pass",
    "台湾居民来往大陆通行证": "taiwan_pass",
    "台胞证": "taiwan_pass",
    "护照": "passport",
}


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"  # 未知的性别 (offered by the Shenzhen platform)


ZH[Gender] = {
    "男": "male",
    "男性": "male",
    "女": "female",
    "女性": "female",
    "未知的性别": "unknown",
    "未知": "unknown",
}


class EducationMode(enum.StrEnum):
    FULL_TIME = "full_time"  # 全日制
    PART_TIME = "part_time"  # 非全日制


ZH[EducationMode] = {"全日制": "full_time", "非全日制": "part_time"}


class EducationLevel(enum.StrEnum):
    HIGH_SCHOOL = "high_school"  # 高中 (incl. 职高, 技校)
    SECONDARY_VOCATIONAL = "secondary_vocational"  # 中专
    ASSOCIATE = "associate"  # 大专
    BACHELOR = "bachelor"  # 本科 / 学士
    SECOND_BACHELOR = "second_bachelor"  # 第二学士
    POSTGRADUATE_CLASS = "postgraduate_class"  # 研究生班
    MASTER = "master"  # 硕士
    DOCTOR = "doctor"  # 博士


ZH[EducationLevel] = {
    "高中": "high_school",
    "职高": "high_school",
    "职业高中": "high_school",
    "技校": "high_school",
    "技工学校": "high_school",
    "中专": "secondary_vocational",
    "中等专业学校": "secondary_vocational",
    "大专": "associate",
    "专科": "associate",
    "大学专科": "associate",
    "高职": "associate",  # 高等职业教育 (专科 level), not 职高
    "本科": "bachelor",
    "大学本科": "bachelor",
    "学士": "bachelor",
    "第二学士": "second_bachelor",
    "第二学士学位": "second_bachelor",
    "研究生班": "postgraduate_class",
    "硕士": "master",
    "硕士研究生": "master",
    "博士": "doctor",
    "博士研究生": "doctor",
}


class WorkStatus(enum.StrEnum):
    ACCOUNTING = "accounting"  # 会计工作岗位
    NON_ACCOUNTING = "non_accounting"  # 非会计工作岗位
    UNEMPLOYED = "unemployed"  # 待业
    STUDENT = "student"  # 在校生


ZH[WorkStatus] = {
    "会计工作岗位": "accounting",
    "会计岗位": "accounting",
    "非会计工作岗位": "non_accounting",
    "非会计岗位": "non_accounting",
    "待业": "unemployed",
    "在校生": "student",
    "在校学生": "student",
    "学生": "student",
}


class QualificationKind(enum.StrEnum):
    ACCOUNTING = "accounting"
    ECONOMICS = "economics"
    STATISTICS = "statistics"
    AUDIT = "audit"
    OTHER = "other"


ZH[QualificationKind] = {
    "会计": "accounting",
    "经济": "economics",
    "统计": "statistics",
    "审计": "audit",
    "其他": "other",
}


class QualificationLevel(enum.StrEnum):
    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"
    PROFESSOR = "professor"


ZH[QualificationLevel] = {
    "初级": "junior",
    "中级": "intermediate",
    "高级": "senior",
    "副高级": "senior",
    "正高级": "professor",
    "正高": "professor",
}


class QualificationMethod(enum.StrEnum):
    EXAM = "exam"
    REVIEW = "review"
    EXAM_REVIEW = "exam_review"


ZH[QualificationMethod] = {
    "考试": "exam",
    "评审": "review",
    "考评结合": "exam_review",
    "考试与评审结合": "exam_review",
}


class CollectionStatus(enum.StrEnum):
    NONE = "none"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


ZH[CollectionStatus] = {
    "未采集": "none",
    "无": "none",
    "未提交": "none",
    "已提交": "submitted",
    "待审核": "submitted",
    "审核中": "submitted",
    "审核通过": "approved",
    "已审核": "approved",
    "已通过": "approved",
    "被退回": "rejected",
    "退回": "rejected",
    "已退回": "rejected",
    "未通过": "rejected",
    "审核不通过": "rejected",
}


class ReviewStatus(enum.StrEnum):
    NONE = "none"  # not applied for
    APPLIED = "applied"  # waiting for the decision
    APPROVED = "approved"
    REJECTED = "rejected"


ZH[ReviewStatus] = {
    "未申请": "none",
    "无": "none",
    "已申请": "applied",
    "待审核": "applied",
    "审核中": "applied",
    "已提交": "applied",
    "审核通过": "approved",
    "已通过": "approved",
    "未通过": "rejected",
    "审核不通过": "rejected",
    "被退回": "rejected",
    "退回": "rejected",
}


class Exemption(enum.StrEnum):
    """A degree that exempts a 中级 candidate from 《财务管理》 (applied for on site)."""

    MPACC = "mpacc"  # 会计硕士专业学位
    DPACC = "dpacc"  # 会计博士专业学位


ZH[Exemption] = {
    "会计硕士": "mpacc",
    "会计硕士专业学位": "mpacc",
    "MPAcc": "mpacc",
    "会计博士": "dpacc",
    "会计博士专业学位": "dpacc",
    "DPAcc": "dpacc",
}


def zh_name(member: enum.Enum) -> str:
    """The Chinese name of an enum member (the first of its words), else its value."""
    words = ZH.get(type(member), {})
    return next((w for w, v in words.items() if v == member.value), str(member.value))


@attrs.frozen
class NationalAccount:
    """The candidate's account on 全国会计人员统一服务管理平台."""

    registered: bool = False
    real_name_verified: bool = False


@attrs.frozen
class Photo:
    """A photo file (``path``, relative to the candidate file), or what is already known of
    one (``size_bytes``, ``width``, ``height``, ``format``: a service that checked the file
    itself need not send it), or a Shenzhen receipt code."""

    path: str | None = None
    receipt_code: str | None = None
    size_bytes: int | None = None
    width: int | None = None
    height: int | None = None
    format: str | None = None  # jpeg | png | another format name

    @property
    def known(self) -> bool:
        """Whether the facts of a photo are given instead of its file."""
        facts = (self.size_bytes, self.width, self.height, self.format)
        return all(v is not None for v in facts)


@attrs.frozen
class Education:
    mode: EducationMode
    level: EducationLevel
    graduated: dt.date | None = None
    major: str | None = None
    school: str | None = None


@attrs.frozen
class Work:
    """在岗信息. Which fields a platform asks for depends on ``status`` (e.g. the Guangdong
    platform's work-information matrix)."""

    status: WorkStatus
    employer: str | None = None  # 工作单位名称
    uscc: str | None = None  # 统一社会信用代码
    accounting_since: dt.date | None = None  # 开始从事会计工作时间
    social_security_months: int | None = None  # months of social-security proof
    post: str | None = None  # 从事会计工作岗位, e.g. 出纳, 会计机构负责人（会计主管）
    admin_position: str | None = None  # 会计行政职务, e.g. 会计主管人员
    title: str | None = None  # 会计专业技术职务, e.g. 会计师
    title_appointed: dt.date | None = None  # 会计专业技术职务聘任时间
    industry: str | None = None  # 工作单位所属行业
    economic_type: str | None = None  # 工作单位经济类型
    address: str | None = None  # 单位地址
    phone: str | None = None  # 单位电话 (the employer's, not personal)
    residence_address: str | None = None  # 居住地址 (for the unemployed)
    school: str | None = None  # 学校名称 (for students)


@attrs.frozen
class Qualification:
    kind: QualificationKind
    level: QualificationLevel
    method: QualificationMethod = QualificationMethod.EXAM
    obtained: dt.date | None = None


@attrs.frozen
class Collection:
    """The accountant record (会计人员信息采集): its state and where it is held."""

    status: CollectionStatus = CollectionStatus.NONE
    region: str | None = None
    updated: dt.date | None = None


@attrs.frozen
class ContinuingEducation:
    """Credits of one year's continuing education (专业 and 公需)."""

    year: int
    professional: float = 0
    public: float = 0
    in_progress: bool = False  # 在途未完成数据 (e.g. a credit application not yet settled)


@attrs.frozen
class ProvincialReview:
    """A provincial qualification review before registering (新疆: 报名资格审核)."""

    status: ReviewStatus = ReviewStatus.NONE
    applied: dt.datetime | None = None  # when the application was submitted


@attrs.frozen
class Attachments:
    """Files a platform asks to upload, as paths relative to the candidate file."""

    id_card_front: str | None = None  # 身份证人像面
    id_card_back: str | None = None  # 身份证国徽面
    student_card: str | None = None  # 学生证明
    transfer_proof: str | None = None  # 调转证明 (e.g. a work certificate from the destination)


@attrs.frozen
class Candidate:
    name: str
    id_number: str
    phone: str
    region: str  # 属地: employer's location; school's for students; household or residence
    id_type: IdType = IdType.RESIDENT_ID
    gender: Gender | None = None
    birth_date: dt.date | None = None
    email: str | None = None
    national_account: NationalAccount | None = None
    photo: Photo | None = None
    education: tuple[Education, ...] = ()
    work: Work | None = None
    qualifications: tuple[Qualification, ...] = ()
    collection: Collection | None = None
    continuing_education: tuple[ContinuingEducation, ...] = ()
    attachments: Attachments | None = None
    provincial_review: ProvincialReview | None = None
    exemption: Exemption | None = None  # asks for the 财务管理 exemption (中级) with this degree
    foreign: bool = False  # 外籍人员 (a passport holder is treated as one)
