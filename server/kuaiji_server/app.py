"""The HTTP API: the same core as the CLI, for services and for people not at a terminal.

Every answer comes from the library (:mod:`kuaiji`); this module only reads requests,
checks their arguments, and writes JSON, calendars or batch results. It keeps no state
between requests but counters: any worker answers any request. The rules data in force is
checked on every request (:func:`kuaiji.registry.manager.get_registry` stats the rules
folder's generation file), so a ``kuaiji rules update`` reaches every worker without a
restart.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from kuaiji.errors import InputError, KuaijiError
from kuaiji.model.clock import parse_at
from kuaiji.model.results import ExamLevel
from kuaiji.registry.manager import Registry, get_registry
from kuaiji_server import downloads, limits, page
from kuaiji_server.metrics import Metrics
from kuaiji_server.problems import bad_input, field, problem

JSON_MAX = int(os.environ.get("KUAIJI_MAX_JSON", 1024 * 1024))  # one candidate request
PHOTO_MAX = int(os.environ.get("KUAIJI_MAX_PHOTO", 10 * 1024 * 1024))  # a multipart request
BATCH_MAX = int(os.environ.get("KUAIJI_MAX_BATCH", 64 * 1024 * 1024))  # a batch upload
EMPTY = Path(tempfile.mkdtemp(prefix="kuaiji-serve-"))  # an empty private folder: no photo there
atexit.register(shutil.rmtree, EMPTY, True)
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}
BATCH_TYPES = {
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


class Answer(JSONResponse):
    """JSON with Chinese as it is (not \\u escapes), compact."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- reading a request ---


def _exam(value: object) -> ExamLevel:
    from kuaiji.commands.precheck import exam_level

    if not isinstance(value, str):
        raise field("exam", "应为文本", "写 初级 或 中级（或 junior、intermediate）")
    return exam_level(value)


def _year(registry: Registry, level: ExamLevel, value: object, required: bool) -> int | None:
    from kuaiji.registry.schedules import check_year

    if value is None and not required:
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool):
        raise field("year", "应为 4 位整数的年份", "写成如 2027 的整数（不是 2027.0 或文字）")
    return check_year(registry, level, value, field="year")


