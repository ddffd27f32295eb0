"""Sources of the national baseline's rules (seed files and public URLs).

The dated facts (schedules, platforms) live in ``data/``; these are the sources of the
rules written in code.
"""

SEED_000 = "seed:000-2024-intermediate-collection-requirements-by-region.txt"
SEED_001 = "seed:001-guangdong-collection-change-transfer-guide.txt"
SEED_002 = "seed:002-2025-junior-national-collection-steps.txt"
SEED_003 = "seed:003-continuing-education-collection-overview.txt"
SEED_004 = "seed:004-xinjiang-2024-intermediate-registration-faq.txt"

# Eligibility wording, repeated in each year's national notice (domain notes §3).
ELIGIBILITY = (
    "https://eol.cn/baokao/kuaijikaoshi/20241231161243.html ; "
    "http://contery.com/zjkjzc-kaoshi/news/17350033304360.html ; "
    "https://www.tm022.com/zjkjzc/zixun/1123845.html"
)
JUNIOR_EDUCATION = "http://ddlvyou.com.cn/cjkjzc-kaoshi/news/17538416617847.html"
WORK_YEARS_CUTOFF = (
    "https://www.gaodun.com/zhongji/1714752.html ; "
    "https://m.dongao.com/zjzcgl/bm/202512024619027.html ; http://m.njssgs.cn/zjkj/zixun/30306"
)
WORK_YEARS_PART_TIME = (
    "http://sinada.com.cn/zhongjizhicheng/bkjy/li20250326143318.shtml ; "
    "https://www.100dc.com/kaoshizhinan/639213.html"
)
WORK_YEARS_PART_TIME_CONFLICT = "http://m.8319318.com/kuaiji/zjkjs/91916.html (low)"
PHOTO = f"{SEED_002} ; http://m.vzpo.com.cn/news/3068655.html"
REAL_NAME = f"{SEED_002} ; {SEED_004}"
RESIDENCE = "https://m.kuaiji.com/zjkjzc/8236114115.html"
AUSM_TRANSFER = (
    "https://wanbiaoku.com/new/a18dbb11440c49c2b58f2aa2d8acba99 ; "
    "https://www.fudaoke.com/exam/463091.html"
)
