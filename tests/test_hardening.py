"""Hardening: adversarial input (hypothesis), hostile photos, faulty plugins, time zones and
clocks, personal data in every output, and slow or stormy networks."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import json
import re
import struct
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import BASE, EXAMPLES, bj, candidate, examples, kuaiji, kuaiji_process, run
from kuaiji import hookimpl
from kuaiji.batch.options import Item, Options
from kuaiji.batch.pool import run as run_batch
from kuaiji.commands.precheck import candidate_from_dict, precheck
from kuaiji.errors import InputError
from kuaiji.io.net import FetchError, Policy, client, fetch
from kuaiji.model import clock as kclock
from kuaiji.model.context import Context
from kuaiji.model.results import ExamLevel, Finding, Jurisdiction, Severity
from kuaiji.registry.manager import Registry

AT = bj("2026-06-20 10:00")
ALL = {"KUAIJI_NATIONAL_ONLY": "0"}

# --- adversarial candidate documents ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
nasty_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="０１２３４５６７８９Ｘ", min_size=11, max_size=18),  # full-width digits
    st.sampled_from(
        [
            "11010519900307234",
            "11010519900307234x",
            "\u0000\u202e",
            "A" * 100_000,
            "１３８００１３８０００",
        ]
    ),
)
FIELDS = sorted(
    set(BASE)
    | {
        "gender",
        "birth_date",
        "email",
        "id_type",
        "exemption",
        "foreign",
        "provincial_review",
        "continuing_education",
    }
)


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A valid candidate with one to three fields replaced by something hostile."""
    data = json.loads(json.dumps(BASE))
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(FIELDS))
        data[field] = draw(
            st.one_of(
                json_values,
                nasty_text,
                st.sampled_from(
                    [
                        {"mode": "full_time"},
                        [{"level": "phd", "mode": "online"}],
                        "2024-02-30",
                        [[[[[]]]]],
                        {"x": {"y": {"z": {}}}},
                    ]
                ),
            )
        )
    return data


def deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"work": value}
    return value


def _checked(document: Any) -> None:
    """Never a traceback: a Report, or InputError naming every field."""
    try:
        parsed = candidate_from_dict(document)
    except InputError as exc:
        assert exc.problems and all(isinstance(p.path, str) and p.message for p in exc.problems)
        return
    try:
        precheck(parsed, exam="intermediate", year=2026, at=AT, base_dir=EXAMPLES)
    except InputError as exc:
        assert exc.problems


@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_hostile_fields_never_raise_anything_but_input_error(document: Any) -> None:
    _checked(document)


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_value_never_raises_anything_but_input_error(document: Any) -> None:
    _checked(document)


def test_deep_nesting_and_huge_strings() -> None:
    _checked(deep(5000))
    _checked(dict(BASE, name="王" * 1_000_000))
    _checked(dict(BASE, id_number="1" * 10_000))


@pytest.mark.parametrize(
    "number", ["11010519900307234", "11010519900307234x", "１１０１０５１９９００３０７２３４６"]
)
def test_short_lower_x_and_full_width_ids(number: str, folder: Path, registry: Registry) -> None:
    report = run(candidate(id_number=number), registry, folder)
    ids = [f for f in report.findings if f.rule == "identity.id_number"]
    assert (number.endswith("x") and not ids) or (ids and ids[0].severity is Severity.ERROR)


@settings(
    max_examples=examples(6),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(mutated(), min_size=60, max_size=60))
def test_a_batch_of_hostile_documents_keeps_every_record(docs: list[Any]) -> None:
    items = [
        Item(f"line {i + 1}", json.dumps(d, ensure_ascii=False), str(EXAMPLES))
        for i, d in enumerate(docs)
    ]
    items.append(Item("line 61", '{"work":' * 3000 + '"x"' + "}" * 3000, str(EXAMPLES)))
    lines: list[str] = []
    summary = run_batch(items, Options(ExamLevel.INTERMEDIATE, 2026, AT), lines.append)
    rows = [json.loads(x) for x in "".join(lines).splitlines()]  # splitlines: \x85 and kin too
    assert summary.records == len(rows) == 61
    assert [r["record"] for r in rows] == [f"line {i}" for i in range(1, 62)]
    assert summary.plugin_failures == 0
    assert rows[-1]["verdict"] == "error"


