"""The page for people (#20): in a real browser (Debian's headless Chromium through Selenium),
fill the form, get a verdict, download the calendar and the candidate file, upload a
spreadsheet; screenshots of the main states go to ``build/screenshots/`` (or
``$KUAIJI_SCREENSHOTS``). The form without JavaScript and the page's headers are tested
through Starlette's client."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from helpers import EXAMPLES, ROOT, candidate, served
from kuaiji.commands.precheck import candidate_from_dict
from kuaiji_server.app import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = Path(os.environ.get("KUAIJI_SCREENSHOTS") or ROOT / "build" / "screenshots")
FORM = {
    "exam": "中级",
    "year": "2027",
    "region": "北京市朝阳区",
    "name": "王芳",
    "id_number": "110105199003072346",
    "phone": "13800138000",
    "national_account.registered": "是",
    "national_account.real_name_verified": "是",
    "education.level": "本科",
    "education.mode": "全日制",
    "education.graduated": "2012-07-01",
    "work.status": "会计工作岗位",
    "work.accounting_since": "2012-08-01",
    "collection.status": "审核通过",
}


# --- without a browser: the form posts and gets a page back ---


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def test_the_form_works_without_javascript(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "default-src 'none'; script-src 'self'" in page.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)  # no inline script
    assert all(f'for="f-{k.replace(".", "-")}"' in page.text for k in FORM)  # every field labelled
    result = client.post("/check", data=FORM)
    assert result.status_code == 200
    assert "可以报名" in result.text and "预计" in result.text and "来源：" in result.text
    assert "110105199003072346" not in result.text.split('name="candidate"')[0]


def test_bad_answers_come_back_with_the_field_and_the_fix(client: TestClient) -> None:
    wrong = client.post("/check", data={**FORM, "phone": "12345", "education.graduated": "去年"})
    assert wrong.status_code == 422 and "请改正以下内容" in wrong.text
    assert 'aria-invalid="true"' in wrong.text and "12345" in wrong.text  # kept in the form
    assert "毕业日期</a>：" in wrong.text  # named by its Chinese label, linked to the field


def test_the_downloads_are_made_from_the_form_not_kept_on_the_server(client: TestClient) -> None:
    result = client.post("/check", data=FORM).text
    hidden = {
        m.group(1): json.loads(m.group(2).replace("&quot;", '"'))
        if m.group(1) == "candidate"
        else m.group(2)
        for m in re.finditer(r'<input type="hidden" name="(\w+)" value="([^"]*)"', result)
    }
    data = {
        k: json.dumps(v, ensure_ascii=False) if k == "candidate" else v for k, v in hidden.items()
    }
    calendar = client.post("/check.ics", data=data)
    assert calendar.text.startswith("BEGIN:VCALENDAR")
    file = client.post("/candidate.json", data=data)
    assert file.headers["content-disposition"].endswith('filename="candidate.json"')
    assert candidate_from_dict(file.json()).region == "北京市朝阳区"


def test_a_spreadsheet_without_javascript(client: TestClient) -> None:
    rows = (
        "姓名,身份证号,手机号码,地区\n王芳,110105199003072346,13800138000,110105\n坏行,1,2,火星\n"
    )
    answer = client.post(
        "/batch/result",
        data={"exam": "中级", "year": "2027"},
        files={"file": ("people.csv", rows.encode("utf-8"), "text/csv")},
    )
    table = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert answer.status_code == 200 and len(table) == 3 and table[0][0] == "记录"


def test_the_spreadsheet_page_offers_the_next_exam_year(client: TestClient) -> None:
    from kuaiji.model import clock
    from kuaiji.model.results import ExamLevel
    from kuaiji.registry.manager import get_registry
    from kuaiji.registry.schedules import next_exam_year

    first = next_exam_year(get_registry(), ExamLevel.INTERMEDIATE, clock.now())
    for page in (client.get("/batch").text, client.get("/").text):
        chosen = re.findall(r'<option value="(\d{4})" selected>', page)
        assert chosen == [str(first)]  # not the first year listed (a past one)


@pytest.mark.parametrize(
    ("data", "file", "said"),
    [
        (
            {"exam": "中级", "year": "2027"},
            ("people.pdf", b"%PDF-1.4", "application/pdf"),
            "表格应为",
        ),
        ({"exam": "中级", "year": "2027"}, None, "没有选择表格文件"),
        ({"exam": "中级", "year": "1990"}, ("people.csv", b"a\n", "text/csv"), "考试年度"),
    ],
)
def test_a_spreadsheet_that_cannot_be_checked_is_said_on_the_page(
    client: TestClient, data: dict[str, str], file: tuple[str, bytes, str] | None, said: str
) -> None:
    answer = client.post("/batch/result", data=data, files={"file": file} if file else None)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "无法检查这个表格" in answer.text and said in answer.text


def test_the_page_names_fields_not_paths_and_no_command_line(client: TestClient) -> None:
    without_photo = {k: v for k, v in FORM.items() if k != "collection.status"}
    page = client.post("/check", data=without_photo).text
    assert "photo.path" not in page and "kuaiji regions" not in page
    assert "在“照片文件”中" in page  # the core's "在 photo.path 中给出", said with the label
    wrong = client.post("/check", data={**FORM, "region": "火星"}).text
    assert "kuaiji regions" not in wrong


def test_an_unpublished_year_is_said_in_the_headline_and_every_date_marked(
    client: TestClient,
) -> None:
    page = client.post("/check", data=FORM).text  # 2027: not published
    headline = re.search(r"<h1>(.*?)</h1>", page.split('class="verdict')[1]).group(1)
    assert headline == "可以报名：记录已就绪，2027 年报名时间尚未公布"
    assert "按 2024–2026 年推算" in page
    dates = re.findall(r'</time>( <span class="badge">预计</span>)?', page)
    assert dates and all(dates), "a date of an unpublished year without 预计"


def test_sources_are_links_and_the_chrome_has_no_developer_link(client: TestClient) -> None:
    page = client.post("/check", data=FORM).text
    assert re.search(
        r'来源：[^<]*<a href="https://[^"]+" rel="noopener noreferrer nofollow">', page
    )
    assert 'href="/docs"' not in page and "输出格式" not in page
    assert client.get("/static/favicon.svg").status_code == 200


# --- in a real browser ---


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with served(create_app()) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium and chromium-driver (.ci/run)")
        pytest.skip("no chromium / chromedriver here (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--lang=zh-CN", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--window-size=412,1400",
        f"--user-data-dir={tmp_path_factory.mktemp('profile')}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "intl.accept_languages": "zh-CN,zh",
        },
    )
    # the browser's own words (file picker, date fields) in Chinese too: chromium-l10n
    chinese = {**os.environ, "LANGUAGE": "zh_CN:zh", "LANG": "C.UTF-8"}
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env=chinese), options=options)
    driver.downloads = downloads
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _shot(browser: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(412, max(800, min(int(height) + 40, 4000)))
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(SHOTS / name))


def _downloaded(folder: Path, name: str) -> Path:
    for _ in range(100):
        found = folder / name
        if found.exists() and not list(folder.glob("*.crdownload")):
            return found
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded: {sorted(p.name for p in folder.iterdir())}")


def _fill(browser: Any, values: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for path, value in values.items():
        element = browser.find_element(By.NAME, path)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "date":
            browser.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.clear()
            element.send_keys(value)


@pytest.mark.slow
def test_a_candidate_fills_the_form_and_gets_a_verdict(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    _fill(browser, FORM)
    _shot(browser, "form.png")
    browser.find_element(By.CSS_SELECTOR, "form[action='/check'] button[type=submit]").click()
    verdict = browser.find_element(By.CSS_SELECTOR, ".verdict h1").text
    assert verdict == "可以报名：记录已就绪，2027 年报名时间尚未公布"
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "预计" in text and "来源：" in text and "还剩" in text
    _shot(browser, "result.png")
    browser.find_element(By.CSS_SELECTOR, "form[action='/check.ics'] button").click()
    calendar = _downloaded(browser.downloads, "kuaiji.ics").read_text(encoding="utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in calendar
    browser.find_element(By.CSS_SELECTOR, "form[action='/candidate.json'] button").click()
    saved = json.loads(_downloaded(browser.downloads, "candidate.json").read_text(encoding="utf-8"))
    assert candidate_from_dict(saved).id_number == FORM["id_number"]


@pytest.mark.slow
def test_the_page_checks_the_photo_and_suggests_regions(
    browser: Any, server: str, tmp_path: Path
) -> None:
    from PIL import Image
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    small = tmp_path / "small.png"
    Image.new("RGB", (100, 120), "white").save(small)
    browser.find_element(By.ID, "f-photo").send_keys(str(small))
    message = browser.find_element(By.ID, "f-photo-check")
    for _ in range(50):
        if message.text:
            break
        time.sleep(0.1)
    assert "小于" in message.text  # under 10 KB or 295×413: said before any upload
    browser.find_element(By.ID, "f-photo").send_keys(str(EXAMPLES / "wang.jpg"))
    region = browser.find_element(By.ID, "f-region")
    region.send_keys("鼓楼")
    for _ in range(50):
        options = browser.find_elements(By.CSS_SELECTOR, "#f-region-list option")
        if options:
            break
        time.sleep(0.1)
    assert any(o.get_attribute("value") == "江苏省南京市鼓楼区" for o in options)


@pytest.mark.slow
def test_a_wrong_answer_is_shown_beside_its_field(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    _fill(browser, {**FORM, "region": "火星"})
    browser.find_element(By.CSS_SELECTOR, "form[action='/check'] button[type=submit]").click()
    alert = browser.find_element(By.CSS_SELECTOR, ".problems[role=alert]").text
    assert "请改正以下内容" in alert and "地区：" in alert  # the field's Chinese name
    assert browser.find_element(By.ID, "f-region").get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.ID, "f-region").get_attribute("value") == "火星"  # kept
    _shot(browser, "form-error.png")


@pytest.mark.slow
def test_an_adviser_uploads_a_spreadsheet_and_downloads_results(
    browser: Any, server: str, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    people = [candidate(photo=None, name=f"考生{i}") for i in range(30)]
    sheet = tmp_path / "考生.csv"  # what HR exports: Chinese headers, one row that is wrong
    rows = [f"{p['name']},{p['id_number']},{p['phone']},{p['region']}" for p in people]
    sheet.write_text(
        "\n".join(["姓名,证件号码,手机号码,属地", *rows, "坏行,1,2,火星"]) + "\n", encoding="utf-8"
    )
    browser.get(server + "/batch")
    Select(browser.find_element(By.ID, "b-year")).select_by_value("2027")
    browser.find_element(By.ID, "b-file").send_keys(str(sheet))
    browser.find_element(By.CSS_SELECTOR, "#batch button[type=submit]").click()
    link = browser.find_element(By.ID, "b-result")
    assert "31 条" in link.text
    assert "完成：共 31 条" in browser.find_element(By.ID, "b-progress").text
    _shot(browser, "batch.png")
    link.click()
    table = _downloaded(browser.downloads, "kuaiji-results.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(table)))
    assert len(rows) == 32 and rows[0][0] == "记录"


def test_the_page_says_when_the_services_rules_data_may_be_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (cache / "state.json").write_text("{garbage", encoding="utf-8")
    monkeypatch.setenv("KUAIJI_CACHE_DIR", str(cache))
    with TestClient(create_app()) as fresh:
        page = fresh.post("/check", data=FORM).text
    assert "本服务的规则数据可能不是最新的（更新未能使用）" in page
