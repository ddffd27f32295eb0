"""Hostile inputs (#18 items 4 and 5): each attack reproduced and shown refused or contained.

Crafted photos (other formats named .jpg, decompression bombs, huge headers, a JPEG of a
thousand scans), oversized CSV cells and lines, huge integers, special files, ``--out`` that
is the input, bad years; personal data in file names, error messages, plugin messages and
permit numbers; escape sequences on the way to a terminal. A record's failure stays in that
record: records in = records out. The strategies at the end are also what
``benchmarks/fuzz.py`` runs at length.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import shutil
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from helpers import EXAMPLES, bj, candidate, examples, kuaiji, run
from kuaiji import hookimpl
from kuaiji.batch.inputs import open_input
from kuaiji.batch.options import MAX_RECORD, Item, Options
from kuaiji.batch.pool import run as run_batch
from kuaiji.commands.precheck import candidate_from_dict, load_candidate
from kuaiji.errors import InputError
from kuaiji.io import photo
from kuaiji.io.convert import MAX_CANDIDATE_BYTES
from kuaiji.io.masking import mask_file_name, mask_id, mask_phone, printable, scrub_text
from kuaiji.model.context import Context, PhotoInfo
from kuaiji.model.results import ExamLevel, Finding, Jurisdiction, Severity, Step
from kuaiji.registry.manager import Registry

AT = bj("2026-06-20 10:00")
ARGS = ["--exam", "intermediate", "--year", "2026", "--at", "2026-06-20T10:00", "--jobs", "1"]
ID = "440106198705210310"
PHONE = "13912345678"


# --- photos: only JPEG and PNG are opened ---


def _tiff() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 420), "white").save(out, "TIFF")
    return out.getvalue()


def _eps() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 420), "white").save(out, "EPS")  # PostScript: Ghostscript renders it
    return out.getvalue()


def _dds() -> bytes:
    """A 3.7 KB DDS file whose pixel format Pillow does not implement (#18: it raised
    NotImplementedError out of the precheck)."""
    header = bytearray(b"DDS " + bytes(124))
    struct.pack_into("<IIII", header, 4, 124, 0x1007, 64, 64)  # size, flags, height, width
    struct.pack_into("<II4s", header, 76, 32, 4, b"ZZZZ")  # a FourCC nobody knows
    return bytes(header) + bytes(3600)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which of Pillow's other format plugins try to open a file, and whether Ghostscript
    would run: both must stay empty."""
    from PIL import DdsImagePlugin, EpsImagePlugin, TiffImagePlugin

    calls: list[str] = []
    for plugin in (DdsImagePlugin.DdsImageFile, EpsImagePlugin.EpsImageFile):
        monkeypatch.setattr(plugin, "_open", lambda self, name=plugin.format: calls.append(name))
    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "_open", lambda self: calls.append("TIFF"))
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", lambda *a, **k: calls.append("gs"))
    return calls


@pytest.mark.parametrize("make", [_dds, _eps, _tiff], ids=["dds", "eps", "tiff"])
def test_other_formats_named_jpg_are_refused_unopened(
    make: Any, folder: Path, registry: Registry, opened: list[str]
) -> None:
    (folder / "me.jpg").write_bytes(make())
    with pytest.raises(InputError) as caught:
        run(candidate(photo={"path": "me.jpg"}), registry, folder)
    assert caught.value.problems[0].path == "photo.path"
    assert "不是 JPG 或 PNG 图片" in caught.value.problems[0].message
    assert opened == []  # neither their plugins nor Ghostscript were reached


def test_the_crafted_dds_did_crash_pillow_unrestricted(tmp_path: Path) -> None:
    """The attack is real: opened by any format, the DDS raises what the core did not catch."""
    (tmp_path / "me.jpg").write_bytes(_dds())
    with pytest.raises(NotImplementedError):
        Image.open(tmp_path / "me.jpg")


# --- photos: the cost of decoding bounded from the header ---


