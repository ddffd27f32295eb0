"""The candidate file, version 1: the contract that services and tests rely on.

A candidate describes themselves in JSON; :func:`kuaiji.load_candidate` turns it into a
:class:`Candidate`. Unknown fields are refused. The JSON Schema is
:func:`kuaiji.schema.candidate_schema` (``kuaiji schema``).
"""

# No ``from __future__ import annotations`` here: cattrs would have to evaluate every field's
# annotation string (typing.get_type_hints, a compile per field) before reading a candidate,
# which costs a single command milliseconds. Every class below only names earlier ones.

import datetime as dt
import enum

import attrs


class IdType(enum.StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    HK_MACAO_PASS = "hk_macao_pass"  # 港澳居民来往内地通行证
    TAIWAN_PASS = "taiwan_pass"  # 台湾居民来往大陆通行证
    PASSPORT = "passport"  # 护照


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"  # 未知的性别 (offered by the Shenzhen platform)


class EducationMode(enum.StrEnum):
    FULL_TIME = "full_time"  # 全日制
    PART_TIME = "part_time"  # 非全日制


class EducationLevel(enum.StrEnum):
    HIGH_SCHOOL = "high_school"  # 高中 (incl. 职高, 技校)
    SECONDARY_VOCATIONAL = "secondary_vocational"  # 中专
    ASSOCIATE = "associate"  # 大专
    BACHELOR = "bachelor"  # 本科 / 学士
    SECOND_BACHELOR = "second_bachelor"  # 第二学士
    POSTGRADUATE_CLASS = "postgraduate_class"  # 研究生班
    MASTER = "master"  # 硕士
    DOCTOR = "doctor"  # 博士


class WorkStatus(enum.StrEnum):
    ACCOUNTING = "accounting"  # 会计工作岗位
    NON_ACCOUNTING = "non_accounting"  # 非会计工作岗位
    UNEMPLOYED = "unemployed"  # 待业
    STUDENT = "student"  # 在校生


class QualificationKind(enum.StrEnum):
    ACCOUNTING = "accounting"
    ECONOMICS = "economics"
    STATISTICS = "statistics"
    AUDIT = "audit"
    OTHER = "other"


class QualificationLevel(enum.StrEnum):
    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"
    PROFESSOR = "professor"


class QualificationMethod(enum.StrEnum):
    EXAM = "exam"
    REVIEW = "review"
    EXAM_REVIEW = "exam_review"


class CollectionStatus(enum.StrEnum):
    NONE = "none"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReviewStatus(enum.StrEnum):
    NONE = "none"  # not applied for
    APPLIED = "applied"  # waiting for the decision
    APPROVED = "approved"
    REJECTED = "rejected"


class Exemption(enum.StrEnum):
    """A degree that exempts a 中级 candidate from 《财务管理》 (applied for on site)."""

    MPACC = "mpacc"  # 会计硕士专业学位
    DPACC = "dpacc"  # 会计博士专业学位


@attrs.frozen
class NationalAccount:
    """The candidate's account on 全国会计人员统一服务管理平台."""

    registered: bool = False
    real_name_verified: bool = False


@attrs.frozen
class Photo:
    """A photo file (``path``, relative to the candidate file) or a Shenzhen receipt code."""

    path: str | None = None
    receipt_code: str | None = None


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
