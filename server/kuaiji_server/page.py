"""The page for people: accountants on a phone, advisers and HR officers in a browser.

Plain server-rendered HTML in Chinese, on the same core and the same answers as the API. The
form works without JavaScript (it posts and gets a page back); the small scripts in
``static/`` only add region suggestions, a photo check before upload, live countdowns and a
batch's progress. Personal data travels only in POST bodies (never in a URL, never in a log)
and nothing is kept on the server after the answer: the calendar and the candidate file are
made again from the form the result page carries.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kuaiji.errors import InputError, Problem
from kuaiji.model import clock
from kuaiji.model.fields import LABELS
from kuaiji.model.sources import source_parts
from kuaiji_server import downloads, limits

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
VERDICT_ZH = {
    "ready": "可以报名",
    "pending": "待审核：等审核通过后才能报名",
    "not_ready": "尚未就绪：还有事项要办",
    "too_late": "已来不及",
}
SEVERITY_ZH = {"error": "需处理", "pending": "待审核", "warning": "注意", "info": "提示"}
PHOTO_MAX = 10 * 1024 * 1024

# (field path, label, kind, options or hint); options are (value, shown) pairs
YES_NO = (("", "请选择"), ("是", "是"), ("否", "否"))
SECTIONS: tuple[tuple[str, tuple[tuple[str, str, str, Any], ...]], ...] = (
    (
        "1. 考试",
        (
            ("exam", "考试级别", "select", (("中级", "中级"), ("初级", "初级"))),
            ("year", "考试年度", "years", None),
        ),
    ),
    (
        "2. 所在地区（属地）",
        (
            (
                "region",
                "地区",
                "region",
                "单位所在地；在校生写学校所在地。可写名称，如 深圳市南山区、海淀",
            ),
        ),
    ),
    (
        "3. 身份",
        (
            ("name", "姓名", "text", "按身份证件填写"),
            ("id_number", "身份证号码", "text", "18 位，最后一位可为 X"),
            ("phone", "手机号码", "tel", "11 位手机号码"),
        ),
    ),
    (
        "4. 全国会计人员统一服务管理平台",
        (
            ("national_account.registered", "已注册账号", "select", YES_NO),
            ("national_account.real_name_verified", "已实名认证", "select", YES_NO),
        ),
    ),
    (
        "5. 学历",
        (
            (
                "education.level",
                "最高学历",
                "select",
                (
                    ("", "请选择"),
                    ("高中", "高中（含职高、技校）"),
                    ("中专", "中专"),
                    ("大专", "大专"),
                    ("本科", "本科"),
                    ("第二学士", "第二学士"),
                    ("研究生班", "研究生班"),
                    ("硕士", "硕士"),
                    ("博士", "博士"),
                ),
            ),
            (
                "education.mode",
                "学习形式",
                "select",
                (("全日制", "全日制"), ("非全日制", "非全日制")),
            ),
            ("education.graduated", "毕业日期", "date", None),
        ),
    ),
    (
        "6. 工作",
        (
            (
                "work.status",
                "在岗情况",
                "select",
                (
                    ("", "请选择"),
                    ("会计工作岗位", "会计工作岗位"),
                    ("非会计工作岗位", "非会计工作岗位"),
                    ("待业", "待业"),
                    ("在校生", "在校生"),
                ),
            ),
            ("work.accounting_since", "开始从事会计工作", "date", None),
        ),
    ),
    (
        "7. 会计人员信息采集",
        (
            (
                "collection.status",
                "信息采集",
                "select",
                (
                    ("未采集", "未采集"),
                    ("已提交", "已提交，待审核"),
                    ("审核通过", "已审核通过"),
                    ("被退回", "被退回"),
                ),
            ),
            ("collection.region", "采集所在地区", "region", "不填即为上面的所在地区"),
        ),
    ),
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str, script: str | None = None) -> str:
    scripts = f'<script src="/static/{script}" defer></script>' if script else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_e(title)} · kuaiji</title><link rel="stylesheet" href="/static/kuaiji.css">'
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
        f"{scripts}</head><body>"
        '<a class="skip" href="#main">跳到正文</a>'
        '<header><a class="brand" href="/">kuaiji 会计报名预检</a>'
        '<nav><a href="/">个人预检</a><a href="/batch">批量（表格）</a></nav>'
        f'</header><main id="main" tabindex="-1">{body}</main>'
        "<footer>结论依据各地公开通知与平台说明，每条都注明来源；资料没有的，明确说“未知”。"
        "不保存您填写的信息。</footer></body></html>"
    )


PATHS = frozenset({"/", "/check", "/check.ics", "/candidate.json", "/batch", "/batch/result"})


def error_page(status: int, title: str, fix: str) -> HTMLResponse:
    """What a person sees when a form could not be received (too large, too slow)."""
    body = (
        f'<div class="problems" role="alert"><h1>{_e(title)}</h1><p>{_e(fix)}</p></div>'
        '<p><a href="/">回到个人预检</a> · <a href="/batch">批量（表格）</a></p>'
    )
    return _html(_page(title, body), status)


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        text,
        status_code=status,
        headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"},
    )


def _years() -> tuple[list[int], int]:
    """The years offered (every published one, the next exam's and the one after) and the
    next exam's year, chosen unless the person chose another."""
    from kuaiji.model.results import ExamLevel
    from kuaiji.registry.manager import get_registry
    from kuaiji.registry.schedules import next_exam_year

    registry = get_registry()
    first = next_exam_year(registry, ExamLevel.INTERMEDIATE, clock.now())
    published = registry.years(ExamLevel.INTERMEDIATE)
    return sorted({*published, first, first + 1}), first


def _year_options(chosen: str = "") -> str:
    years, first = _years()
    chosen = chosen or str(first)
    return "".join(
        f'<option value="{y}"{" selected" if str(y) == chosen else ""}>{y} 年</option>'
        for y in years
    )


_CLI_HINT = re.compile(r"[；;，]?\s*kuaiji regions[^；。]*")
_FIELD_IN = re.compile(r"在 ([a-z_]+(?:\.[a-z_]+)*) 中")


def for_people(text: str) -> str:
    """A core message as the page says it: a field named by its label (在“证件照”中), not its
    path in the candidate file, and no command-line hint (kuaiji regions …) where the page has
    its own way (the region box suggests places)."""
    text = _CLI_HINT.sub("", text)
    return _FIELD_IN.sub(lambda m: f"在“{LABELS.get(m.group(1), m.group(1))}”中", text)


def _input(path: str, label: str, kind: str, extra: Any, value: str, error: str | None) -> str:
    ident = "f-" + path.replace(".", "-")
    described = f' aria-describedby="{ident}-hint"' if extra and isinstance(extra, str) else ""
    invalid = f' aria-invalid="true" aria-errormessage="{ident}-error"' if error else ""
    if kind == "years":
        control = f'<select id="{ident}" name="{path}"{invalid}>{_year_options(value)}</select>'
    elif kind == "select":
        inner = "".join(
            f'<option value="{_e(v)}"{" selected" if v == value else ""}>{_e(t)}</option>'
            for v, t in extra
        )
        control = f'<select id="{ident}" name="{path}"{invalid}>{inner}</select>'
    else:
        html_type = {"date": "date", "tel": "tel"}.get(kind, "text")
        auto = {"name": "name", "phone": "tel"}.get(path, "off")
        listed = f' list="{ident}-list" data-regions' if kind == "region" else ""
        keypad = ' inputmode="numeric"' if path == "phone" else ""
        control = (
            f'<input id="{ident}" name="{path}" type="{html_type}" value="{_e(value)}" '
            f'autocomplete="{auto}"{keypad}{listed}{described}{invalid}>'
        )
        if kind == "region":
            control += f'<datalist id="{ident}-list"></datalist>'
    hint = f'<small id="{ident}-hint">{_e(extra)}</small>' if described else ""
    shown = f'<strong class="error" id="{ident}-error">{_e(error)}</strong>' if error else ""
    return (
        f'<div class="field"><label for="{ident}">{_e(label)}</label>{control}{hint}{shown}</div>'
    )


def form_page(values: Mapping[str, str] | None = None, problems: Iterable[Problem] = ()) -> str:
    values = values or {}
    by_field: dict[str, str] = {}
    loose: list[str] = []
    for p in problems:
        key = p.path.removeprefix("candidate.").replace("education[0]", "education")
        key = "photo" if key.startswith("photo") else key
        text = for_people(p.message + (f"；{p.fix}" if p.fix else ""))
        if any(key == path for _, fields in SECTIONS for path, *_ in fields) or key == "photo":
            by_field[key] = text
        else:
            label = LABELS.get(key, key)
            loose.append(f"{label}：{text}" if key else text)
    sections = "".join(
        f"<fieldset><legend>{_e(title)}</legend>"
        + "".join(
            _input(path, label, kind, extra, values.get(path, ""), by_field.get(path))
            for path, label, kind, extra in fields
        )
        + "</fieldset>"
        for title, fields in SECTIONS
    )
    photo = (
        '<fieldset><legend>8. 证件照（可选）</legend><div class="field">'
        '<label for="f-photo">照片文件</label>'
        '<input id="f-photo" name="photo" type="file" accept="image/jpeg,image/png" '
        'aria-describedby="f-photo-hint">'
        '<small id="f-photo-hint">JPG 或 PNG，至少 10 KB、295×413 像素；只用于这次检查，不保存</small>'
        + (
            f'<strong class="error" id="f-photo-error">{_e(by_field["photo"])}</strong>'
            if "photo" in by_field
            else ""
        )
        + '<output id="f-photo-check" aria-live="polite"></output></div></fieldset>'
    )
    summary = ""
    if by_field or loose:
        labels = {path: label for _, fields in SECTIONS for path, label, *_ in fields}
        labels["photo"] = "照片文件"
        items = "".join(f"<li>{_e(t)}</li>" for t in loose) + "".join(
            f'<li><a href="#f-{k.replace(".", "-")}">{_e(labels[k])}</a>：{_e(t)}</li>'
            for k, t in by_field.items()
        )
        summary = (
            f'<div class="problems" role="alert"><h2>请改正以下内容</h2><ul>{items}</ul></div>'
        )
    body = (
        "<h1>能不能报名？</h1><p>填写下面的信息，kuaiji 告诉您：现在能否报名初级 / 中级会计资格考试，"
        "还差什么、去哪里办、最晚什么时候办。</p>"
        f'{summary}<form method="post" action="/check" enctype="multipart/form-data" novalidate>'
        f'{sections}{photo}<button type="submit">检查</button></form>'
    )
    return _page("个人预检", body, "form.js")


def candidate_from_form(form: FormData) -> dict[str, Any]:
    """The candidate document the form describes (empty fields left out)."""

    def value(path: str) -> str:
        found = form.get(path)
        return found.strip() if isinstance(found, str) else ""

    def yes(path: str) -> bool | None:
        return {"是": True, "否": False}.get(value(path))

    data: dict[str, Any] = {}
    for path in ("name", "id_number", "phone", "region"):
        data[path] = value(path)
    account = {
        k: v
        for k, v in (
            ("registered", yes("national_account.registered")),
            ("real_name_verified", yes("national_account.real_name_verified")),
        )
        if v is not None
    }
    if account:
        data["national_account"] = account
    if value("education.level"):
        education = {"level": value("education.level"), "mode": value("education.mode") or "全日制"}
        if value("education.graduated"):
            education["graduated"] = value("education.graduated")
        data["education"] = [education]
    if value("work.status"):
        work = {"status": value("work.status")}
        if value("work.accounting_since"):
            work["accounting_since"] = value("work.accounting_since")
        data["work"] = work
    if value("collection.status"):
        data["collection"] = {
            "status": value("collection.status"),
            "region": value("collection.region") or value("region"),
        }
    return data


def _values(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _photo(form: FormData, folder: Path) -> str | None:
    upload = form.get("photo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    suffix = {"image/jpeg": ".jpg", "image/png": ".png"}.get(upload.content_type or "")
    if suffix is None:
        raise InputError.single("photo", "照片应为 JPG 或 PNG", "选择 .jpg 或 .png 文件")
    data = await upload.read(PHOTO_MAX + 1)
    if len(data) > PHOTO_MAX:
        raise InputError.single("photo", "照片文件太大", "选择 10 MB 以内的照片")
    (folder / f"photo{suffix}").write_bytes(data)
    return f"photo{suffix}"


def _check(form: Mapping[str, Any], data: dict[str, Any], folder: Path) -> Any:
    from kuaiji.commands.precheck import candidate_from_dict, exam_level, precheck
    from kuaiji.registry.manager import get_registry
    from kuaiji.registry.schedules import check_year

    registry = get_registry()
    level = exam_level(str(form.get("exam") or "中级"))
    year_text = str(form.get("year") or "")
    if not year_text.isdigit():
        raise InputError.single("year", "请选择考试年度")
    year = check_year(registry, level, int(year_text), field="year")
    try:
        candidate = candidate_from_dict(data)
    except InputError as exc:
        raise InputError([Problem(p.path, p.message, p.fix) for p in exc.problems]) from None
    return precheck(candidate, exam=level, year=year, base_dir=folder, registry=registry)


async def check(request: Request) -> Response:
    values: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="kuaiji-page-") as tmp:
        try:
            async with (  # the time limit is on receiving the form, not on the check
                limits.within(limits.FORM_SECONDS),
                request.form(max_files=1, max_fields=40, max_part_size=PHOTO_MAX) as form,
            ):
                values = _values(form)
                data = candidate_from_form(form)
                photo = await _photo(form, Path(tmp))
            if photo:
                data["photo"] = {"path": photo}
            report = _check(values, data, Path(tmp))
        except InputError as exc:
            return _html(form_page(values, exc.problems), 422)
    data.pop("photo", None)  # the file is gone; the downloads carry the answers, not the photo
    return _html(result_page(report, data, values))


def _when(moment: str | None, at: dt.datetime, projected: bool) -> str:
    if not moment:
        return ""
    when = dt.datetime.fromisoformat(moment)
    label = ' <span class="badge">预计</span>' if projected else ""
    left = clock.countdown(at, when)
    return (
        f'<time datetime="{_e(moment)}">{_e(clock.human(when))}</time>{label} '
        f'<span class="countdown" data-deadline="{_e(moment)}">{_e(left)}</span>'
    )


_URL = re.compile(r"(https?://[^\s；，（）]+)")


def _linked(text: str) -> str:
    """Text with its web addresses as links (escaped; the address is the link's text)."""
    parts = _URL.split(text)
    return "".join(
        f'<a href="{_e(part)}" rel="noopener noreferrer nofollow">{_e(part)}</a>'
        if i % 2
        else _e(part)
        for i, part in enumerate(parts)
    )


def _source(row: Mapping[str, Any]) -> str:
    """The first source shown, any others folded (a phone screen is short)."""
    parts = source_parts(row.get("source")) or ["来源未注明"]
    first = f'<p class="source">来源：{_linked(parts[0])}</p>'
    if len(parts) == 1:
        return first
    others = "".join(f"<li>{_linked(p)}</li>" for p in parts[1:])
    return (
        f'{first}<details class="source"><summary>另有 {len(parts) - 1} 个来源</summary>'
        f"<ul>{others}</ul></details>"
    )


def _url(row: Mapping[str, Any]) -> str:
    url = row.get("url") or ""
    if not url.startswith(("https://", "http://")):
        return ""
    low = "（来源可靠性低，请核对）" if row.get("url_reliability") == "low" else ""
    return f'<p>网址：<a href="{_e(url)}" rel="noopener noreferrer">{_e(url)}</a>{low}</p>'


def result_page(report: Any, data: dict[str, Any], values: Mapping[str, str]) -> str:
    result = report.to_dict()
    at = report.at
    verdict = result["verdict"]
    schedule = result["schedule"]
    projected = not schedule["known"]  # every date of an unpublished year is an estimate
    findings = "".join(
        f'<li class="finding {f["severity"]}"><strong>【{_e(SEVERITY_ZH[f["severity"]])}】</strong>'
        f"{_e(for_people(f['message']))}"
        + (f"<p>怎么办：{_e(for_people(f['action']))}</p>" if f.get("action") else "")
        + (f"<p>截止：{_when(f['deadline'], at, projected)}</p>" if f.get("deadline") else "")
        + _url(f)
        + _source(f)
        + "</li>"
        for f in result["findings"]
    )
    steps = "".join(
        f'<li class="step{" done" if s["done"] else ""}"><strong>{_e(s["title"])}</strong>'
        + (" ✓ 已完成" if s["done"] else "")
        + (f"<p>开始：{_when(s['opens'], at, s['projected'])}</p>" if s.get("opens") else "")
        + (f"<p>截止：{_when(s['closes'], at, s['projected'])}</p>" if s.get("closes") else "")
        + (
            f"<p>最晚开始：{_when(s['latest_start'], at, s['projected'])}</p>"
            if s.get("latest_start")
            else ""
        )
        + (f"<p>平台：{_e(s['platform'])}</p>" if s.get("platform") else "")
        + _url(s)
        + (f"<p>{_e(s['note'])}</p>" if s.get("note") else "")
        + _source(s)
        + "</li>"
        for s in result["steps"]
    )
    unknown = (
        f'<p class="notice" role="note">{_e(schedule["basis"] or "这一年的安排尚未公布")}：'
        "标“预计”的日期按往年推算，不是已公布的安排，请以当地通知为准。</p>"
        if projected
        else ""
    )
    rules = result["produced_by"].get("rules") or {}
    if rules.get("problem") or rules.get("expired"):  # the operator's to fix; the person is told
        unknown += (
            '<p class="notice" role="note">本服务的规则数据可能不是最新的'
            f"（{'已过期' if rules.get('expired') else '更新未能使用'}），日期请以当地通知为准。</p>"
        )
    headline = VERDICT_ZH[verdict]
    if (
        projected and verdict == "ready"
    ):  # as the CLI says it: the record is ready, the dates not out
        headline += f"：记录已就绪，{result['exam']['year']} 年报名时间尚未公布"
    hidden = (
        f'<input type="hidden" name="candidate" value="{_e(json.dumps(data, ensure_ascii=False))}">'
        f'<input type="hidden" name="exam" value="{_e(values.get("exam", "中级"))}">'
        f'<input type="hidden" name="year" value="{_e(values.get("year", ""))}">'
    )
    produced = result["produced_by"]
    body = (
        f'<section class="verdict {verdict}" aria-live="polite"><h1>{_e(headline)}</h1>'
        f"<p>{_e(result['region']['name'])} · {result['exam']['year']} 年"
        f"{'中级' if result['exam']['level'] == 'intermediate' else '初级'} · "
        f"按 {_e(clock.human(at))}（北京时间）判断</p></section>{unknown}"
        '<div class="downloads">'
        f'<form method="post" action="/check.ics">{hidden}<button>下载日历（.ics）</button></form>'
        f'<form method="post" action="/candidate.json">{hidden}<button>下载考生文件（命令行可用）</button></form>'
        "</div>"
        f'<h2>要办的事项</h2><ul class="findings">{findings}</ul>'
        f'<h2>步骤与时间</h2><ol class="steps">{steps}</ol>'
        '<p><a href="/">重新检查</a></p>'
        f'<p class="produced">kuaiji {_e(produced["kuaiji"])}</p>'
    )
    return _page(VERDICT_ZH[verdict], body, "form.js")


def _hidden_request(form: FormData) -> tuple[dict[str, Any], Mapping[str, str]]:
    raw = form.get("candidate")
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InputError.single("candidate", "缺少考生信息", "回到首页重新填写")
    return data, _values(form)


async def calendar(request: Request) -> Response:
    async with limits.within(limits.FORM_SECONDS), request.form(max_files=0, max_fields=8) as form:
        data, values = _hidden_request(form)
    with tempfile.TemporaryDirectory(prefix="kuaiji-page-") as tmp:
        report = _check(values, data, Path(tmp))
    return downloads.calendar(report)


async def candidate_file(request: Request) -> Response:
    async with request.form(max_files=0, max_fields=8) as form:
        data, _ = _hidden_request(form)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return downloads.download(text.encode("utf-8"), "application/json", "candidate.json")


def batch_page(problems: Iterable[Problem] = ()) -> str:
    years = _year_options()
    items = "".join(
        f"<li>{_e(for_people(p.message + (f'；{p.fix}' if p.fix else '')))}</li>" for p in problems
    )
    summary = (
        f'<div class="problems" role="alert"><h2>无法检查这个表格</h2><ul>{items}</ul></div>'
        if items
        else ""
    )
    body = (
        "<h1>批量预检（表格）</h1><p>给培训机构老师、单位人事：上传考生表格（Excel .xlsx、CSV 或 JSON Lines），"
        "逐行检查，下载带中文说明的结果表。列名可用中文（姓名、身份证号、手机号码、地区……），"
        "与考生文件的字段相同。表格只用于这次检查，不保存。</p>"
        f"{summary}"
        '<form id="batch" method="post" action="/batch/result" enctype="multipart/form-data">'
        "<fieldset><legend>考试</legend>"
        '<div class="field"><label for="b-exam">考试级别</label><select id="b-exam" name="exam">'
        '<option value="中级">中级</option><option value="初级">初级</option></select></div>'
        f'<div class="field"><label for="b-year">考试年度</label><select id="b-year" name="year">{years}</select></div>'
        "</fieldset><fieldset><legend>表格</legend>"
        '<div class="field"><label for="b-file">考生表格</label>'
        '<input id="b-file" name="file" type="file" required '
        'accept=".xlsx,.csv,.jsonl,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv">'
        "</div></fieldset>"
        '<button type="submit">检查并下载结果（CSV）</button></form>'
        '<p id="b-progress" aria-live="polite"></p><p id="b-download"></p>'
    )
    return _page("批量预检", body, "batch.js")


async def batch_result(request: Request) -> Response:
    """Without JavaScript: the whole result as a CSV download (the page's script streams it
    through ``/v1/batch`` instead, with progress)."""
    from kuaiji.batch.inputs import open_input
    from kuaiji.batch.options import Options
    from kuaiji.batch.pool import run
    from kuaiji.commands.precheck import exam_level
    from kuaiji.registry.manager import get_registry
    from kuaiji.registry.schedules import check_year

    registry = get_registry()
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kuaiji-page-") as tmp:
        try:
            async with (
                limits.within(limits.UPLOAD_SECONDS),
                request.form(max_files=1, max_fields=4, max_part_size=64 * 1024 * 1024) as form,
            ):
                upload = form.get("file")
                if not isinstance(upload, UploadFile) or not upload.filename:
                    raise InputError.single(
                        "file", "没有选择表格文件", "选择 .xlsx、.csv 或 .jsonl 文件"
                    )
                suffix = Path(upload.filename).suffix.lower()
                if suffix not in (".xlsx", ".csv", ".jsonl"):
                    raise InputError.single(
                        "file",
                        "表格应为 Excel（.xlsx）、CSV 或 JSON Lines 文件",
                        "另存为 .xlsx 或 .csv 再上传",
                    )
                level = exam_level(str(form.get("exam") or "中级"))
                year_text = str(form.get("year") or "")
                if not year_text.isdigit():
                    raise InputError.single("year", "请选择考试年度")
                year = check_year(registry, level, int(year_text), field="year")
                source = Path(tmp) / f"upload{suffix}"
                source.write_bytes(await upload.read())
            options = Options(level, year, clock.now(), "csv", photo_files=False)
            await run_in_threadpool(
                run, open_input(str(source)), options, lines.append, registry=registry
            )
        except InputError as exc:
            return _html(batch_page(exc.problems), 422)
    return downloads.streamed(iter(lines), "text/csv; charset=utf-8", "kuaiji-results.csv")


async def home(request: Request) -> Response:
    return _html(form_page())


async def batch_home(request: Request) -> Response:
    return _html(batch_page())