def _at(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise field("at", "应为日期时间文本", "写成 2026-06-20T10:00:00+08:00 或 2026-06-20 10:00")
    try:
        return parse_at(value)
    except InputError as exc:
        raise InputError([p.__class__("at", p.message, p.fix) for p in exc.problems]) from None


async def _json(request: Request, limit: int = JSON_MAX) -> dict[str, Any]:
    body = await limits.read_body(request, limit)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise field("", "请求体不是有效的 JSON", "发送 UTF-8 编码的 JSON 对象") from None
    if not isinstance(data, dict):
        raise field("", "请求体应为 JSON 对象 {…}", "按 /openapi.json 的说明填写")
    return data


async def _precheck_request(request: Request, folder: Path) -> dict[str, Any]:
    """The request's JSON (a body, or the multipart field ``request``), with an uploaded
    photo saved in ``folder`` and named in ``candidate.photo.path``. A ``photo.path`` sent
    in JSON never reads the server's disk: it is refused."""
    kind = request.headers.get("content-type", "")
    data: dict[str, Any]
    if kind.startswith("multipart/form-data"):
        limits.check_length(request, PHOTO_MAX)
        async with (
            limits.within(limits.FORM_SECONDS),
            request.form(max_files=1, max_fields=4, max_part_size=PHOTO_MAX) as form,
        ):
            raw = form.get("request")
            text = raw if isinstance(raw, str) else None
            if text is None:
                raise field(
                    "request", "缺少字段 request", "把 JSON 请求放在 multipart 字段 request 中"
                )
            try:
                parsed = json.loads(text)
            except ValueError:
                raise field("request", "不是有效的 JSON", "发送 UTF-8 编码的 JSON 对象") from None
            if not isinstance(parsed, dict):
                raise field("request", "应为 JSON 对象 {…}", "按 /openapi.json 的说明填写")
            data = parsed
            upload = form.get("photo")
            if upload is not None and not isinstance(upload, str):
                suffix = PHOTO_TYPES.get(upload.content_type or "")
                if suffix is None:
                    raise field("photo", "照片应为 JPG 或 PNG", "上传 image/jpeg 或 image/png 文件")
                (folder / f"photo{suffix}").write_bytes(await upload.read())
                candidate = data.get("candidate")
                if isinstance(candidate, dict):
                    candidate["photo"] = {"path": f"photo{suffix}"}
                return data
    else:
        data = await _json(request)
    candidate = data.get("candidate")
    photo = candidate.get("photo") if isinstance(candidate, dict) else None
    if isinstance(photo, dict) and photo.get("path") is not None:
        raise field(
            "candidate.photo.path",
            "通过 HTTP 不能用服务器上的文件路径",
            "以 multipart/form-data 上传照片（字段 photo，JSON 放在字段 request）",
        )
    return data


def _candidate(data: dict[str, Any]) -> Any:
    from kuaiji.commands.precheck import candidate_from_dict
    from kuaiji.io import fastpath

    raw = data.get("candidate")
    if not isinstance(raw, dict):
        raise field(
            "candidate", "缺少考生信息（对象）", "在 candidate 中给出考生信息，见 kuaiji schema"
        )
    fast = fastpath.candidate_from_json(raw)  # the canonical form, in one pass (as batches)
    if fast is not None:
        return fast
    try:
        return candidate_from_dict(raw)
    except InputError as exc:
        raise InputError(
            [
                p.__class__(f"candidate.{p.path}" if p.path else "candidate", p.message, p.fix)
                for p in exc.problems
            ]
        ) from None


# --- endpoints ---


async def precheck(request: Request) -> Response:
    report = await _run_precheck(request)
    return Answer(report.to_dict(), headers={"Cache-Control": "no-store"})


async def precheck_ics(request: Request) -> Response:
    return downloads.calendar(await _run_precheck(request))


async def _run_precheck(request: Request) -> Any:
    registry = get_registry()
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        # JSON: no photo file can be named (photo.path is refused), so no folder is needed.
        data = await _precheck_request(request, EMPTY)
        report = _check(registry, data, EMPTY)
    else:
        with tempfile.TemporaryDirectory(prefix="kuaiji-request-") as tmp:
            data = await _precheck_request(request, Path(tmp))
            report = _check(registry, data, Path(tmp))
    METRICS.verdict(report.verdict.value, report.plugin_failed)
    return report


def _check(registry: Registry, data: dict[str, Any], folder: Path) -> Any:
    from kuaiji.commands.precheck import precheck as check

    level = _exam(data.get("exam"))
    year = _year(registry, level, data.get("year"), required=True)
    assert year is not None
    candidate = _candidate(data)
    at = _at(data.get("at"))
    try:
        return check(candidate, exam=level, year=year, at=at, base_dir=folder, registry=registry)
    except InputError as exc:  # what the core found wrong is in the candidate
        raise InputError(
            [p.__class__(f"candidate.{p.path}" if p.path else "candidate", p.message, p.fix)
             for p in exc.problems]
        ) from None  # fmt: skip


async def batch(request: Request) -> Response:
    """A whole file of candidates (JSON Lines, CSV or xlsx) in, one result per record out,
    streamed as it is checked: JSON Lines, or CSV with ``?format=csv``."""
    from kuaiji.batch.inputs import open_input
    from kuaiji.batch.options import Options
    from kuaiji.batch.pool import run

    registry = get_registry()
    query = request.query_params
    level = _exam(query.get("exam"))
    year = _year(registry, level, query.get("year"), required=True)
    assert year is not None
    at = _at(query.get("at"))
    output = query.get("format", "jsonl")
    if output not in ("jsonl", "csv"):
        raise field("format", "不支持的输出格式", "写 jsonl 或 csv")
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    suffix = BATCH_TYPES.get(kind)
    if suffix is None:
        raise field(
            "content-type",
            "不支持的上传类型",
            "上传 JSON Lines（application/x-ndjson）、CSV（text/csv）或 xlsx",
        )
    folder = Path(tempfile.mkdtemp(prefix="kuaiji-batch-"))
    source = folder / f"upload{suffix}"
    try:  # too large, too slow, gone, unreadable: nothing of it stays on the disk
        await limits.save_body(request, source, BATCH_MAX)
        records = open_input(str(source))
    except BaseException:
        _remove(folder)
        raise
    from kuaiji.model.clock import now

    options = Options(level, year, at or now(), output, photo_files=False)
    lines: queue.Queue[str | None] = queue.Queue(maxsize=64)

    def work() -> None:
        try:
            run(records, options, lines.put, registry=registry)
        finally:
            lines.put(None)
            _remove(folder)

    def produce() -> Iterator[str]:  # run() writes the CSV header first itself
        while (line := lines.get()) is not None:
            yield line

    threading.Thread(target=work, name="kuaiji-batch", daemon=True).start()
    media = "text/csv; charset=utf-8" if output == "csv" else "application/x-ndjson"
    return StreamingResponse(iterate_in_threadpool(produce()), media_type=media)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


async def deadlines(request: Request) -> Response:
    from kuaiji.commands.deadlines import deadlines as table

    query = request.query_params
    registry = get_registry()
    exams = [_exam(e) for e in query.getlist("exam")] or list(ExamLevel)
    years = [y for e in exams if (y := _year(registry, e, query.get("year"), required=False))]
    found = table(
        regions=query.getlist("region"), exams=exams, years=sorted(set(years)),
        at=_at(query.get("at")), registry=registry,
    )  # fmt: skip
    return Answer(found.to_dict())


async def regions(request: Request) -> Response:
    from kuaiji.registry.regions import search, serving

    text = "".join((request.query_params.get("q") or "").split())
    if not text or len(text) > 50:
        raise field("q", "要查找的文字为空或太长", "写代码或其前缀（如 440305）或地名（如 鼓楼）")
    registry = get_registry()
    places = search(text, registry.jurisdictions)[:50]
    return Answer(
        [
            {
                "code": p.code,
                "name": p.name,
                "level": p.level,
                "current": p.current,
                "served_by": [j.code for j in serving(p.code, registry.jurisdictions)],
            }
            for p in places
        ]
    )


async def contacts(request: Request) -> Response:
    registry = get_registry()
    region = registry.resolve(request.path_params["region"], field="region")
    return Answer(
        {
            "region": {"code": region.code, "name": region.name},
            "contacts": [
                {"name": c.name, "phones": list(c.phones), "address": c.address, "source": c.source}
                for c in region.contacts
            ],
        }
    )


async def change(request: Request) -> Response:
    from kuaiji.commands.plans import plan_change
    from kuaiji.io.schema import parse_change
    from kuaiji.model.results import FieldChange

    data = await _json(request)
    registry = get_registry()
    level = _exam(data.get("exam", "intermediate"))
    wanted = data.get("set")
    if not isinstance(wanted, dict) or not wanted:
        raise field("set", "缺少要修改的字段（对象）", '写成 {"姓名": "新名字"} 或 {"phone": "…"}')
    changes = [FieldChange(*parse_change(f"{k}={v}")) for k, v in wanted.items()]
    plan = plan_change(
        _candidate(data), changes, exam=level, year=_year(registry, level, data.get("year"), False),
        at=_at(data.get("at")), registry=registry,
    )  # fmt: skip
    return Answer(plan.to_dict(), headers={"Cache-Control": "no-store"})


async def transfer(request: Request) -> Response:
    from kuaiji.commands.plans import plan_transfer

    data = await _json(request)
    registry = get_registry()
    level = _exam(data.get("exam", "intermediate"))
    destination = data.get("to")
    if not isinstance(destination, str) or not destination.strip():
        raise field("to", "缺少调入地区", "写地区代码或名称，如 4403 或 深圳")
    with tempfile.TemporaryDirectory(prefix="kuaiji-request-") as tmp:
        plan = plan_transfer(
            _candidate(data), destination, exam=level,
            year=_year(registry, level, data.get("year"), False), at=_at(data.get("at")),
            base_dir=Path(tmp), registry=registry,
        )  # fmt: skip
    return Answer(plan.to_dict(), headers={"Cache-Control": "no-store"})


async def rules(request: Request) -> Response:
    """The versions and data in force in the worker that answers, with the rules
    generation it was built for (the same in every worker once an update is picked up)."""
    from kuaiji.registry.manager import generation
    from kuaiji.registry.provenance import provenance

    return Answer({**provenance(get_registry()), "rules_generation": generation()})


async def healthz(request: Request) -> Response:
    return Answer({"status": "ok"})


async def readyz(request: Request) -> Response:
    if get_registry.built() is None:
        return problem(503, "not.ready", "服务尚未就绪", "插件与规则数据正在加载")
    return Answer({"status": "ready"})


async def metrics(request: Request) -> Response:
    from kuaiji.registry.provenance import provenance

    plugins = provenance(get_registry())["plugins"]
    labels = {name: f"{row['data_updated']} {row['data_origin']}" for name, row in plugins.items()}
    return PlainTextResponse(METRICS.text(labels), media_type="text/plain; version=0.0.4")


async def openapi(request: Request) -> Response:
    from kuaiji_server.openapi import document

    return Answer(document())


async def docs(request: Request) -> Response:
    from kuaiji_server.openapi import docs_page

    return Response(
        docs_page(),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": page.PAGE_CSP},  # the site's stylesheet, no scripts
    )


# --- the application ---

METRICS = Metrics()

ROUTES = [  # matched in order: the busiest route first
    Route("/v1/precheck", precheck, methods=["POST"]),
    Route("/", page.home, methods=["GET"]),
    Route("/check", page.check, methods=["POST"]),
    Route("/check.ics", page.calendar, methods=["POST"]),
    Route("/candidate.json", page.candidate_file, methods=["POST"]),
    Route("/batch", page.batch_home, methods=["GET"]),
    Route("/batch/result", page.batch_result, methods=["POST"]),
    Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    Route("/v1/precheck.ics", precheck_ics, methods=["POST"]),
    Route("/v1/batch", batch, methods=["POST"]),
    Route("/v1/deadlines", deadlines, methods=["GET"]),
    Route("/v1/regions", regions, methods=["GET"]),
    Route("/v1/contacts/{region}", contacts, methods=["GET"]),
    Route("/v1/change", change, methods=["POST"]),
    Route("/v1/transfer", transfer, methods=["POST"]),
    Route("/v1/rules", rules, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
    Route("/docs", docs, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Warm the registry (plugins, data) before the worker reports ready, then move what
    is alive (the registry, the plugins' data: long-lived) out of the garbage collector's
    sight, so that its full collections do not stall requests scanning them."""
    import gc

    await run_in_threadpool(get_registry)
    gc.collect()
    gc.freeze()
    yield


_HTTP_CODES = {404: ("not.found", "没有这个地址"), 405: ("method.not_allowed", "不支持这个方法")}


async def _http_problem(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    code, title = _HTTP_CODES.get(status, ("http.error", "请求有误"))
    headers = getattr(exc, "headers", None)  # a 405's Allow
    return problem(status, code, title, "见 /docs 与 /openapi.json", headers=headers)


def _error_answer(request: Request, exc: Exception) -> Response:
    """The problem answer for kuaiji's own errors (bad input; a plugin or its data)."""
    if isinstance(exc, InputError):
        return bad_input(exc)
    return problem(500, "plugin.or.data", "插件或规则数据出错", "请稍后重试或联系服务管理员")


class PrecheckFirst:
    """``POST /v1/precheck`` with a JSON body, answered by the same endpoint function but
    without the router and Starlette's two exception layers in between: it is the request
    a service sends most, and those layers cost about a tenth of a worker's CPU on it
    (``benchmarks/serve.py``). Everything else (multipart, other routes) goes on to the
    application; errors are answered exactly as there (:func:`_error_answer`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/v1/precheck"
            or scope["method"] != "POST"
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        scope["route"] = ROUTES[0]  # for the access log and the metrics
        request = Request(scope, receive)
        try:
            response = await precheck(request)
        except KuaijiError as exc:
            response = _error_answer(request, exc)
        await response(scope, receive, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind: bytes = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json"
    return False


def create_app() -> Starlette:
    """The ASGI application (``uvicorn --factory kuaiji_server.app:create_app``), made in
    every worker process. Access logs (JSON lines on stderr, no personal data) unless
    ``KUAIJI_ACCESS_LOG=0``."""
    import logging
    import sys

    access = logging.getLogger("kuaiji.access")
    if os.environ.get("KUAIJI_ACCESS_LOG", "1") != "0" and not access.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False
    middleware = [Middleware(limits.Guard, metrics=METRICS)]
    origins = [o.strip() for o in os.environ.get("KUAIJI_CORS_ORIGINS", "").split(",") if o.strip()]
    if origins:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"])
        )
    middleware.append(Middleware(PrecheckFirst))  # after CORS: its headers still apply
    return Starlette(
        routes=ROUTES,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: _http_problem,
            limits.TooLarge: lambda request, exc: limits.too_large(request.url.path),
            limits.TooSlow: lambda request, exc: limits.too_slow(request.url.path),
            InputError: _error_answer,
            KuaijiError: _error_answer,
        },
    )