def _png(width: int, height: int, level: int = 1, rows: int | None = None) -> bytes:
    """A real PNG of one colour: small on disk, ``width × height × 3`` bytes decompressed
    (or only its first ``rows``: a header claiming more than the file holds)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    row = b"\x00" + b"\xff" * (width * 3)
    deflate = zlib.compressobj(level)
    count = height if rows is None else rows
    pixels = b"".join(deflate.compress(row) for _ in range(count)) + deflate.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _jpeg_sized(width: int, height: int) -> bytes:
    """The example photo with its frame header claiming ``width × height`` pixels."""
    data = bytearray((EXAMPLES / "wang.jpg").read_bytes())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _many_scans(scans: int) -> bytes:
    """A progressive JPEG whose last scan is repeated: each pass goes over every block (a
    94 KB file of 1,000 scans took 17 s to decode)."""
    out = io.BytesIO()
    Image.new("RGB", (1000, 1000), "white").save(out, "JPEG", progressive=True)
    *head, last = out.getvalue().split(b"\xff\xda")
    last = b"\xff\xda" + last
    body = b"\xff\xda".join(head) + last[:-2] * (scans - len(head) + 1) + last[-2:]
    return body


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The images whose pixels were decoded."""
    from PIL import ImageFile

    calls: list[str] = []
    load = ImageFile.ImageFile.load

    def counted(self: Any) -> Any:
        calls.append(self.format)
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    return calls


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda: _png(2600, 2600), "解压后约 19 MB"),  # 6.8 Mpx, 20 MB of pixels, 90 KB
        (lambda: _png(5000, 5000, rows=2), "5000×5000 像素"),  # a header claiming more
        (lambda: _png(10000, 10000, rows=2), "DecompressionBombError"),  # Pillow's warning
        (lambda: _jpeg_sized(6000, 5000), "6000×5000 像素"),
        (lambda: _jpeg_sized(30000, 30000), "DecompressionBombError"),  # Pillow's own guard
        (lambda: _many_scans(200), "200 遍扫描"),
    ],
    ids=["png-bomb", "png-header", "png-warned", "jpeg-header", "jpeg-huge", "jpeg-scans"],
)
def test_what_would_cost_too_much_is_refused_before_decoding(
    make: Any, said: str, folder: Path, registry: Registry, decoded: list[str]
) -> None:
    (folder / "me.png").write_bytes(make())
    with pytest.raises(InputError) as caught:
        run(candidate(photo={"path": "me.png"}), registry, folder)
    assert caught.value.problems[0].path == "photo.path"
    assert said in caught.value.problems[0].message
    assert decoded == []


@pytest.mark.slow
def test_the_131_kb_png_of_the_issue_is_refused_undecoded(
    folder: Path, registry: Registry, decoded: list[str]
) -> None:
    """6300 × 6300 pixels in 131 KB: 119 MB to decode, ~850 × the example photo."""
    bomb = _png(6300, 6300, level=9)
    assert len(bomb) < 140_000
    (folder / "bomb.png").write_bytes(bomb)
    with pytest.raises(InputError, match="6300×6300"):
        run(candidate(photo={"path": "bomb.png"}), registry, folder)
    assert decoded == []


def test_an_ordinary_photo_is_still_decoded(folder: Path, registry: Registry) -> None:
    photo._inspect_resolved.cache_clear()
    Image.open(folder / "wang.jpg").save(folder / "wang.png")
    for name in ("wang.jpg", "wang.png"):
        report = run(candidate(photo={"path": name}), registry, folder)
        assert "photo.spec" not in {f.rule for f in report.findings}


