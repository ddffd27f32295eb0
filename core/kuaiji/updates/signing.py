"""Ed25519 keys and the signed rules index (docs/rules-feed.md): ``cryptography`` does the
cryptography; this module only says which bytes are signed and which keys are trusted.

- A public key is written ``ed25519:<base64 of its 32 bytes>`` (a ``.pub`` file holds that
  line; lines starting with ``#`` are comments). Its id is the first 8 bytes of the SHA-256
  of those 32 bytes, in hex, grouped by four (``3f9a-07c2-b1d4-8e60``): derived from the key,
  so it cannot be claimed by another one.
- A private key is a PKCS#8 PEM file, readable by its owner only.
- A signed index is ``{"signed": {...}, "signatures": [{"keyid": ..., "sig": ...}]}``. The
  signature covers ``CONTEXT`` followed by the canonical JSON of ``signed`` (keys sorted, no
  spaces, UTF-8): what is verified is exactly what is then used, however the file was laid out.
- Trusted keys: the project's own, shipped in ``kuaiji/updates/keys/*.pub``; those in
  ``$KUAIJI_RULES_KEYS`` (comma-separated keys or ``.pub`` files); those given with ``--trust``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from kuaiji.errors import BundleError, InputError

PREFIX = "ed25519:"
CONTEXT = b"kuaiji-rules-index-v2\n"  # what a signature is for: never a signature of anything else
ENV_KEYS = "KUAIJI_RULES_KEYS"
KEYS_DIR = Path(__file__).parent / "keys"  # the project's public keys, shipped with the core
MAX_KEY_FILE_BYTES = 16 * 1024
KEYID = re.compile(r"^[0-9a-f]{4}(?:-[0-9a-f]{4}){3}$")


@attrs.frozen
class PublicKey:
    raw: bytes

    @property
    def keyid(self) -> str:
        digest = hashlib.sha256(self.raw).hexdigest()[:16]
        return "-".join(digest[i : i + 4] for i in range(0, 16, 4))

    @property
    def text(self) -> str:
        return PREFIX + base64.b64encode(self.raw).decode("ascii")

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def parse_public(text: str, where: str) -> PublicKey:
    """A public key written ``ed25519:<base64>``; InputError otherwise."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    value = lines[0] if len(lines) == 1 else ""
    raw = b""
    if value.startswith(PREFIX):
        try:
            raw = base64.b64decode(value.removeprefix(PREFIX), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if len(raw) != 32:
        raise InputError.single(
            where,
            "不是 Ed25519 公钥",
            "写 ed25519:… 形式的公钥（kuaiji rules keygen 生成的 .pub 文件中的那一行），或这样一个文件的路径",
        )
    return PublicKey(raw)


def read_public(value: str, where: str) -> PublicKey:
    """A key given as ``ed25519:…`` or as the path of a file holding one."""
    value = value.strip()
    if value.startswith(PREFIX):
        return parse_public(value, where)
    path = Path(value)
    try:
        with path.open("rb") as handle:
            body = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError.single(
            where, f"读不到公钥文件 {value}（{exc.strerror or exc}）", "给出公钥或 .pub 文件的路径"
        ) from None
    if len(body) > MAX_KEY_FILE_BYTES:
        raise InputError.single(where, f"{value} 太大，不是公钥文件")
    return parse_public(body.decode("utf-8", "replace"), f"{where}（{value}）")


def shipped_keys() -> list[PublicKey]:
    """The project's own public keys, shipped in the core package."""
    if not KEYS_DIR.is_dir():
        return []
    return [
        parse_public(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(KEYS_DIR.glob("*.pub"))
    ]


def env_keys() -> list[PublicKey]:
    """The keys in ``$KUAIJI_RULES_KEYS`` (comma-separated keys or ``.pub`` files)."""
    found = os.environ.get(ENV_KEYS, "")
    return [read_public(part, ENV_KEYS) for part in found.split(",") if part.strip()]


def trusted_keys(extra: Iterable[str] = ()) -> dict[str, PublicKey]:
    """Every key the user trusts, by id: shipped, from the environment, and ``extra``."""
    keys = [*shipped_keys(), *env_keys(), *(read_public(v, "--trust") for v in extra)]
    return {key.keyid: key for key in keys}


# --- private keys ---


def generate(path: Path) -> PublicKey:
    """Write a new private key to ``path`` (0600, never over an existing file) and its public
    key to ``path.pub``; the public key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = PublicKey(key.public_key().public_bytes_raw())
    pub_path = path.with_name(path.name + ".pub")
    for target in (path, pub_path):
        if target.exists() or target.is_symlink():
            raise InputError.single(str(target), "已存在，不覆盖", "换一个文件名，或先移走原文件")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise InputError.single(str(path), f"无法写入（{exc.strerror or exc}）") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    pub_path.write_text(f"# kuaiji 规则签名公钥 {public.keyid}\n{public.text}\n", encoding="utf-8")
    return public


def load_private(path: Path) -> Ed25519PrivateKey:
    """The private key in ``path``: a PEM Ed25519 key in a regular file nobody else can read."""
    where = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise InputError.single(where, f"读不到私钥文件（{exc.strerror or exc}）") from None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_KEY_FILE_BYTES:
            raise InputError.single(where, "不是私钥文件")
        if hasattr(os, "getuid") and st.st_mode & 0o077:
            raise InputError.single(
                where, "私钥文件其他用户也能读写", f"chmod 600 {where}，并考虑换一把新密钥"
            )
        body = handle.read()
    try:
        key = serialization.load_pem_private_key(body, password=None)
    except (ValueError, TypeError):
        raise InputError.single(where, "不是未加密的 PEM 私钥") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError.single(where, "不是 Ed25519 私钥（用 kuaiji rules keygen 生成）")
    return key


def public_of(key: Ed25519PrivateKey) -> PublicKey:
    return PublicKey(key.public_key().public_bytes_raw())


# --- signed documents ---


def canonical(signed: Mapping[str, Any]) -> bytes:
    return json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def sign(signed: Mapping[str, Any], keys: Sequence[Ed25519PrivateKey]) -> dict[str, Any]:
    """The envelope of ``signed``, signed by every key given."""
    message = CONTEXT + canonical(signed)
    return {
        "signed": dict(signed),
        "signatures": [
            {
                "keyid": public_of(key).keyid,
                "sig": base64.b64encode(key.sign(message)).decode("ascii"),
            }
            for key in keys
        ],
    }


def verify(envelope: object, keys: Mapping[str, PublicKey]) -> tuple[dict[str, Any], str]:
    """What a key of ``keys`` signed, and that key's id; BundleError when no such key made a
    valid signature of it (a bad, missing or unknown signature)."""
    if not isinstance(envelope, dict) or not isinstance(envelope.get("signed"), dict):
        raise BundleError("索引没有签名（不是 {“signed”: …, “signatures”: […]}）：拒绝使用")
    signatures = envelope.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        raise BundleError("索引没有签名：拒绝使用")
    signed: dict[str, Any] = envelope["signed"]
    message = CONTEXT + canonical(signed)
    named = []
    for item in signatures[:16]:
        if not isinstance(item, dict):
            continue
        keyid, sig = item.get("keyid"), item.get("sig")
        if not isinstance(keyid, str) or not isinstance(sig, str):
            continue
        named.append(keyid if KEYID.match(keyid) else "（无效编号）")
        key = keys.get(keyid)
        if key is None:
            continue
        try:
            raw = base64.b64decode(sig, validate=True)
        except (binascii.Error, ValueError):
            continue
        if key.verifies(raw, message):
            return signed, keyid
    known = [k for k in named if k in keys]
    if known:
        raise BundleError(f"索引的签名无效（密钥 {'、'.join(known)}）：索引被改动过，拒绝使用")
    raise BundleError(
        f"索引不是由受信任的密钥签名的（签名密钥：{'、'.join(named) or '无'}）：拒绝使用；"
        "若信任该发布者，用 --trust 或环境变量 KUAIJI_RULES_KEYS 给出其公钥"
    )