def test_malformed_files_exit_2_from_the_cli(tmp_path: Path) -> None:
    for i, document in enumerate(
        ['{"name": 1}', "[1, 2]", '{"name": "王芳", "region": "110105"}', "{"]
    ):
        path = tmp_path / f"c{i}.json"
        path.write_text(document, encoding="utf-8")
        result = kuaiji("precheck", str(path), "--exam", "junior", "--year", "2026")
        assert (
            result.returncode == 2
            and "Traceback" not in result.stderr
            and str(path) in result.stderr
        )


# --- hostile photos ---


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _photo_error(folder: Path, registry: Registry, name: str) -> str:
    with pytest.raises(InputError) as caught:
        run(candidate(photo={"path": name}), registry, folder)
    assert caught.value.problems[0].path == "photo.path"
    return str(caught.value.problems[0])


def test_a_decompression_bomb_is_refused_undecoded(folder: Path, registry: Registry) -> None:
    (folder / "bomb.png").write_bytes(_png_header(60_000, 60_000))
    assert "DecompressionBombError" in _photo_error(folder, registry, "bomb.png")


def test_a_truncated_jpeg_is_refused(folder: Path, registry: Registry) -> None:
    whole = (EXAMPLES / "wang.jpg").read_bytes()
    (folder / "half.jpg").write_bytes(whole[: len(whole) // 2])
    assert "不是完整的图片" in _photo_error(folder, registry, "half.jpg")


def test_a_40_mb_file_is_refused_without_reading_it(folder: Path, registry: Registry) -> None:
    with (folder / "big.jpg").open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)
    assert "太大，不像证件照" in _photo_error(folder, registry, "big.jpg")


def test_a_symlink_out_of_the_folder_is_refused(
    folder: Path, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.jpg"
    outside.write_bytes((EXAMPLES / "wang.jpg").read_bytes())
    (folder / "link.jpg").symlink_to(outside)
    assert "文件夹之外" in _photo_error(folder, registry, "link.jpg")


# --- faulty plugins ---


class Faulty:
    """A plugin for Beijing (11) that fails in one hook family, in one way."""

    def __init__(self, hook: str, how: str) -> None:
        self.hook, self.how = hook, how

    @hookimpl
    def kuaiji_jurisdictions(self) -> Sequence[Jurisdiction]:
        return [Jurisdiction("11", "北京市", "https://example.org/test", parent="CN")]

    def _answer(self, hook: str, good: Any) -> Any:
        if hook != self.hook:
            return good
        if self.how == "raise":
            raise RuntimeError("boom 110105199003072346")
        if self.how == "sleep":
            time.sleep(0.3)
            return good
        return {"not": "records"}

    @hookimpl
    def kuaiji_registration(self, ctx: Context) -> Any:
        return self._answer("kuaiji_registration", [])

    @hookimpl
    def kuaiji_collection(self, ctx: Context) -> Any:
        return self._answer("kuaiji_collection", [])

    @hookimpl
    def kuaiji_exam_precheck(self, ctx: Context) -> Any:
        return self._answer("kuaiji_exam_precheck", [])

    @hookimpl
    def kuaiji_timeline(self, ctx: Context) -> Any:
        return self._answer("kuaiji_timeline", [])


@pytest.mark.parametrize(
    "hook", ["kuaiji_registration", "kuaiji_collection", "kuaiji_exam_precheck", "kuaiji_timeline"]
)
@pytest.mark.parametrize("how", ["raise", "wrong type", "sleep"])
def test_a_faulty_plugin_is_named_and_the_others_answer(
    folder: Path, hook: str, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUAIJI_HOOK_BUDGET", "0.1")
    registry = Registry((("faulty", Faulty(hook, how)),), entry_points=False)
    report = run(candidate(photo=None), registry, folder)
    errors = [f for f in report.findings if f.rule == "plugin.error"]
    assert errors and {e.plugin for e in errors} == {"faulty"} and hook in errors[0].message
    # A plugin cut off after its budget is named once more at most ("本次运行中已停用").
    assert len(errors) <= (2 if how == "sleep" else 1)
    assert "photo.spec" in {f.rule for f in report.findings}  # the baseline still answered
    assert report.exit_code == 3
    assert "110105199003072346" not in errors[0].message  # masked in plugin errors too


def test_a_plugin_claiming_another_plugins_region_is_reported() -> None:
    class Claimer:
        @hookimpl
        def kuaiji_jurisdictions(self) -> Sequence[Jurisdiction]:
            return [Jurisdiction("44", "广东省", "https://example.org/x", parent="CN")]

    registry = Registry((("claimer", Claimer()),), entry_points=True)
    assert any(
        p.plugin in ("claimer", "guangdong") and "44" in p.message for p in registry.problems
    )
    assert registry.resolve("440305").plugins[:2] == ("national", "guangdong") or registry.problems


def test_in_a_batch_only_the_affected_records_are_marked() -> None:
    registry = Registry((("faulty", Faulty("kuaiji_collection", "raise")),), entry_points=False)
    beijing = json.dumps(candidate(), ensure_ascii=False)
    shanghai = json.dumps(
        candidate(region="310104", collection={"status": "approved", "region": "310104"}),
        ensure_ascii=False,
    )
    items = [Item("line 1", beijing, str(EXAMPLES)), Item("line 2", shanghai, str(EXAMPLES))]
    lines: list[str] = []
    summary = run_batch(
        items, Options(ExamLevel.INTERMEDIATE, 2026, AT), lines.append, registry=registry
    )
    rows = [json.loads(x) for x in "".join(lines).splitlines()]
    assert "plugin.error" in rows[0]["rules"] and "plugin.error" not in rows[1]["rules"]
    assert summary.plugin_failures == 1 and summary.exit_code == 3


# --- time ---


def test_the_machine_clock_does_not_matter_when_at_is_given(
    monkeypatch: pytest.MonkeyPatch, folder: Path, registry: Registry
) -> None:
    before = run(candidate(), registry, folder, year=2024, at="2024-06-20 10:00").to_dict()
    monkeypatch.setattr(kclock, "now", lambda: dt.datetime(2031, 1, 1, tzinfo=kclock.SHANGHAI))
    after = run(candidate(), registry, folder, year=2024, at="2024-06-20 10:00").to_dict()
    assert before == after


@pytest.mark.parametrize(
    "command",
    [
        ["deadlines", "--region", "31", "--year", "2024", "--at", "2024-06-21T23:30", "--json"],
        [
            "precheck",
            str(EXAMPLES / "aygul-urumqi.json"),
            "--exam",
            "intermediate",
            "--year",
            "2024",
            "--at",
            "2024-06-28T10:00",
            "--json",
        ],
    ],
)
@pytest.mark.slow
def test_the_same_output_in_every_time_zone(command: list[str]) -> None:
    """A real process per time zone: the machine's zone is read once, at start."""
    outputs = {
        kuaiji_process(*command, env={**ALL, "TZ": tz}).stdout
        for tz in ("UTC", "America/Los_Angeles", "Asia/Kathmandu", "Pacific/Kiritimati")
    }
    assert len(outputs) == 1


def test_no_naive_datetimes_in_the_code() -> None:
    """ruff's DTZ rules run in CI; this also catches a naive now() or today() in any form."""
    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(
        r"\b(datetime|dt\.datetime)\.(now|utcnow|today|fromtimestamp)\(\s*\)|\bdate\.today\(\)"
    )
    offenders = [
        f"{path}:{n}"
        for path in root.glob("*/**/*.py")
        if ".venv" not in path.parts and "tests" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


# --- personal data ---

SECRETS = ("110105199003072346", "13800138000", "王芳")


def _outputs(tmp_path: Path) -> Iterator[tuple[str, str]]:
    folder = tmp_path
    (folder / "wang.jpg").write_bytes((EXAMPLES / "wang.jpg").read_bytes())
    path = folder / "c.json"
    path.write_text(json.dumps(candidate(), ensure_ascii=False), encoding="utf-8")
    batch = folder / "b.jsonl"
    bad = dict(candidate(), phone=13800138000)
    batch.write_text(
        "\n".join(
            [json.dumps(candidate(), ensure_ascii=False), json.dumps(bad, ensure_ascii=False), "{"]
        ),
        encoding="utf-8",
    )
    exam = ["--exam", "intermediate", "--year", "2026", "--at", "2026-06-20T10:00"]
    commands = {
        "precheck": ["precheck", str(path), *exam],
        "precheck json": ["precheck", str(path), *exam, "--json"],
        "batch jsonl": ["precheck", "--batch", str(batch), *exam, "--json"],
        "batch csv": ["precheck", "--batch", str(batch), *exam, "--format", "csv"],
        "change": ["change", str(path), "--set", "work.employer=新公司", "--set", "name=王小芳"],
        "change json": ["change", str(path), "--set", "name=王小芳", "--json"],
        "transfer": ["transfer", str(path), "--to", "4403", "--at", "2024-05-20T10:00"],
        "transfer json": ["transfer", str(path), "--to", "4403", "--json"],
        "debug": ["--debug", "precheck", str(path), *exam, "--ics", str(folder / "no" / "x.ics")],
    }
    for name, args in commands.items():
        result = kuaiji(*args, env=ALL)
        yield name, result.stdout + result.stderr
    ics = folder / "me.ics"
    kuaiji("precheck", str(path), *exam, "--ics", str(ics), env=ALL)
    yield "ics", ics.read_text(encoding="utf-8")


def test_no_output_shows_personal_data_unless_asked(tmp_path: Path) -> None:
    for name, text in _outputs(tmp_path):
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    shown = kuaiji(
        "precheck",
        str(tmp_path / "c.json"),
        "--exam",
        "junior",
        "--year",
        "2026",
        "--show-personal-data",
        env=ALL,
    )
    assert SECRETS[0] in shown.stdout


# --- networks ---


class Trickle(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)  # each read is under the timeout; the whole body never is
        except OSError:
            pass


@pytest.mark.slow
def test_a_slowloris_body_is_bounded() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    policy = Policy(
        timeout=0.5, attempts=2, backoff=0.01, backoff_max=0.01, allow_http_loopback=True
    )

    async def get() -> Any:
        async with client(policy) as http_client:
            return await fetch(http_client, f"http://127.0.0.1:{server.server_address[1]}/", policy)

    began = time.perf_counter()
    try:
        with pytest.raises(FetchError) as caught:
            asyncio.run(get())
    finally:
        server.shutdown()
        server.server_close()
    assert caught.value.kind == "timeout" and caught.value.attempts == 2
    assert time.perf_counter() - began < 6  # 2 attempts × 3 × 0.5 s, and no more
    assert Finding  # (records imported for the plugin tests above)


def test_debug_tracebacks_mask_ids_and_phones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    import kuaiji.commands.precheck
    from kuaiji_cli.main import main

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("candidate 110105199003072346 phone 13800138000 broke it")

    monkeypatch.setattr(kuaiji.commands.precheck, "precheck", explode)
    (tmp_path / "wang.jpg").write_bytes((EXAMPLES / "wang.jpg").read_bytes())
    path = tmp_path / "c.json"
    path.write_text(json.dumps(candidate(), ensure_ascii=False), encoding="utf-8")
    args = ["precheck", str(path), "--exam", "junior", "--year", "2026"]
    quiet = CliRunner().invoke(main, args)
    loud = CliRunner().invoke(main, ["--debug", *args])
    assert quiet.exit_code == loud.exit_code == 3
    assert "Traceback" not in quiet.output and "--debug" in quiet.output
    assert "Traceback" in loud.output and "RuntimeError" in loud.output
    assert "110105199003072346" not in loud.output and "13800138000" not in loud.output
    assert "110***********2346" in loud.output


def test_photo_errors_are_chinese_and_never_repeat_the_file_name(
    folder: Path, registry: Registry
) -> None:
    # A file name often holds a person's name and ID number.
    message = _photo_error(folder, registry, "王芳-110105199003072346.jpg")
    assert "找不到照片文件" in message
    assert "王芳" not in message and "110105199003072346" not in message


def test_a_short_id_number_keeps_its_birth_date_masked() -> None:
    from kuaiji.io.masking import mask_id

    assert mask_id("110105199003072346") == "110***********2346"
    assert "0307" not in mask_id("11010519900307")  # 14 digits: the last four are a birthday