@pytest.mark.parametrize("error", [ZeroDivisionError, MemoryError, RecursionError, KeyError])
def test_anything_pillow_raises_is_the_candidates_photo_error(
    error: type[BaseException],
    folder: Path,
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PIL import JpegImagePlugin

    def broken(self: Any) -> Any:
        raise error("from a crafted file")

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", broken)
    photo._inspect_resolved.cache_clear()
    photo._remembered().clear()
    with pytest.raises(InputError) as caught:
        run(candidate(), registry, folder)
    assert caught.value.problems[0].path == "photo.path"
    assert error.__name__ in caught.value.problems[0].message


def test_a_bad_photo_in_a_batch_is_that_records_error_alone(folder: Path) -> None:
    (folder / "dds.jpg").write_bytes(_dds())
    lines = [
        json.dumps(candidate(photo={"path": name}), ensure_ascii=False)
        for name in ("wang.jpg", "dds.jpg", "wang.jpg", "wang.jpg")
    ]
    items = [Item(f"line {n}", line, str(folder)) for n, line in enumerate(lines, 1)]
    out: list[str] = []
    summary = run_batch(items, Options(ExamLevel.INTERMEDIATE, 2026, AT), out.append)
    got = [json.loads(line) for line in "".join(out).splitlines()]
    assert summary.records == len(got) == 4
    assert [r["verdict"] == "error" for r in got] == [False, True, False, False]
    assert "photo.path" in got[1]["error"] and "不是 JPG 或 PNG" in got[1]["error"]


# --- photos: remembered by the file's identity (#19) ---


def test_a_photo_corrected_at_the_same_path_is_read_again(folder: Path, registry: Registry) -> None:
    Image.new("RGB", (200, 280), "white").save(folder / "me.jpg")
    first = run(candidate(photo={"path": "me.jpg"}), registry, folder)
    assert "200×280" in next(f.message for f in first.findings if f.rule == "photo.spec")
    shutil.copy(EXAMPLES / "wang.jpg", folder / "me.jpg")  # the corrected photo, same path
    again = run(candidate(photo={"path": "me.jpg"}), registry, folder)
    assert "photo.spec" not in {f.rule for f in again.findings}
    (folder / "me.jpg").write_text("not a photo", encoding="utf-8")  # and broken again
    with pytest.raises(InputError):
        run(candidate(photo={"path": "me.jpg"}), registry, folder)


def test_the_photo_cache_is_bounded() -> None:
    assert photo._inspect_resolved.cache_info().maxsize == photo.SEEN
    assert photo._inspect.cache_info().maxsize is not None


def test_a_photo_swapped_for_a_symlink_out_of_the_folder_is_refused(
    folder: Path, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert isinstance(photo.inspect("wang.jpg", folder), PhotoInfo)  # resolved and cached
    outside = tmp_path_factory.mktemp("outside") / "secret.jpg"
    shutil.copy(EXAMPLES / "wang.jpg", outside)
    (folder / "wang.jpg").unlink()
    (folder / "wang.jpg").symlink_to(outside)
    with pytest.raises(InputError, match="文件夹之外"):
        photo.inspect("wang.jpg", folder)


def test_a_fifo_as_the_photo_is_refused_without_waiting(folder: Path, registry: Registry) -> None:
    os.mkfifo(folder / "pipe.jpg")
    with pytest.raises(InputError, match="不是一个文件"):
        run(candidate(photo={"path": "pipe.jpg"}), registry, folder)


# --- one record's failure stays in that record ---


def _batch(items: list[Item], **options: Any) -> tuple[list[dict[str, Any]], Any]:
    out: list[str] = []
    summary = run_batch(items, Options(ExamLevel.INTERMEDIATE, 2026, AT, **options), out.append)
    return [json.loads(line) for line in "".join(out).splitlines()], summary


@pytest.mark.parametrize("error", [MemoryError, RecursionError, ZeroDivisionError])
def test_any_exception_while_checking_is_that_records_error(
    error: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kuaiji.commands.precheck as engine

    real = engine.precheck

    def sometimes(cand: Any, **kwargs: Any) -> Any:
        if cand.name == "坏记录":
            raise error("boom")
        return real(cand, **kwargs)

    monkeypatch.setattr(engine, "precheck", sometimes)
    docs = [candidate(photo=None), candidate(name="坏记录", photo=None), candidate(photo=None)]
    items = [
        Item(f"line {n}", json.dumps(d, ensure_ascii=False), ".") for n, d in enumerate(docs, 1)
    ]
    got, summary = _batch(items)
    assert summary.records == len(got) == 3
    assert [r["verdict"] == "error" for r in got] == [False, True, False]
    said = "嵌套层数过多" if error is RecursionError else f"内部错误（{error.__name__}）"
    assert said in got[1]["error"]


def _csv(tmp_path: Path, rows: Sequence[str]) -> Path:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    good = "王芳,110105199003072346,13800138000,110105,wang.jpg"
    text = "\n".join(["姓名,身份证号,手机号码,地区,照片", good, *rows, good]) + "\n"
    path = tmp_path / "名单.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("李雷,110105199003072346,13800138000," + "1" * (2 << 20), "1,048,576 个字符"),
        ('李雷,110105199003072346,13800138000,"' + "x" * (5 << 20) + '"', "超过 4 MB"),
    ],
    ids=["2-mb-cell", "5-mb-line"],
)
def test_an_oversized_csv_cell_or_line_is_that_rows_error(
    row: str, said: str, tmp_path: Path
) -> None:
    path = _csv(tmp_path, [row])
    result = kuaiji("precheck", "--batch", str(path), *ARGS, "--format", "csv")
    assert result.returncode == 1, result.stderr
    table = result.stdout.lstrip("\ufeff").splitlines()
    records = [line for line in table if line.startswith("第 ")]
    assert [r.split(",")[0] for r in records] == ["第 2 行", "第 3 行", "第 4 行"]
    assert [r.split(",")[2] == "error" for r in records] == [False, True, False]
    assert said in records[1]


def test_a_deep_json_cell_is_that_rows_error(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    good = "王芳,110105199003072346,13800138000,110105,wang.jpg,"
    deep = '王芳,110105199003072346,13800138000,110105,wang.jpg,"' + "[" * 100_000 + '"'
    path = tmp_path / "名单.csv"
    path.write_text("\n".join(["姓名,身份证号,手机号码,地区,照片,学历列表", good, deep, good]))
    result = kuaiji("precheck", "--batch", str(path), *ARGS)
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in got] == ["row 2", "row 3", "row 4"]
    assert [r["verdict"] == "error" for r in got] == [False, True, False]


def test_an_oversized_json_line_is_that_lines_error(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    good = json.dumps(candidate(), ensure_ascii=False)
    huge = json.dumps(candidate(work={"status": "accounting", "employer": "x" * (2 << 20)}))
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([good, huge, good, "9" * 4400, good]) + "\n", encoding="utf-8")
    for source, stdin in ((str(path), None), ("-", path.read_bytes())):
        result = kuaiji("precheck", "--batch", source, *ARGS, stdin=stdin, cwd=tmp_path)
        got = [json.loads(line) for line in result.stdout.splitlines()]
        assert [r["record"] for r in got] == [f"line {n}" for n in range(1, 6)], source
        assert [r["verdict"] == "error" for r in got] == [False, True, False, True, False]
        assert "超过 1 MB" in got[1]["error"]
        assert "位数过多的整数" in got[3]["error"]


def test_a_worker_reads_a_span_of_huge_lines_line_by_line(tmp_path: Path) -> None:
    from kuaiji.batch import inputs
    from kuaiji.batch.options import Span

    good = json.dumps(candidate(), ensure_ascii=False)
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([good, "x" * (MAX_RECORD + 10), good]) + "\n", encoding="utf-8")
    span = Span(str(path), 0, path.stat().st_size, 1, str(tmp_path))
    read = inputs._span_lines(span)
    assert [i.label for i in read] == ["line 1", "line 2", "line 3"]
    assert read[0].payload.strip() == good and read[1].payload.startswith("\x00unreadable")
    assert MAX_RECORD == MAX_CANDIDATE_BYTES  # one candidate's bound, wherever it comes from


