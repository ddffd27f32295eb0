"""Masking personal data (names, ID and permit numbers, phones) for every output and log, and
neutralising control characters before text from data reaches a terminal."""

from __future__ import annotations

import re


def mask_name(name: str) -> str:
    """``王芳`` → ``王*``; the first character stays."""
    text = name.strip()
    if not text:
        return ""
    return text[0] + "*" * max(len(text) - 1, 1)


def mask_id(number: str) -> str:
    """``110105199003072346`` → ``110***********2346``: 7 of 18 characters stay. Any other
    number (a permit, a passport, an ID typed wrongly, which still holds a birth date)
    keeps less: 1 + 2 characters of 10 or more (``M1234567890`` → ``M********90``), 1 of
    fewer (``H12345678`` → ``H********``)."""
    text = number.strip()
    if len(text) == 18:
        return text[:3] + "*" * 11 + text[-4:]
    if len(text) >= 10:
        return text[:1] + "*" * (len(text) - 3) + text[-2:]
    return text[:1] + "*" * max(len(text) - 1, 1)


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000`` (a mainland mobile: 7 of 11 stay, as is usual);
    any other number keeps at most 2 + 2 characters (``91234567`` → ``91****67``)."""
    text = phone.strip()
    if len(text) == 11 and text.isdigit():
        return text[:3] + "****" + text[-4:]
    if len(text) >= 8:
        return text[:2] + "*" * (len(text) - 4) + text[-2:]
    return "*" * len(text)


# In free text: a token of 7 or more digits, alone or with a letter or two in front (H/M
# permits to the mainland, passports) and a letter or X behind (ID check digits). Taiwan
# permits (8 or 10 digits), old 15-digit IDs and IDs typed wrongly are all caught.
_NUMBER = re.compile(r"(?<![0-9])[A-Za-z]{0,2}[0-9]{7,}[A-Za-z]?(?![0-9])")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def mask_email(email: str) -> str:
    """``wangfang@example.com`` → ``w*******@example.com``."""
    local, at, domain = email.strip().partition("@")
    return mask_name(local) + at + domain


def own_data_masked(text: str, values: tuple[tuple[str | None, str], ...]) -> str:
    """``text`` with each of the person's own values (value, its mask) masked wherever it
    appears: what a plugin wrote may quote the candidate (its message or its exception),
    and it reaches screens, files and logs."""
    for value, masked in values:
        if value and len(value) >= 2 and value in text:
            text = text.replace(value, masked)
    return text


def _mask_number(match: re.Match[str]) -> str:
    token = match.group()
    return mask_phone(token) if _MOBILE.fullmatch(token) else mask_id(token)


def scrub_text(text: str) -> str:
    """Mask anything in free text that looks like an ID, permit or passport number or a
    mainland mobile number (for tracebacks, logs and messages, where the fields are not
    known): masked as :func:`mask_id` and :func:`mask_phone` mask them."""
    return _NUMBER.sub(_mask_number, text)


# The commonest Chinese surnames (together about 85 % of people) and the compound ones: a
# value of 2–4 Han characters that starts with one is taken for a name (a spreadsheet column
# shifted by one puts names in 性别 or 学历) and described, not shown. A typo of an accepted
# word (本科生, 女士, 搞定了) rarely starts with one, and is still shown.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤欧阿买艾热古"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "公孙",
    "夏侯",
    "尉迟",
    "长孙",
    "宇文",
    "司徒",
    "西门",
    "南宫",
    "端木",
    "独孤",
)
_HAN_NAME = re.compile("[\u4e00-\u9fff]{2,4}")


def looks_like_name(value: str) -> bool:
    """2–4 Han characters (a ``·`` aside) starting with a common surname."""
    text = value.strip().replace("·", "")
    return _HAN_NAME.fullmatch(text) is not None and (
        text[0] in _SURNAMES or text.startswith(_COMPOUND_SURNAMES)
    )


_QUOTED = re.compile("“([^“”]{2,5})”")


def scrub_quoted_names(text: str) -> str:
    """An error message with what it quotes masked when it looks like a name
    (:func:`looks_like_name`): ``找不到地区“欧阳娜娜”`` → ``找不到地区“欧***”``. For messages
    that quote a value given in the wrong field (a spreadsheet column shifted by one)."""
    return _QUOTED.sub(
        lambda m: f"“{mask_name(m.group(1))}”" if looks_like_name(m.group(1)) else m.group(), text
    )


# Han characters: names in file names are masked to their first character.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]{2,}")


def mask_file_name(name: str) -> str:
    """A file name as a label: numbers masked as :func:`scrub_text` does, and every run of
    Han characters (a name, often) cut to its first character:
    ``欧阳娜娜-440106198705210310.json`` → ``欧***-440***********0310.json``."""
    return _HAN.sub(lambda m: mask_name(m.group()), scrub_text(name))


# What a terminal would act on rather than show: C0 controls but tab and line feed (ESC
# starts ANSI sequences; CR and BS move back over a line), DEL, C1 controls (CSI), and the
# Unicode bidirectional controls that reorder what is shown (U+202E and kin).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control and bidirectional characters shown as
    escapes (``\\x1b``, ``\\u202e``) instead of acting; line feeds and tabs stay."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escaped, text)
