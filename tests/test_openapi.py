"""The OpenAPI document of `kuaiji serve` (/openapi.json) and its /docs page: the document is
valid OpenAPI 3.1 (openapi-spec-validator), it and app.ROUTES name the same paths and
methods, every operation says its parameters, body, answer and problem answers, and real
answers (and real problems) match what it says."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator
from starlette.routing import Route
from starlette.testclient import TestClient

import kuaiji_server
from helpers import api_request, candidate
from kuaiji.registry.manager import get_registry
from kuaiji_server import app as server
from kuaiji_server import limits
from kuaiji_server.openapi import document

DOC = document()
CHINESE = re.compile(r"[\u4e00-\u9fff]")
API_PAGES = {"/openapi.json", "/docs", "/healthz", "/readyz", "/metrics"}
METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(server.create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


request = api_request


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A ``$ref`` inside the document followed (to its end)."""
    while "$ref" in node:
        found: Any = DOC
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOC["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def operation(path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = DOC["paths"][path][method]
    return found


def parameters(path: str, method: str) -> list[dict[str, Any]]:
    shared = DOC["paths"][path].get("parameters", [])
    return [resolve(p) for p in [*shared, *operation(path, method).get("parameters", [])]]


def response_schema(path: str, method: str, status: str, media: str) -> dict[str, Any]:
    answer = resolve(operation(path, method)["responses"][status])
    schema: dict[str, Any] = answer["content"][media]["schema"]
    return schema


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A JSON Schema validator for one schema of the document, its ``#/components/…``
    references resolved in the document."""
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    root["components"] = DOC["components"]
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def undocumented(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """The keys of ``value`` (at any depth) that ``schema`` does not name: a field the
    server answers with that the document does not describe."""
    schema = resolve(schema)
    for combined in ("anyOf", "oneOf"):
        if combined in schema:  # the closest of the choices
            return min((undocumented(value, option, where) for option in schema[combined]), key=len)
    properties: dict[str, Any] = dict(schema.get("properties", {}))
    extra = schema.get("additionalProperties")
    for part in schema.get("allOf", []):
        properties.update(resolve(part).get("properties", {}))
        extra = extra or resolve(part).get("additionalProperties")
    found: list[str] = []
    if isinstance(value, dict) and (properties or isinstance(extra, dict)):
        for key, item in value.items():
            inner = properties.get(key, extra if isinstance(extra, dict) else None)
            if inner is None:
                found.append(where + key)
            else:
                found += undocumented(item, inner, f"{where}{key}.")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            found += undocumented(item, schema["items"], f"{where}[].")
    return found


def check_answer(value: Any, schema: dict[str, Any]) -> None:
    validator(schema).validate(value)
    assert undocumented(value, schema) == []


# --- the document ---


def test_the_document_is_valid_openapi_3_1(client: TestClient) -> None:
    assert DOC["openapi"] == "3.1.0"
    assert [str(e) for e in OpenAPIV31SpecValidator(DOC).iter_errors()] == []
    assert client.get("/openapi.json").json() == json.loads(json.dumps(DOC))


def test_the_validator_sees_an_undeclared_path_parameter() -> None:
    """The audit's finding, put back: the validator used above does reject it."""
    broken = copy.deepcopy(DOC)
    del broken["paths"]["/v1/contacts/{region}"]["parameters"]
    errors = [str(e) for e in OpenAPIV31SpecValidator(broken).iter_errors()]
    assert any("'region'" in e and "not resolved" in e for e in errors), errors


def test_the_documented_paths_are_the_routes_and_methods_of_the_api() -> None:
    routes = {
        route.path: {m.lower() for m in route.methods or ()} - {"head"}
        for route in server.ROUTES
        if isinstance(route, Route) and (route.path.startswith("/v1/") or route.path in API_PAGES)
    }
    documented = {path: {m for m in item if m in METHODS} for path, item in DOC["paths"].items()}
    assert routes.keys() >= {"/v1/precheck", "/v1/contacts/{region}"} | API_PAGES
    assert documented == routes


def test_every_operation_says_what_it_is_in_chinese_and_its_problems() -> None:
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids))
    for path, method, op in operations():
        assert CHINESE.search(op["summary"]), (path, method)
        answers = op["responses"]
        assert "200" in answers, (path, method)
        for status, answer in answers.items():
            answer = resolve(answer)
            assert CHINESE.search(answer["description"]), (path, method, status)
            if status != "200":
                assert answer["content"] == {
                    "application/problem+json": answer["content"]["application/problem+json"]
                }
                problem = answer["content"]["application/problem+json"]
                assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
                assert problem["example"]["status"] == int(status)
                validator(problem["schema"]).validate(problem["example"])
        for parameter in parameters(path, method):
            assert parameter["in"] in ("query", "path"), parameter
            assert isinstance(parameter["required"], bool) and parameter["schema"]
            assert CHINESE.search(parameter["description"]), parameter
        body = op.get("requestBody")
        assert (body is not None) == (method == "post"), (path, method)
        if body is not None:
            assert body["required"] is True and CHINESE.search(body["description"])
            for media in body["content"].values():
                assert media["schema"], (path, method)
        for param in re.findall(r"{(\w+)}", path):
            assert [p["name"] for p in parameters(path, method) if p["in"] == "path"] == [param]