def test_an_integer_of_4400_digits(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    text = json.dumps(candidate(photo=None), ensure_ascii=False)
    path.write_text(text.replace('"region"', '"big": ' + "9" * 4400 + ', "region"'))
    result = kuaiji("precheck", str(path), *ARGS[:-2])
    assert result.returncode == 2 and "位数过多的整数" in result.stderr
    assert "Traceback" not in result.stderr and "9" * 100 not in result.stderr
    with pytest.raises(InputError, match="整数太大"):
        candidate_from_dict(
            candidate(work={"status": "accounting", "social_security_months": 10**40})
        )


# --- special and oversized files, refused before reading ---


def test_dev_zero_and_a_fifo_are_refused_before_reading(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    for file in ("/dev/zero", str(tmp_path / "pipe.json")):
        result = kuaiji("precheck", file, *ARGS[:-2])
        assert result.returncode == 2, file
        assert "不是普通文件" in result.stderr and "Traceback" not in result.stderr
        batch = kuaiji("precheck", "--batch", file, *ARGS)
        assert batch.returncode == 2 and "不是普通文件" in batch.stderr


def test_an_endless_line_on_standard_input_ends_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    from kuaiji.batch import inputs

    class Endless:  # /dev/zero as a stream: bytes for ever, no line end
        read = 0

        def readline(self, size: int = -1) -> bytes:
            self.read += size
            return b"\0" * size

    monkeypatch.setattr(inputs, "MAX_SKIP", 5 << 20)
    stream = Endless()
    assert list(inputs._bounded(stream, 1000)) == [None]  # that line's error, then the end
    assert stream.read < 8 << 20


@pytest.mark.slow
def test_batch_from_dev_zero_on_standard_input_ends_by_itself() -> None:
    import subprocess

    from helpers import KUAIJI

    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [str(KUAIJI), "precheck", "--batch", "-", *ARGS],
            stdin=zero, capture_output=True, timeout=120, check=False,
        )  # fmt: skip
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["verdict"] == "error"
    assert b"Traceback" not in done.stderr


def test_oversized_candidates_are_refused(tmp_path: Path) -> None:
    big = json.dumps(candidate(work={"status": "accounting", "employer": "x" * (2 << 20)}))
    path = tmp_path / "big.json"
    path.write_text(big, encoding="utf-8")
    with pytest.raises(InputError, match="超过 1 MB"):
        load_candidate(path)
    piped = kuaiji("precheck", "-", *ARGS[:-2], stdin=big)
    assert piped.returncode == 2 and "超过 1 MB" in piped.stderr


def test_a_folder_with_a_fifo_and_an_oversized_file_keeps_every_record(tmp_path: Path) -> None:
    folder = tmp_path / "people"
    folder.mkdir()
    shutil.copy(EXAMPLES / "wang.jpg", folder / "wang.jpg")
    good = json.dumps(candidate(), ensure_ascii=False)
    (folder / "a.json").write_text(good, encoding="utf-8")
    os.mkfifo(folder / "b.json")
    (folder / "c.json").write_text(" " * (MAX_RECORD + 1) + good, encoding="utf-8")
    (folder / "d.json").write_text(good, encoding="utf-8")
    result = kuaiji("precheck", "--batch", str(folder), *ARGS)
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in got] == [f"file {n}: {c}.json" for n, c in enumerate("abcd", 1)]
    assert [r["verdict"] == "error" for r in got] == [False, True, True, False]
    assert "不是普通文件" in got[1]["error"] and "超过 1 MB" in got[2]["error"]


