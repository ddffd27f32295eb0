"""Every field of the candidate file in Chinese: its name (the label people read in
messages, spreadsheets and the page) and what to write. Keys are field paths; a list's
items have no index (``education.level``)."""

from __future__ import annotations

_SAME_REGION = "写法同 region：6 位行政区划代码、2/4 位前缀或名称"

FIELDS: dict[str, tuple[str, str]] = {
    "name": ("姓名", "按身份证件填写的真实姓名（1–30 个字符）；在全国平台注册后不能自行修改"),
    "id_number": (
        "证件号码",
        "证件号码。居民身份证为 18 位，最后一位可为 X；首尾的空格和小写 x 读取时自动更正",
    ),
    "phone": (
        "手机号码",
        "本人的大陆手机号码（11 位，接收短信验证码）；可含空格、短横线和 +86、86、0086 前缀，"
        "读取时去掉",
    ),
    "region": (
        "属地",
        "属地：工作单位所在地；在校生为学校所在地；其他人为户籍或居住地。写 6 位行政区划代码"
        "（GB/T 2260，如 440305）、2 或 4 位前缀（如 44、4403）或名称（如 深圳市、广东、兵团）",
    ),
    "id_type": ("证件类型", "证件类型，不写即居民身份证"),
    "gender": ("性别", "不写时由居民身份证号码推出；写了须与号码一致"),
    "birth_date": ("出生日期", "不写时由居民身份证号码推出；写了须与号码一致"),
    "email": ("电子邮箱", "电子邮箱（可不写）"),
    "national_account": (
        "全国平台账号",
        "在全国会计人员统一服务管理平台的账号：是否已注册、是否已实名认证",
    ),
    "national_account.registered": ("已注册", "是否已在全国会计人员统一服务管理平台注册"),
    "national_account.real_name_verified": ("已实名认证", "是否已在全国平台完成实名认证"),
    "photo": ("证件照", "证件照：照片文件（相对考生文件的路径），或深圳的照片回执码"),
    "photo.path": ("照片文件", "照片文件的路径，相对考生文件所在的文件夹，如 wang.jpg"),
    "photo.receipt_code": ("照片回执码", "深圳：照片审核通过后取得的回执码"),
    "photo.size_bytes": ("照片大小", "不给文件时：照片文件的字节数（四项都给才按它们检查）"),
    "photo.width": ("照片宽度", "不给文件时：照片的宽度（像素）"),
    "photo.height": ("照片高度", "不给文件时：照片的高度（像素）"),
    "photo.format": ("照片格式", "不给文件时：照片的实际格式，jpeg 或 png"),
    "education": ("学历", '已取得（或在读）的学历，每个学历一项，如 [{"mode": "全日制", …}]'),
    "education.mode": ("学习形式", "学习形式"),
    "education.level": ("学历层次", "学历层次"),
    "education.graduated": ("毕业日期", "毕业（或预计毕业）日期"),
    "education.major": ("专业", "所学专业，如 会计学"),
    "education.school": ("毕业学校", "学校名称"),
    "work": ("在岗信息", "在岗信息：工作状态和工作单位；平台要填的字段随工作状态而不同"),
    "work.status": ("工作状态", "工作状态"),
    "work.employer": ("工作单位名称", "工作单位名称"),
    "work.uscc": ("统一社会信用代码", "工作单位的统一社会信用代码（18 位）"),
    "work.accounting_since": ("开始从事会计工作时间", "开始从事会计工作的日期"),
    "work.social_security_months": ("社保缴纳月数", "能证明的社会保险缴纳月数（整数）"),
    "work.post": ("会计工作岗位", "从事的会计工作岗位，如 出纳、会计机构负责人（会计主管）"),
    "work.admin_position": ("会计行政职务", "会计行政职务，如 会计主管人员"),
    "work.title": ("会计专业技术职务", "会计专业技术职务，如 会计师"),
    "work.title_appointed": ("聘任时间", "会计专业技术职务的聘任日期"),
    "work.industry": ("所属行业", "工作单位所属行业"),
    "work.economic_type": ("经济类型", "工作单位的经济类型"),
    "work.address": ("单位地址", "工作单位地址"),
    "work.phone": ("单位电话", "工作单位的电话（不是个人手机）"),
    "work.residence_address": ("居住地址", "居住地址（待业人员填写）"),
    "work.school": ("学校名称", "所在学校名称（在校生填写）"),
    "qualifications": ("专业技术资格", "已取得的专业技术资格，每项一个"),
    "qualifications.kind": ("资格类别", "资格类别"),
    "qualifications.level": ("资格级别", "资格级别"),
    "qualifications.method": ("取得方式", "取得方式，不写即考试"),
    "qualifications.obtained": ("取得日期", "取得资格的日期"),
    "collection": ("会计人员信息采集", "会计人员信息采集：采集状态和信息档案所在地区"),
    "collection.status": ("采集状态", "信息采集的状态，不写即未采集"),
    "collection.region": ("档案所在地区", f"会计人员信息档案所在的地区（{_SAME_REGION}）"),
    "collection.updated": ("最近更新日期", "采集信息最近一次提交或审核的日期"),
    "continuing_education": ("继续教育", "各年度的继续教育学分，每年一项"),
    "continuing_education.year": ("年度", "年度，如 2025"),
    "continuing_education.professional": ("专业科目学分", "专业科目学分（数字），不写即 0"),
    "continuing_education.public": ("公需科目学分", "公需科目学分（数字），不写即 0"),
    "continuing_education.in_progress": (
        "有在途数据",
        "是否有在途未完成的数据（如学分申请尚未办结）",
    ),
    "attachments": ("附件", "平台要求上传的附件，写文件路径（相对考生文件所在的文件夹）"),
    "attachments.id_card_front": ("身份证人像面", "身份证人像面的图片文件"),
    "attachments.id_card_back": ("身份证国徽面", "身份证国徽面的图片文件"),
    "attachments.student_card": ("学生证明", "学生证或学校出具的在读证明"),
    "attachments.transfer_proof": ("调转证明", "调转证明，如调入地单位出具的在职证明"),
    "provincial_review": (
        "省级报名资格审核",
        "报名前的省级资格审核（新疆：新疆会计人员服务平台的报名资格审核）：状态和申请时间",
    ),
    "provincial_review.status": ("审核状态", "省级报名资格审核的状态，不写即未申请"),
    "provincial_review.applied": (
        "申请时间",
        "提交审核申请的时间，如 2024-06-25T10:00（不写时区即北京时间）",
    ),
    "exemption": (
        "免试《财务管理》",
        "申请免试中级《财务管理》所凭的学位（新疆：报名期间现场审核）",
    ),
    "foreign": ("外籍人员", "是否为外籍人员（持护照者按外籍处理）；有的地区要求现场审核"),
}
LABELS: dict[str, str] = {path: label for path, (label, _) in FIELDS.items()}