@pytest.mark.parametrize(
    ("path", "method", "names"),
    [
        ("/v1/batch", "post", {"exam": True, "year": True, "at": False, "format": False}),
        ("/v1/deadlines", "get", {"exam": False, "year": False, "region": False, "at": False}),
        ("/v1/regions", "get", {"q": True}),
        ("/v1/contacts/{region}", "get", {"region": True}),
    ],
)
def test_the_query_and_path_parameters(path: str, method: str, names: dict[str, bool]) -> None:
    found = {p["name"]: p["required"] for p in parameters(path, method)}
    assert found == names
    for repeatable in ("exam", "region") if path == "/v1/deadlines" else ():
        [schema] = [p["schema"] for p in parameters(path, method) if p["name"] == repeatable]
        assert schema["type"] == "array"


def test_the_request_bodies() -> None:
    def media(path: str) -> dict[str, Any]:
        content: dict[str, Any] = operation(path, "post")["requestBody"]["content"]
        return content

    for path in ("/v1/precheck", "/v1/precheck.ics"):
        assert set(media(path)) == {"application/json", "multipart/form-data"}
        form = resolve(media(path)["multipart/form-data"]["schema"])
        assert set(form["properties"]) == {"request", "photo"} and form["required"] == ["request"]
    assert set(media("/v1/batch")) == set(server.BATCH_TYPES)
    for path, name, needed in (
        ("/v1/precheck", "PrecheckRequest", {"candidate", "exam", "year"}),
        ("/v1/change", "ChangeRequest", {"candidate", "set"}),
        ("/v1/transfer", "TransferRequest", {"candidate", "to"}),
    ):
        assert media(path)["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
        assert set(resolve(media(path)["application/json"]["schema"])["required"]) == needed
    ok = validator(resolve({"$ref": "#/components/schemas/ChangeRequest"}))
    ok.validate({**request(), "set": {"姓名": "王小芳"}})
    assert not ok.is_valid({**request(), "set": {}})


# --- real answers against the document ---


def test_real_answers_match_their_documented_schemas(client: TestClient) -> None:
    asked: list[tuple[str, str, Any]] = [
        ("/v1/precheck", "post", client.post("/v1/precheck", json=request())),
        (
            "/v1/deadlines",
            "get",
            client.get("/v1/deadlines?exam=中级&year=2026&region=4403&at=2026-06-01T10:00"),
        ),
        ("/v1/deadlines", "get", client.get("/v1/deadlines?at=2026-06-01T10:00")),
        ("/v1/regions", "get", client.get("/v1/regions", params={"q": "鼓楼"})),
        ("/v1/contacts/{region}", "get", client.get("/v1/contacts/440305")),
        (
            "/v1/change",
            "post",
            client.post("/v1/change", json={**request(), "set": {"姓名": "王小芳"}}),
        ),
        ("/v1/transfer", "post", client.post("/v1/transfer", json={**request(), "to": "深圳"})),
        ("/v1/rules", "get", client.get("/v1/rules")),
        ("/healthz", "get", client.get("/healthz")),
        ("/readyz", "get", client.get("/readyz")),
    ]
    for path, method, response in asked:
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("application/json")
        check_answer(response.json(), response_schema(path, method, "200", "application/json"))
    assert asked[1][2].json()["deadlines"] and asked[6][2].json()["steps"]


def test_batch_lines_match_their_documented_schema(client: TestClient) -> None:
    lines = [json.dumps(candidate(photo=None), ensure_ascii=False), "{not json"]
    response = client.post(
        "/v1/batch?exam=中级&year=2026&at=2026-06-20T10:00",
        content="\n".join(lines).encode("utf-8"),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200
    kind = response.headers["content-type"].split(";")[0]
    assert kind in operation("/v1/batch", "post")["responses"]["200"]["content"]
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert [r["verdict"] for r in rows] == ["ready", "error"]
    for row in rows:
        check_answer(row, {"$ref": "#/components/schemas/BatchLine"})


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A body that does not arrive in time (Starlette's test client sends it at once)."""

    async def too_slow(*args: Any) -> bytes:
        raise limits.TooSlow

    monkeypatch.setattr(limits, "read_body", too_slow)


def _not_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_registry, "built", lambda: None)


def _broken(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*args: Any) -> Any:
        raise RuntimeError("broken")

    monkeypatch.setattr("kuaiji.registry.provenance.provenance", fails)


@pytest.mark.parametrize(
    ("path", "method", "send", "status", "setup"),
    [
        ("/v1/precheck", "post", {"json": request(year=-5)}, 422, None),
        ("/v1/precheck", "post", {"content": b" " * (server.JSON_MAX + 1)}, 413, None),
        ("/v1/precheck", "post", {"json": request()}, 408, _slow),
        (
            "/v1/precheck",
            "post",
            {"data": {f"f{i}": "x" for i in range(6)}, "files": {"photo": ("a.png", b"x")}},
            400,
            None,
        ),
        ("/v1/precheck.ics", "post", {"json": request(exam="高级")}, 422, None),
        ("/v1/batch", "post", {"params": {"exam": "中级"}, "content": b"{}"}, 422, None),
        ("/v1/deadlines", "get", {"params": {"region": "nowhere"}}, 422, None),
        ("/v1/regions", "get", {"params": {"q": ""}}, 422, None),
        ("/v1/contacts/{region}", "get", {"url": "/v1/contacts/999999"}, 422, None),
        ("/v1/contacts/{region}", "get", {"url": "/v1/contacts/"}, 404, None),
        ("/v1/change", "post", {"json": request()}, 422, None),
        ("/v1/change", "post", {"json": {**request(), "set": {"x": 1}}}, 408, _slow),
        ("/v1/transfer", "post", {"json": request()}, 422, None),
        ("/v1/rules", "get", {}, 500, _broken),
        ("/readyz", "get", {}, 503, _not_ready),
    ],
)
def test_each_problem_answered_is_declared_for_its_operation(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    method: str,
    send: dict[str, Any],
    status: int,
    setup: Any,
) -> None:
    if setup is not None:
        setup(monkeypatch)
    url = send.pop("url", path) if "url" in send else path
    response = client.request(method.upper(), url, **send)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert str(status) in operation(path, method)["responses"], (path, method, status)
    schema = response_schema(path, method, str(status), "application/problem+json")
    check_answer(response.json(), schema)


def test_a_method_not_allowed_is_the_documented_problem(client: TestClient) -> None:
    response = client.post("/v1/regions")
    assert response.status_code == 405 and "post" not in DOC["paths"]["/v1/regions"]
    answer = DOC["components"]["responses"]["MethodNotAllowed"]
    check_answer(response.json(), answer["content"]["application/problem+json"]["schema"])
    assert "405" in DOC["info"]["description"]


# --- the /docs page ---


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []
        self.text: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs), tuple(self.open)))
        if tag not in ("meta", "link", "br", "img", "input"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self.open:
            self.text[self.open[-1]] = self.text.get(self.open[-1], "") + data


def test_the_docs_page_is_in_the_sites_style_and_its_table_scrolls(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    page = Page()
    page.feed(response.text)
    [html] = [attrs for tag, attrs, _ in page.tags if tag == "html"]
    assert html["lang"] == "zh-CN"
    sheets = [a["href"] for t, a, _ in page.tags if t == "link" and a.get("rel") == "stylesheet"]
    assert sheets == ["/static/kuaiji.css"]
    static = Path(kuaiji_server.__file__).parent / "static"
    assert (static / "kuaiji.css").is_file()
    assert client.get("/static/kuaiji.css").status_code == 200
    assert CHINESE.search(page.text["h1"]) and "header" in {t for t, _, _ in page.tags}
    # CSP: no inline script or style of any kind
    assert not [t for t, a, _ in page.tags if t in ("script", "style") or "style" in a]
    assert not [a for _, a, _ in page.tags if any(k.startswith("on") for k in a)]
    # the table sits in a scrolling box (.scroll in kuaiji.css), reachable by keyboard
    [(_, _, around)] = [(t, a, o) for t, a, o in page.tags if t == "table"]
    boxes = [a for t, a, _ in page.tags if t == "div" and "scroll" in (a.get("class") or "")]
    assert "div" in around and len(boxes) == 1 and boxes[0].get("tabindex") == "0"
    rows = re.findall(r"<tr><td>(\w+)</td><td><code>([^<]+)</code>", response.text)
    assert {(p, m.lower()) for m, p in rows} == {(p, m) for p, m, _ in operations()}