# --- --out that is the input, folders, years ---


@pytest.mark.parametrize("how", ["hard link", "symlink", "same path"])
def test_out_that_is_the_input_by_any_path_is_refused(how: str, tmp_path: Path) -> None:
    source = _csv(tmp_path, [])
    before = source.read_bytes()
    out = tmp_path / "out.csv"
    if how == "hard link":
        os.link(source, out)
    elif how == "symlink":
        out.symlink_to(source)
    else:
        out = tmp_path / "." / source.name
    result = kuaiji("precheck", "--batch", str(source), *ARGS, "--out", str(out))
    assert result.returncode == 2 and "就是输入" in result.stderr
    assert source.read_bytes() == before


def test_out_into_the_folder_read_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(candidate()), encoding="utf-8")
    result = kuaiji("precheck", "--batch", str(tmp_path), *ARGS, "--out", str(tmp_path / "a.json"))
    assert result.returncode == 2 and "就是输入" in result.stderr


def test_out_and_ics_naming_a_folder_exit_2(tmp_path: Path) -> None:
    source = _csv(tmp_path, [])
    shutil.copy(EXAMPLES / "wang-fang.json", tmp_path / "c.json")
    for args in (
        ["precheck", "--batch", str(source), *ARGS, "--out", str(tmp_path)],
        ["precheck", str(tmp_path / "c.json"), *ARGS[:-2], "--ics", str(tmp_path)],
        ["deadlines", "--region", "11", "--year", "2026", "--ics", str(tmp_path)],
    ):
        result = kuaiji(*args)
        assert result.returncode == 2, args
        assert "是文件夹" in result.stderr and "Traceback" not in result.stderr


def test_ics_that_is_the_candidate_file_is_refused(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(candidate(), ensure_ascii=False), encoding="utf-8")
    before = path.read_bytes()
    (tmp_path / "link.ics").symlink_to(path)
    result = kuaiji("precheck", str(path), *ARGS[:-2], "--ics", str(tmp_path / "link.ics"))
    assert result.returncode == 2 and "就是输入文件" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("year", ["0", "-1", "10000", "2026" + "0" * 5000, "二〇二六"])
