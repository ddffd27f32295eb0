"""Masking personal data (names, ID numbers, phones) for every output and log."""

from __future__ import annotations

import re


def mask_name(name: str) -> str:
    """``王芳`` → ``王*``; the first character stays."""
    text = name.strip()
    if not text:
        return ""
    return text[0] + "*" * max(len(text) - 1, 1)


def mask_id(number: str) -> str:
    """``110105199003072346`` → ``110***********2346``."""
    text = number.strip()
    if len(text) == 18:
        return text[:3] + "*" * 11 + text[-4:]
    # Any other length: a resident ID typed wrongly still holds a birth date, so show less.
    if len(text) >= 10:
        return text[:2] + "*" * (len(text) - 4) + text[-2:]
    return text[:1] + "*" * max(len(text) - 1, 1)


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``."""
    text = phone.strip()
    if len(text) >= 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


_RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])([1-9][0-9]{5})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])")


def scrub_text(text: str) -> str:
    """Mask anything in free text that looks like a resident ID or a mainland mobile number
    (for tracebacks and logs, where the fields are not known)."""
    text = _RESIDENT_ID.sub(lambda m: m.group(1)[:3] + "*" * 11 + m.group(3)[-4:], text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
