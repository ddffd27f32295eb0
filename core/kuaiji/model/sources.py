"""Sources and notes as a person reads them.

Data and findings name their sources by machine keys: a seed document (``seed:001-….txt``),
a public URL, several joined by " ; ", a URL of low reliability marked " (low)". People are
shown what they can open or recognise instead: a seed document's Chinese title as written in
it (:data:`SEEDS`), URLs as they are (they can be opened), "（来源可靠性低）" for "(low)".
JSON output keeps the keys and adds this text next to them (``source_text``).

A data record's ``note`` is for maintainers and may be in any language; what a candidate
reads of it is its Chinese ``note_zh`` (:func:`shown_note`).
"""

from __future__ import annotations

import re

import attrs

SEED_PREFIX = "seed:"
LOW_MARK = "(low)"
LOW_TEXT = "（来源可靠性低）"


@attrs.frozen
class Document:
    """A seed document: its Chinese title as the document writes it (``titled``), or, for a
    document with no title line, a short description of it; its publisher when the document
    names it; its address when the document states where it was published (none does)."""

    key: str
    title: str
    titled: bool = True
    publisher: str | None = None
    url: str | None = None

    @property
    def text(self) -> str:
        name = f"《{self.title}》" if self.titled else f"{self.title}（原文无标题）"
        if self.publisher and self.publisher not in self.title:
            name += f"（{self.publisher}）"
        return f"{name} {self.url}" if self.url else name


SEEDS: dict[str, Document] = {
    d.key: d
    for d in (
        Document(
            "seed:000-2024-intermediate-collection-requirements-by-region.txt",
            "各地 2024 年中级会计报考信息采集要求汇总",
        ),
        Document(
            "seed:001-guangdong-collection-change-transfer-guide.txt",
            # The document's line has a stray space after "、" (as extracted); dropped.
            "广东省财政厅关于做好会计人员信息采集、信息更新工作的通知",
            publisher="广东省财政厅",
        ),
        Document(
            "seed:002-2025-junior-national-collection-steps.txt",
            "一定要尽快完成信息采集!2025年初级会计信息采集操作步骤(详细版)",
        ),
        Document(
            "seed:003-continuing-education-collection-overview.txt",
            "会计继续教育信息采集怎么弄-会计继续教育信息采集方法",
            publisher="易搜职考网",
        ),
        Document(
            "seed:004-xinjiang-2024-intermediate-registration-faq.txt",
            # No title line: it opens "2024年中级资格考试报名工作即将开始，…现将报名工作中的
            # 相关事项给与说明" and answers 22 questions of 新疆考区.
            "新疆考区 2024 年中级资格考试报名问答",
            titled=False,
        ),
    )
}

_SEED = re.compile(r"seed:[^\s;，；、（）()]+")
_LOW = re.compile(r"\s*\(low\)")
_SPLIT = re.compile(r"\s+;\s*|\s*;\s+")  # " ; " between sources (never inside a URL)
_URL = re.compile(r"https?://\S+$")


def seed_text(key: str) -> str:
    """A seed key as a person reads it: the document's title (a key not in the catalogue,
    e.g. a third-party plugin's own document: its file name)."""
    found = SEEDS.get(key)
    if found is not None:
        return found.text
    return f"资料“{key.removeprefix(SEED_PREFIX)}”"


def readable(text: str) -> str:
    """Running text with any seed key in it replaced by the document's title and " (low)"
    by "（来源可靠性低）" (e.g. a message quoting another source)."""
    text = _LOW.sub(" " + LOW_TEXT, text)
    return _SEED.sub(lambda m: seed_text(m.group(0)), text)


def source_parts(source: str | None) -> list[str]:
    """Each source of a source string (several joined by " ; ", each possibly marked
    " (low)") as readable Chinese: seed keys as 《title》, URLs kept, "(low)" as
    "（来源可靠性低）", repeats once."""
    parts: list[str] = []
    for part in _SPLIT.split(source or ""):
        text = readable(part.strip())
        if text and text not in parts:
            parts.append(text)
    return parts


def source_text(source: str | None) -> str:
    """A source string as one line of readable Chinese (``source_parts`` joined by "；").
    Empty for no source."""
    parts = source_parts(source)
    out = ""
    for i, text in enumerate(parts):
        if i:  # a space keeps a URL from running into the separator when it is clicked
            out += " ；" if _URL.search(parts[i - 1]) else "；"
        out += text
    return out


def shown_note(record: object) -> str | None:
    """What a person reads of a record's note: its ``note_zh`` when the record type has one
    (``note`` is then for maintainers and never shown); else its ``note``, which that type
    keeps in Chinese (a contact, a review time). A projected event's note is the core's own
    Chinese estimate statement (kuaiji.schedule.projection), shown as it is."""
    if getattr(record, "projected", False):
        note: str | None = getattr(record, "note", None)
        return note
    if hasattr(record, "note_zh"):
        zh: str | None = record.note_zh
        return zh
    plain: str | None = getattr(record, "note", None)
    return plain


__all__ = ["SEEDS", "Document", "readable", "seed_text", "shown_note", "source_text"]