def test_bad_years_are_input_errors_in_chinese(year: str, tmp_path: Path) -> None:
    source = _csv(tmp_path, [])
    for args in (
        ["precheck", str(EXAMPLES / "wang-fang.json"), "--exam", "junior"],
        ["precheck", "--batch", str(source), "--exam", "junior", "--jobs", "1"],
        ["deadlines", "--region", "11"],
        ["transfer", str(EXAMPLES / "wang-fang.json"), "--to", "4403"],
    ):
        result = kuaiji(*args, f"--year={year}")
        assert result.returncode == 2, (args, result.stderr)
        assert re.search("[\u4e00-\u9fff]", result.stderr) and "Traceback" not in result.stderr
        assert len(result.stderr) < 1000  # a long value is not echoed back


# --- personal data ---

PERSONAL_FILES = (f"欧阳娜娜-{ID}.json", f"王小明_{PHONE}.json", "台胞证12345678-林志玲.json")


def test_folder_labels_are_masked_unless_asked(tmp_path: Path) -> None:
    folder = tmp_path / "people"
    folder.mkdir()
    shutil.copy(EXAMPLES / "wang.jpg", folder / "wang.jpg")
    for name in PERSONAL_FILES:
        (folder / name).write_text(json.dumps(candidate(), ensure_ascii=False), encoding="utf-8")
    (folder / "坏文件-王芳.json").write_text("{", encoding="utf-8")
    secrets = ("欧阳娜娜", ID, PHONE, "王小明", "12345678", "林志玲", "王芳")
    for fmt in ("jsonl", "csv"):
        result = kuaiji("precheck", "--batch", str(folder), *ARGS, "--format", fmt)
        shown = result.stdout + result.stderr
        assert [s for s in secrets if s in shown] == [], fmt
        assert shown.count("文件 ") >= 4 if fmt == "csv" else shown.count('"file ') == 4
    assert mask_file_name(PERSONAL_FILES[0]) == "欧***-440***********0310.json"
    asked = kuaiji("precheck", "--batch", str(folder), *ARGS, "--show-personal-data")
    assert PERSONAL_FILES[0] in asked.stdout


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", ID),
        ("gender", PHONE),
        ("gender", "138 0013 8000"),
        ("gender", "someone@example.com"),
        ("foreign", "欧阳娜娜"),
        ("id_type", "王小明"),
        ("region", ID),
        ("region", PHONE),
        ("region", "欧阳娜娜"),
    ],
)
def test_error_messages_do_not_echo_personal_values(field: str, value: str, tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    document = candidate(**{field: value})
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    single = kuaiji("precheck", str(path), *ARGS[:-2])
    batch_file = tmp_path / "b.jsonl"
    batch_file.write_text(json.dumps(document, ensure_ascii=False) + "\n", encoding="utf-8")
    batch = kuaiji("precheck", "--batch", str(batch_file), *ARGS)
    for result in (single, batch):
        assert value not in result.stdout + result.stderr, (field, value)
        assert field in result.stdout + result.stderr  # the field is still named


def test_typos_of_accepted_words_are_still_shown() -> None:
    with pytest.raises(InputError) as caught:
        candidate_from_dict(candidate(gender="女士", foreign="是的吧"))
    assert "“女士”" in str(caught.value) and "“是的吧”" in str(caught.value)


PERMITS = ["H12345678", "M1234567890", "H1234567801", "12345678", "1234567890", "E12345678"]


@pytest.mark.parametrize("number", PERMITS)
def test_permit_numbers_are_masked_like_resident_ids(number: str) -> None:
    def visible(masked: str) -> int:
        return sum(c != "*" for c in masked)

    resident = visible(mask_id(ID)) / len(ID)  # 7 of 18
    assert visible(mask_id(number)) / len(number) <= resident
    scrubbed = scrub_text(f"证件号码 {number}，请核对")
    assert number not in scrubbed and visible(scrubbed.split()[1].rstrip("，请核对")) <= 4
    assert visible(mask_phone("91234567")) <= 4  # a Hong Kong phone: not 7 of 8


def test_permit_numbers_never_reach_the_output(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(candidate(id_type="hk_macao_pass", id_number="H12345678"), ensure_ascii=False),
        encoding="utf-8",
    )
    for extra in ([], ["--json"]):
        result = kuaiji("precheck", str(path), *ARGS[:-2], *extra)
        assert "2345678" not in result.stdout + result.stderr


class Plugin:
    """A plugin for Beijing (11) whose messages, notes and titles carry a permit number,
    escape sequences and bidi overrides."""

    NOTE = "\x1b[2K\r结论：可以报名 (ready)\u202e \x9b31m 台胞证 12345678 H12345678"

    @hookimpl
    def kuaiji_jurisdictions(self) -> Sequence[Jurisdiction]:
        return [Jurisdiction("11", "北京市", "https://example.org/test", parent="CN")]

    @hookimpl
    def kuaiji_registration(self, ctx: Context) -> Any:
        return [Finding("test.note", Severity.WARNING, self.NOTE, action=self.NOTE)]

    @hookimpl
    def kuaiji_timeline(self, ctx: Context) -> Any:
        return [Step("test.step", self.NOTE, note=self.NOTE)]

    @hookimpl
    def kuaiji_collection(self, ctx: Context) -> Any:
        raise RuntimeError("crashed on 回乡证 H12345678 / 台胞证 12345678 / " + ID)


UNSAFE = ("\x1b", "\r", "\u202e", "\x9b")


def test_plugin_messages_and_notes_reach_the_terminal_neutralised(folder: Path) -> None:
    from kuaiji_cli.render import report_text

    registry = Registry((("escaper", Plugin()),), entry_points=False)
    report = run(candidate(), registry, folder)
    failed = [f.message for f in report.findings if f.rule == "plugin.error"]
    assert failed and all("12345678" not in m and ID not in m for m in failed)
    text = report_text(report)
    assert [c for c in UNSAFE if c in text] == []
    assert "\\x1b[2K\\x0d结论：可以报名" in text  # shown, not acted on
    items = [Item("line 1", json.dumps(candidate(), ensure_ascii=False), str(folder))]
    out: list[str] = []
    run_batch(
        items, Options(ExamLevel.INTERMEDIATE, 2026, AT, "csv"), out.append, registry=registry
    )
    csv_text = "".join(out).replace("\r\n", "\n")  # CSV's own line ends
    assert [c for c in UNSAFE if c in csv_text] == []
    assert "\\x1b" in csv_text


def test_escapes_in_the_input_reach_no_terminal(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    path = tmp_path / "c.json"
    document = candidate(**{"\x1b[2K\rverdict": 1, "gender": "\x1b[31m\u202e女"})
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = kuaiji("precheck", str(path), *ARGS[:-2])
    assert result.returncode == 2 and [c for c in UNSAFE if c in result.stderr] == []
    header = tmp_path / "h.csv"
    header.write_text("姓名,\x1b[2K\r列\n王芳\n", encoding="utf-8")
    refused = kuaiji("precheck", "--batch", str(header), *ARGS)
    assert refused.returncode == 2 and [c for c in UNSAFE if c in refused.stderr] == []
    folder = tmp_path / "people"
    folder.mkdir()
    (folder / "\x1b[2K\u202e.json").write_text("{", encoding="utf-8")
    table = kuaiji("precheck", "--batch", str(folder), *ARGS, "--format", "csv")
    assert [c for c in UNSAFE if c in table.stdout + table.stderr] == []


def test_printable_keeps_text_and_line_breaks() -> None:
    assert printable("结论：可以报名\n\t下一行") == "结论：可以报名\n\t下一行"
    assert printable("\x1b[2K") == "\\x1b[2K" and printable("\u202e") == "\\u202e"


# --- fuzzing photos and CSV files (also benchmarks/fuzz.py, at length) ---


def _seed_images() -> list[bytes]:
    jpeg = (EXAMPLES / "wang.jpg").read_bytes()
    png = io.BytesIO()
    Image.open(EXAMPLES / "wang.jpg").resize((120, 150)).save(png, "PNG")
    progressive = io.BytesIO()
    Image.open(EXAMPLES / "wang.jpg").save(progressive, "JPEG", progressive=True)
    return [jpeg, png.getvalue(), progressive.getvalue()]


SEED_IMAGES = _seed_images()


@st.composite
def mutated_photos(draw: st.DrawFn) -> bytes:
    """A JPEG or PNG with a few bytes changed, cut short, headers rewritten, or another
    format's bytes spliced in."""
    data = bytearray(draw(st.sampled_from(SEED_IMAGES)))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "cut", "size", "splice", "repeat", "zero"]))
        if how == "flip":
            for _ in range(rnd.randint(1, 16)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        elif how == "cut":
            del data[rnd.randint(8, len(data)) :]
        elif how == "size":  # the dimensions of a PNG's IHDR, or a JPEG frame header
            at = 16 if data[:4] == b"\x89PNG" else max(0, bytes(data).find(b"\xff\xc0") + 5)
            data[at : at + 4] = rnd.randbytes(4)
        elif how == "splice":
            data[: rnd.randint(0, 16)] = draw(
                st.sampled_from([_dds(), _tiff(), b"GIF89a", b"%!PS"])
            )[:64]
        elif how == "repeat" and b"\xff\xda" in data:
            at = bytes(data).rfind(b"\xff\xda")
            data[at:at] = bytes(data[at : at + 200]) * rnd.randint(1, 80)
        else:
            start = rnd.randrange(len(data))
            data[start : start + rnd.randint(1, 512)] = bytes(rnd.randint(1, 512))
        if not data:
            data = bytearray(b"\xff\xd8")
    return bytes(data)


_NUMBERS = itertools.count()


def photo_checked(data: bytes, folder: Path) -> None:
    """A photo is a PhotoInfo or the candidate's photo.path error; nothing else escapes.
    (A new file each time: one rewritten within the file system's clock tick, at the same
    size, is the same version of the file to the photo cache.)"""
    name = f"fuzz-{next(_NUMBERS)}.jpg"
    (folder / name).write_bytes(data)
    try:
        info = photo.inspect(name, folder)
    except InputError as exc:
        assert exc.problems[0].path == "photo.path" and exc.problems[0].message
        return
    finally:
        (folder / name).unlink()
    assert info.format in ("jpeg", "png") and info.width * info.height <= photo.MAX_PIXELS


@settings(
    max_examples=examples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=mutated_photos())
def test_mutated_photos_are_a_report_or_a_photo_error(data: bytes, tmp_path: Path) -> None:
    photo_checked(data, tmp_path)


CSV_HEADER = "姓名,身份证号,手机号码,地区,学历列表,社保月数"
CSV_GOOD = '王芳,110105199003072346,13800138000,110105,"[{""mode"":""full_time"",""level"":""bachelor""}]",12'
_CELLS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            '"',
            '""',
            '"a\nb"',
            "\r",
            "\x00",
            "9" * 5000,
            "[" * 3000,
            "=cmd|' /C calc'!A0",
            "\x1b[2K",
            "1.10105E+17",
            "x" * 70_000,
        ]
    ),
)


