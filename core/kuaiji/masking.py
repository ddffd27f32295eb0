"""Masking personal data (names, ID numbers, phones) for every output and log."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """``王芳`` → ``王*``; the first character stays."""
    text = name.strip()
    if not text:
        return ""
    return text[0] + "*" * max(len(text) - 1, 1)


def mask_id(number: str) -> str:
    """``110105199003072346`` → ``110***********2346``."""
    text = number.strip()
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return text[:1] + "*" * max(len(text) - 1, 1)


def mask_phone(phone: str) -> str:
    """``13800138000`` → ``138****8000``."""
    text = phone.strip()
    if len(text) >= 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)
