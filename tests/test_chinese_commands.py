"""The human output of the remaining commands is Chinese too (issue #15): no English
sentence, no internal key. (test_chinese_output.py covers precheck, deadlines, contacts,
change and transfer.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import kuaiji.registry.hookspecs as hookspecs
from kuaiji_cli.main import main

COMMANDS = [
    ["regions"],
    ["regions", "鼓楼"],
    ["regions", "440305"],
    ["plugins"],
    ["rules", "status"],
    ["account", "reset", "--region", "650102"],
    ["account", "reset", "--region", "440305"],
]

# What may stay ASCII in a Chinese sentence: URLs, identifiers (rule ids, hook names, field
# paths, plugin and distribution names), codes and versions, commands in backticks, and an
# English word in parentheses after its Chinese.
_ALLOWED = [
    r"https?://\S+",
    r"`[^`]*`",
    r"\([^()]*\)",
    r"（[ -~]*）",
    r"[A-Za-z0-9]+(?:[._\-/*][A-Za-z0-9]+)+",
]


# Names, not words: plugins, hooks (kuaiji plugins lists them), the program itself.
_NAMES = {"kuaiji", "national", "guangdong", "shenzhen", "tianjin", "hunan", "xinjiang"}
_NAMES |= {h.removeprefix("kuaiji_") for h in dir(hookspecs) if h.startswith("kuaiji_")}
_NAMES |= {"change", "transfer", "collection", "registration", "rules", "contacts"}


def english_words(text: str) -> list[str]:
    """ASCII words a person would read as English (not names, ids, URLs or codes)."""
    for pattern in _ALLOWED:
        text = re.sub(pattern, " ", text)
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in _NAMES]


def test_the_checker_finds_english_labels() -> None:
    assert english_words("CN  全国  parent=-  plugin=national") == ["parent", "plugin"]
    assert english_words("data: bundled 2026-12-01; hooks: rules") == ["data", "bundled", "hooks"]
    assert english_words("插件：kuaiji-guangdong 0.2.0（collection.required）national") == []


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_human_output_has_no_english_word_or_internal_key(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    text = result.output
    assert result.exit_code in (0, 1), text
    assert text.strip()
    assert english_words(text) == [], text
    assert "seed:" not in text


def test_the_batch_summary_is_chinese(tmp_path: Path) -> None:
    out = tmp_path / "结果.csv"
    args = ["precheck", "--batch", "examples/wang-fang.json", "--exam", "中级", "--year", "2026"]
    args += ["--at", "2026-06-20T10:00"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert english_words(result.output) == [], result.output
    assert out.read_text(encoding="utf-8-sig").startswith("记录,结论")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["precheck", "examples/wang-fang.json", "--exam", "中级"], "缺少选项 --year"),
        (["precheck", "examples/wang-fang.json"], "缺少选项 --exam，可选值：初级、中级"),
        (["precheck", "examples/wang-fang.json", "--exam", "中级", "--year", "abc"], "不是整数"),
        (["nosuch"], "没有这个命令：nosuch"),
        (["precheck", "--no-such-option"], "没有这个选项"),
    ],
)
def test_usage_errors_are_chinese_with_exit_2(args: list[str], said: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert said in result.output
    assert "Missing" not in result.output and "Error:" not in result.output
    assert "Choose" not in result.output