@st.composite
def mutated_csv(draw: st.DrawFn) -> bytes:
    """The header and a few rows, some good, some with hostile cells; sometimes bytes that
    are not UTF-8, or a line far over the bound."""
    rows = [CSV_HEADER]
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            rows.append(CSV_GOOD)
        else:
            cells = draw(st.lists(_CELLS, min_size=1, max_size=7))
            rows.append(",".join(cells))
    data = ("\n".join(rows) + "\n").encode("utf-8")
    if draw(st.booleans()):
        at = draw(st.integers(len(CSV_HEADER.encode()) + 1, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff\xfe", b"\xc3", b"\n\n"])) + data[at:]
    return data


def csv_checked(data: bytes, folder: Path) -> None:
    """A CSV gives one result per record read, each whole, or one InputError for the whole
    file (its header or encoding); never an exception."""
    path = folder / "fuzz.csv"
    path.write_bytes(data)
    out: list[str] = []
    try:
        source = open_input(str(path))
        summary = run_batch(source, Options(ExamLevel.INTERMEDIATE, 2026, AT, "csv"), out.append)
    except InputError as exc:
        assert exc.problems and exc.problems[0].path == "--batch"
        return
    import csv

    table = list(csv.reader(io.StringIO("".join(out).lstrip("\ufeff"))))
    assert len(table) - 1 == summary.records  # the header, then one row per record
    assert all(row[0].startswith("第 ") for row in table[1:])


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=mutated_csv())
def test_mutated_csv_files_keep_records_in_equal_records_out(data: bytes, tmp_path: Path) -> None:
    csv_checked(data, tmp_path)
