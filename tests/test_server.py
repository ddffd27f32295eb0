"""`kuaiji serve` (#19): every endpoint through Starlette's client, problem details, limits,
logs without personal data; and, with a real server of two workers, a rules update reaching
both without a restart."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from starlette.testclient import TestClient

from helpers import EXAMPLES, KUAIJI, api_request, candidate, free_port, served
from kuaiji.io.result_schema import result_schema
from kuaiji_server.app import create_app

ID = "110105199003072346"
PHONE = "13800138000"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


request = api_request


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].endswith(body["code"])
    return body


# --- precheck ---


def test_a_precheck_answers_with_the_published_schema(client: TestClient) -> None:
    response = client.post("/v1/precheck", json=request())
    assert response.status_code == 200
    report = response.json()
    jsonschema.Draft202012Validator(
        result_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(report)
    assert report["verdict"] == "ready" and report["at"] == "2026-06-20T10:00:00+08:00"
    assert ID not in response.text and PHONE not in response.text and "王芳" not in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"year": -5}, "year"),
        ({"year": 2026.0}, "year"),
        ({"year": True}, "year"),
        ({"at": 20260620}, "at"),
        ({"at": "明天"}, "at"),
        ({"exam": "高级"}, "exam"),  # the API's name, not the CLI option's
        ({"candidate": None}, "candidate"),
        ({"candidate": candidate(photo=None, birth_date=ID)}, "candidate.birth_date"),
        ({"candidate": candidate(photo=None, region="火星")}, "candidate.region"),
    ],
)
def test_bad_arguments_are_problems_naming_the_field(
    client: TestClient, changes: dict[str, Any], path: str
) -> None:
    body = problem_of(client.post("/v1/precheck", json=request(**changes)), 422)
    assert body["code"] == "input.invalid" and body["title"] == "输入有误"
    assert path in [e["field"] for e in body["errors"]]
    assert ID not in json.dumps(body, ensure_ascii=False)  # a value given is never echoed


def test_a_photo_path_never_reads_the_servers_disk(client: TestClient) -> None:
    body = request(candidate=candidate(photo={"path": "/etc/passwd"}))
    problem = problem_of(client.post("/v1/precheck", json=body), 422)
    assert problem["errors"][0]["field"] == "candidate.photo.path"


def test_a_photo_is_uploaded_with_the_request(client: TestClient) -> None:
    fields = {"request": json.dumps(request(), ensure_ascii=False)}
    photo = (EXAMPLES / "wang.jpg").read_bytes()
    response = client.post(
        "/v1/precheck", data=fields, files={"photo": ("wang.jpg", photo, "image/jpeg")}
    )
    assert response.status_code == 200, response.text
    rules = {f["rule"]: f["severity"] for f in response.json()["findings"]}
    assert rules.get("photo.spec") != "error"
    refused = client.post(
        "/v1/precheck", data=fields, files={"photo": ("x.gif", b"GIF89a", "image/gif")}
    )
    assert problem_of(refused, 422)["errors"][0]["field"] == "photo"


def test_too_large_and_not_json_are_problems(client: TestClient) -> None:
    huge = b'{"candidate": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    too_large = client.post(
        "/v1/precheck", content=huge, headers={"content-type": "application/json"}
    )
    assert problem_of(too_large, 413)["code"] == "body.too_large"
    broken = client.post(
        "/v1/precheck", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert problem_of(broken, 422)["errors"][0]["field"] == ""


@pytest.mark.parametrize(
    "kind", ["application/json", "application/json; charset=utf-8", "text/plain"]
)
def test_precheck_answers_the_same_whichever_way_it_is_routed(
    client: TestClient, kind: str
) -> None:
    """A JSON body goes the direct way (PrecheckFirst), anything else through the router:
    the same answer, the same problems, counted under the same route."""
    body = json.dumps(request(), ensure_ascii=False).encode()
    answer = client.post("/v1/precheck", content=body, headers={"content-type": kind})
    assert answer.status_code == 200, answer.text
    assert answer.json() == client.post("/v1/precheck", json=request()).json()
    assert answer.headers["x-frame-options"] == "DENY" and answer.headers["x-request-id"]
    bad = json.dumps(request(year=-5)).encode()
    refused = client.post("/v1/precheck", content=bad, headers={"content-type": kind})
    assert problem_of(refused, 422)["errors"][0]["field"] == "year"
    assert 'route="/v1/precheck",status="422"' in client.get("/metrics").text


def test_a_plugin_or_data_failure_is_a_problem_on_both_ways(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kuaiji.commands import precheck as command
    from kuaiji.errors import DataError

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise DataError("数据坏了 110105199003072346")

    monkeypatch.setattr(command, "precheck", broken)
    for kind in ("application/json", "text/plain"):
        response = client.post(
            "/v1/precheck", content=json.dumps(request()).encode(), headers={"content-type": kind}
        )
        assert problem_of(response, 500)["code"] == "plugin.or.data"
        assert ID not in response.text


def test_cors_headers_reach_the_direct_precheck(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUAIJI_CORS_ORIGINS", "https://app.example")
    with TestClient(create_app()) as cors:
        answer = cors.post(
            "/v1/precheck", json=request(), headers={"origin": "https://app.example"}
        )
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == "https://app.example"


def test_the_calendar_of_a_precheck(client: TestClient) -> None:
    response = client.post(
        "/v1/precheck.ics", json=request(candidate=candidate(photo=None, collection=None))
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in response.text


# --- batch ---


def test_a_batch_gives_one_result_per_record_in_order(client: TestClient) -> None:
    lines = [json.dumps(candidate(photo=None), ensure_ascii=False)] * 3
    lines.insert(1, "{not json")
    lines.append(
        json.dumps(
            candidate(
                photo=None, region="440305", collection={"status": "approved", "region": "440305"}
            )
        )
    )
    response = client.post(
        "/v1/batch?exam=中级&year=2026&at=2026-06-20T10:00",
        content="\n".join(lines).encode("utf-8"),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert [r["verdict"] for r in rows][:2] == ["ready", "error"] and len(rows) == 5
    assert rows[4]["region"] == "440305" and ID not in response.text
    as_csv = client.post(
        "/v1/batch?exam=intermediate&year=2026&at=2026-06-20T10:00&format=csv",
        content="\n".join(lines).encode("utf-8"),
        headers={"content-type": "application/x-ndjson"},
    )
    table = list(csv.reader(io.StringIO(as_csv.text.lstrip("\ufeff"))))
    assert len(table) == 6 and table[0][0] == "记录"


def test_an_uploaded_batch_never_reads_a_file_of_the_server(
    client: TestClient, tmp_path: Path
) -> None:
    from PIL import Image

    secret = tmp_path / "secret.jpg"  # a file on the server's disk, by absolute path
    Image.new("RGB", (400, 500), "white").save(secret, quality=95)
    lines = [
        json.dumps(candidate(photo={"path": str(secret)}, collection={"status": "none"})),
        json.dumps(candidate(photo={"path": "upload.jsonl"}, collection={"status": "none"})),
        json.dumps(candidate(photo=None)),
    ]
    response = client.post(
        "/v1/batch?exam=中级&year=2026&at=2026-06-20T10:00",
        content="\n".join(lines).encode("utf-8"),
        headers={"content-type": "application/x-ndjson"},
    )
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert [r["verdict"] for r in rows] == ["error", "error", "ready"]
    assert all("不能指定照片文件的路径" in r["error"] for r in rows[:2])
    assert "400" not in response.text and "secret" not in response.text


def test_a_batch_refuses_what_it_cannot_read(client: TestClient) -> None:
    wrong = client.post(
        "/v1/batch?exam=中级&year=2026", content=b"x", headers={"content-type": "image/png"}
    )
    assert problem_of(wrong, 422)["errors"][0]["field"] == "content-type"
    no_year = client.post(
        "/v1/batch?exam=中级", content=b"{}", headers={"content-type": "application/x-ndjson"}
    )
    assert problem_of(no_year, 422)["errors"][0]["field"] == "year"


# --- the other questions ---


def test_deadlines_regions_contacts_rules(client: TestClient) -> None:
    table = client.get("/v1/deadlines?exam=中级&year=2026&region=4403&at=2026-06-01T10:00")
    assert table.status_code == 200 and table.json()["deadlines"]
    places = client.get("/v1/regions", params={"q": "鼓楼"}).json()
    assert {p["code"] for p in places} >= {"320106", "350102"}
    assert problem_of(client.get("/v1/regions?q="), 422)["errors"][0]["field"] == "q"
    contacts = client.get("/v1/contacts/440305").json()
    assert contacts["region"]["code"] == "440305" and contacts["contacts"]
    assert problem_of(client.get("/v1/contacts/999999"), 422)["code"] == "input.invalid"
    rules = client.get("/v1/rules").json()
    assert rules["kuaiji"] and rules["format"] == 2 and "national" in rules["plugins"]


def test_change_and_transfer_plans(client: TestClient) -> None:
    changed = client.post("/v1/change", json={**request(), "set": {"姓名": "王小芳"}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["changes"][0]["decision"] == "in_person"
    moved = client.post("/v1/transfer", json={**request(), "to": "深圳"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["steps"]
    assert (
        problem_of(client.post("/v1/transfer", json=request()), 422)["errors"][0]["field"] == "to"
    )


def test_health_ready_metrics_openapi_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.post("/v1/precheck", json=request())
    metrics = client.get("/metrics").text
    assert 'route="/v1/precheck",status="200"' in metrics
    assert "kuaiji_verdicts_total{" in metrics and "kuaiji_rules_info{" in metrics
    spec = client.get("/openapi.json").json()
    assert spec["openapi"] == "3.1.0" and "/v1/precheck" in spec["paths"]
    assert set(spec["components"]["schemas"]) >= {"Candidate", "Result", "Problem"}
    assert "/openapi.json" in client.get("/docs").text
    assert problem_of(client.get("/no/such/thing"), 404)["code"] == "not.found"


def test_access_logs_carry_no_personal_data(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("kuaiji.access")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="kuaiji.access"):
            client.post("/v1/precheck", json=request())
            client.get("/v1/regions", params={"q": ID})
    finally:
        logger.removeHandler(caplog.handler)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert '"route": "/v1/precheck"' in logged and '"status": 200' in logged
    assert ID not in logged and PHONE not in logged and "王芳" not in logged and "q=" not in logged


# --- a real server ---


@pytest.mark.slow
def test_a_rules_update_reaches_every_worker_without_a_restart(tmp_path: Path) -> None:
    port = free_port()
    cache = tmp_path / "cache"
    env = {**os.environ, "KUAIJI_CACHE_DIR": str(cache), "KUAIJI_ACCESS_LOG": "0"}
    server = subprocess.Popen(
        [str(KUAIJI), "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        before = {httpx.get(f"{base}/v1/rules").json()["rules_generation"] for _ in range(10)}
        assert before == {None}
        subprocess.run(
            [os.fspath(Path(KUAIJI).parent / "python"), "-c",
             "from kuaiji.registry.manager import bump_generation; bump_generation()"],
            env=env, check=True,
        )  # fmt: skip
        workers = set()
        after = set()
        for _ in range(40):  # a new connection each time: the kernel picks the worker
            after.add(httpx.get(f"{base}/v1/rules").json()["rules_generation"])
            workers |= {
                line.split('worker="')[1].split('"')[0]
                for line in httpx.get(f"{base}/metrics").text.splitlines()
                if line.startswith("kuaiji_requests_total")
            }
        assert None not in after and len(after) == 1
        assert len(workers) == 2  # both workers answered, and both had picked it up
    finally:
        server.terminate()
        assert server.wait(timeout=20) is not None  # graceful shutdown ends the workers


def test_the_readmes_curl_example_answers(client: TestClient) -> None:
    import re

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    body = json.loads(re.search(r"-d '(\{.*?\})'", readme, re.S).group(1))  # type: ignore[union-attr]
    response = client.post("/v1/precheck", json=body)
    assert response.status_code == 200 and response.json()["exam"]["year"] == 2027


@pytest.mark.parametrize(
    ("facts", "said"),
    [
        ({"size_bytes": 50000, "width": 400}, "照片信息不全：缺少照片高度、照片格式"),
        (
            {"size_bytes": -1, "width": 400, "height": 0, "format": "png"},
            "照片大小、照片高度应大于 0",
        ),
    ],
)
def test_a_photo_described_wrongly_is_said_not_ignored(
    client: TestClient, facts: dict[str, Any], said: str
) -> None:
    approved = {"status": "approved", "region": "110105"}  # not ignored as "not given" either
    body = request(candidate=candidate(photo=facts, collection=approved))
    findings = client.post("/v1/precheck", json=body).json()["findings"]
    photo = [f for f in findings if f["rule"] == "photo.spec"]
    assert photo and photo[0]["severity"] == "error" and said in photo[0]["message"]


def test_a_service_may_send_what_it_knows_of_a_photo(client: TestClient) -> None:
    facts = {"size_bytes": 5000, "width": 200, "height": 300, "format": "png"}
    body = request(candidate=candidate(photo=facts, collection={"status": "none"}))
    findings = client.post("/v1/precheck", json=body).json()["findings"]
    assert any(f["rule"] == "photo.spec" and "未读取文件" in f["message"] for f in findings)


def test_a_wrong_method_says_which_are_allowed(client: TestClient) -> None:
    answer = client.get("/v1/precheck")
    assert problem_of(answer, 405)["code"] == "method.not_allowed"
    assert "POST" in answer.headers["allow"]


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[int]:
    """A real server in this process (so its time limits can be shortened), with its
    temporary files in ``tmp_path``."""
    import tempfile

    from kuaiji_server import limits

    monkeypatch.setattr(limits, "FORM_SECONDS", 0.5)
    monkeypatch.setattr(limits, "UPLOAD_SECONDS", 0.5)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with served(create_app()) as port:
        yield port


def _stalled(port: int, path: str, kind: str) -> str:
    """The head of the answer to a request whose body stops after 11 of 1,000 bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: {kind}\r\n"
            "content-length: 1000\r\n\r\n--xyz\r\ncont".encode()
        )
        return s.recv(4096).decode("latin-1").split("\r\n\r\n")[0]


