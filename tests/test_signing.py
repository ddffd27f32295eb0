"""Ed25519 keys and signed indexes (kuaiji.updates.signing): the key files, what is signed,
what a signature proves, and which keys are trusted."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from helpers import kuaiji
from kuaiji.errors import BundleError, InputError
from kuaiji.updates import signing


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "k.key"
    signing.generate(path)
    return path


def test_keygen_writes_a_private_key_only_its_owner_reads_and_prints_the_public_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "release.key"
    result = kuaiji("rules", "keygen", str(path))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    public = signing.read_public(str(path.with_name("release.key.pub")), "test")
    assert public.text in result.stdout and public.keyid in result.stdout
    assert signing.public_of(signing.load_private(path)) == public
    again = kuaiji("rules", "keygen", str(path))  # never over an existing key
    assert again.returncode == 2 and "已存在" in again.stderr
    assert signing.public_of(signing.load_private(path)) == public


def test_a_signature_covers_exactly_the_signed_content(keyfile: Path) -> None:
    key = signing.load_private(keyfile)
    public = signing.public_of(key)
    envelope = signing.sign({"version": 3, "files": [{"a": 1}], "名": "值"}, [key])
    reordered = json.loads(json.dumps(envelope, indent=4, sort_keys=False))
    signed, keyid = signing.verify(reordered, {public.keyid: public})
    assert keyid == public.keyid and signed["version"] == 3
    for change in ({"version": 4}, {"files": [{"a": 2}]}, {"extra": True}):
        tampered = json.loads(json.dumps(envelope))
        tampered["signed"].update(change)
        with pytest.raises(BundleError, match="签名无效"):
            signing.verify(tampered, {public.keyid: public})


def test_unsigned_unknown_and_forged_signatures_are_refused(keyfile: Path, tmp_path: Path) -> None:
    key = signing.load_private(keyfile)
    public = signing.public_of(key)
    other = tmp_path / "other.key"
    signing.generate(other)
    by_other = signing.sign({"version": 1}, [signing.load_private(other)])
    with pytest.raises(BundleError, match="不是由受信任的密钥签名"):
        signing.verify(by_other, {public.keyid: public})
    forged = dict(by_other, signatures=[dict(by_other["signatures"][0], keyid=public.keyid)])
    with pytest.raises(BundleError, match="签名无效"):  # another key's signature, our id
        signing.verify(forged, {public.keyid: public})
    for envelope in ({"signed": {"version": 1}}, {"signed": {}, "signatures": []}, [1], "x"):
        with pytest.raises(BundleError, match="没有签名"):
            signing.verify(envelope, {public.keyid: public})


def test_a_signature_of_other_bytes_is_not_an_index_signature(keyfile: Path) -> None:
    """The signed message starts with CONTEXT: a signature the key made of the same JSON for
    another purpose does not verify."""
    import base64

    key = signing.load_private(keyfile)
    public = signing.public_of(key)
    body = {"version": 1}
    raw = key.sign(signing.canonical(body))  # no context
    envelope = {
        "signed": body,
        "signatures": [{"keyid": public.keyid, "sig": base64.b64encode(raw).decode()}],
    }
    with pytest.raises(BundleError):
        signing.verify(envelope, {public.keyid: public})


def test_public_keys_are_read_from_text_files_and_the_environment(
    keyfile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pub = keyfile.with_name("k.key.pub")
    public = signing.read_public(str(pub), "--trust")
    assert signing.read_public(public.text, "--trust") == public
    assert len(public.keyid) == 19 and public.keyid.count("-") == 3
    monkeypatch.setenv(signing.ENV_KEYS, f" {public.text} , {pub}")
    assert public.keyid in signing.trusted_keys()
    for bad in ("ed25519:AAAA", "ed25519:***", "ed25519:" + "A" * 44):
        with pytest.raises(InputError, match="不是 Ed25519 公钥"):
            signing.read_public(bad, "--trust")
    with pytest.raises(InputError, match="读不到公钥文件"):
        signing.read_public(str(keyfile.with_name("missing.pub")), "--trust")


def test_the_project_key_is_shipped() -> None:
    shipped = signing.shipped_keys()
    assert shipped, "core/kuaiji/updates/keys/*.pub"
    assert all(k.keyid in signing.trusted_keys() for k in shipped)


def test_a_private_key_others_can_read_is_refused(keyfile: Path) -> None:
    os.chmod(keyfile, 0o644)
    with pytest.raises(InputError, match="其他用户也能读写"):
        signing.load_private(keyfile)
    os.chmod(keyfile, 0o600)
    keyfile.write_text("not a key", encoding="utf-8")
    with pytest.raises(InputError, match="PEM"):
        signing.load_private(keyfile)


def test_a_key_id_in_a_hostile_index_never_reaches_the_terminal_raw(keyfile: Path) -> None:
    public = signing.public_of(signing.load_private(keyfile))
    envelope = {"signed": {}, "signatures": [{"keyid": "\x1b[2J\x1b]0;x\x07", "sig": "AA=="}]}
    with pytest.raises(BundleError) as caught:
        signing.verify(envelope, {public.keyid: public})
    assert "\x1b" not in str(caught.value) and "无效编号" in str(caught.value)