@pytest.mark.parametrize(
    ("path", "kind", "answer"),
    [
        ("/v1/precheck", "multipart/form-data; boundary=xyz", "application/problem+json"),
        (
            "/v1/batch?exam=intermediate&year=2026",
            "application/x-ndjson",
            "application/problem+json",
        ),
        ("/check", "multipart/form-data; boundary=xyz", "text/html"),  # a page for a person
        ("/batch/result", "multipart/form-data; boundary=xyz", "text/html"),
    ],
)
def test_a_body_that_stops_coming_is_a_408_and_leaves_nothing(
    live: int, tmp_path: Path, path: str, kind: str, answer: str
) -> None:
    began = time.monotonic()
    head = _stalled(live, path, kind)
    assert head.startswith("HTTP/1.1 408 Request Timeout")
    assert f"content-type: {answer}" in head.lower()
    assert time.monotonic() - began < 5
    assert list(tmp_path.glob("kuaiji-*/*")) == []  # no upload left behind


def test_a_batch_too_large_leaves_no_file(
    live: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kuaiji_server import app

    monkeypatch.setattr(app, "BATCH_MAX", 1000)
    chunks = (b"{}\n" * 100 for _ in range(20))  # sent chunked: no length to refuse up front
    answer = httpx.post(
        f"http://127.0.0.1:{live}/v1/batch?exam=中级&year=2026",
        content=chunks,
        headers={"content-type": "application/x-ndjson"},
    )
    assert answer.status_code == 413
    assert list(tmp_path.glob("kuaiji-batch-*")) == []


def test_serve_on_a_busy_port_says_so_in_chinese_with_exit_2() -> None:
    from helpers import kuaiji

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = kuaiji("serve", "--port", str(port))
    assert result.returncode == 2
    assert "端口已被占用" in result.stderr and "已启动" not in result.stdout
