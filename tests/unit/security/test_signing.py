"""Ed25519 signatures: the key's origin, signed documents and files, offline checks (no database)."""

from __future__ import annotations

import base64
import json
import shutil
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from credit.cli.main import app
from credit.settings import Settings, get_settings
from credit.signing import (
    SigningKeyError,
    document_problem,
    generated_key_path,
    sidecar_path,
    signer_for,
    verify_file,
    write_signed,
)

runner = CliRunner()


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def test_a_key_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    s = Settings(home=tmp_path / "home")
    first, again = signer_for(s), signer_for(s)
    assert first.key_id == again.key_id and first.key_id.startswith("ed25519:")
    mode = stat.S_IMODE(generated_key_path(s).stat().st_mode)
    assert mode == 0o600


def test_the_key_from_the_environment_wins_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    s = Settings(home=tmp_path / "home", signing_key=_pem(key))  # type: ignore[arg-type]
    assert signer_for(s).public_pem == signer_for(Settings(home=tmp_path, signing_key=_pem(key))).public_pem  # type: ignore[arg-type]
    assert not generated_key_path(s).exists()
    with pytest.raises(SigningKeyError):
        signer_for(Settings(home=tmp_path, signing_key="not a key"))  # type: ignore[arg-type]


def test_a_signed_document_fails_after_any_change(tmp_path: Path) -> None:
    signer = signer_for(Settings(home=tmp_path))
    doc = signer.sign_document({"as_of": "2026-07-15", "results": [{"uscc": "9111", "listed": True}]})
    assert document_problem(doc, signer.public_key) is None
    doc["results"][0]["listed"] = False
    assert "改动" in (document_problem(doc, signer.public_key) or "")
    other = signer_for(Settings(home=tmp_path / "other"))
    assert "密钥不符" in (document_problem(signer.sign_document({"a": 1}), other.public_key) or "")


def test_an_export_sidecar_verifies_offline_and_catches_a_changed_byte(tmp_path: Path) -> None:
    signer = signer_for(Settings(home=tmp_path / "home"))
    f = tmp_path / "abnormal.csv"
    head = signer.sign_document({"night": "2026-07-13", "seq": 5, "row_hash": "ab" * 32})
    write_signed(f, "\ufeffuscc,name\r\n9111,'=1+1\r\n".encode(), signer, head)
    check = verify_file(f, signer.public_key)
    assert check.ok and check.chain_head == head
    f.write_bytes(f.read_bytes().replace(b"9111", b"9112"))
    bad = verify_file(f, signer.public_key)
    assert not bad.ok and any("SHA-256" in r for r in bad.reasons)


def test_a_sidecar_is_stamped_on_the_bureau_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One bureau clock everywhere: a file signed at 00:01 in Shanghai on 3 December (16:01 UTC on the
    2nd) says so, not the machine's UTC date (an outsider's acceptance pass)."""
    from credit import clock

    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 12, 2, 16, 1, tzinfo=UTC))
    signer = signer_for(Settings(home=tmp_path / "home"))
    f = tmp_path / "abnormal.csv"
    side = write_signed(f, b"uscc\r\n", signer, None)
    assert json.loads(side.read_text(encoding="utf-8"))["signed_at"] == "2026-12-03T00:01:00+08:00"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_the_openssl_recipe_of_the_readme_verifies_an_export(tmp_path: Path) -> None:
    signer = signer_for(Settings(home=tmp_path / "home"))
    f = tmp_path / "serious.csv"
    write_signed(f, b"uscc,name\r\n", signer, None)
    (tmp_path / "key.pem").write_text(signer.public_pem)
    side = json.loads(sidecar_path(f).read_text())
    (tmp_path / "serious.csv.sig").write_bytes(base64.b64decode(side["file_signature"]))
    cmd = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "key.pem"), "-rawin",
           "-in", str(f), "-sigfile", str(tmp_path / "serious.csv.sig")]
    assert subprocess.run(cmd, capture_output=True, check=False).returncode == 0
    f.write_bytes(b"uscc,name\r\nX\r\n")
    assert subprocess.run(cmd, capture_output=True, check=False).returncode != 0


def test_verify_signature_needs_only_the_file_and_the_public_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    # No database anywhere: a URL that cannot connect, a home that does not exist.
    monkeypatch.setenv("CREDIT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "absent"))
    get_settings.cache_clear()
    signer = signer_for(Settings(home=tmp_path / "bureau"))
    cert = signer.sign_document({"format": "credit-screening-certificate/1", "as_of": "2026-07-15"})
    (tmp_path / "cert.json").write_text(json.dumps(cert, ensure_ascii=False, indent=2))
    (tmp_path / "key.pem").write_text(signer.public_pem)
    ok = runner.invoke(app, ["verify-signature", str(tmp_path / "cert.json"), "--public-key", str(tmp_path / "key.pem")])
    assert ok.exit_code == 0 and "signature valid" in ok.output
    cert["as_of"] = "2026-07-16"
    (tmp_path / "cert.json").write_text(json.dumps(cert))
    bad = runner.invoke(app, ["verify-signature", str(tmp_path / "cert.json"), "--public-key", str(tmp_path / "key.pem")])
    assert bad.exit_code == 1
    get_settings.cache_clear()


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("jq") is None, reason="openssl or jq missing")
def test_the_jq_and_openssl_recipe_of_the_readme_verifies_a_certificate(tmp_path: Path) -> None:
    signer = signer_for(Settings(home=tmp_path / "home"))
    cert = signer.sign_document({"format": "credit-screening-certificate/1", "as_of": "2026-07-15",
                                 "results": [{"name": "北京甲科技有限公司", "removed_on": None, "listed": True,
                                              "cause": "未按规定报送年度报告\u3000\"引号\""}]})
    (tmp_path / "certificate.json").write_text(json.dumps(cert, ensure_ascii=False, indent=2), encoding="utf-8")
    (tmp_path / "bureau.pem").write_text(signer.public_pem)
    script = ("jq -cjS 'del(.signature)' certificate.json > body && "
              "jq -r .signature.value certificate.json | base64 -d > certificate.sig && "
              "openssl pkeyutl -verify -pubin -inkey bureau.pem -rawin -in body -sigfile certificate.sig")
    assert subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, check=False).returncode == 0


def _bureau(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.setenv("CREDIT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "absent"))
    get_settings.cache_clear()
    signer = signer_for(Settings(home=tmp_path / "bureau"))
    (tmp_path / "key.pem").write_text(signer.public_pem)
    return signer.sign_document({"format": "credit-screening-certificate/1", "as_of": "2026-07-15"})


def test_a_truncated_certificate_is_named_as_not_a_valid_certificate(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A certificate cut short is no JSON: say so (Chinese first), name it; not "no sidecar found"."""
    text = json.dumps(_bureau(tmp_path, monkeypatch), ensure_ascii=False, indent=2)
    (tmp_path / "t_trunc.json").write_text(text[: len(text) // 2], encoding="utf-8")
    r = runner.invoke(app, ["verify-signature", str(tmp_path / "t_trunc.json"), "--public-key", str(tmp_path / "key.pem")])
    get_settings.cache_clear()
    assert r.exit_code == 1, r.output                         # README: 1 with the reason
    assert "不是有效的证明文件 JSON" in r.output and "t_trunc.json" in r.output
    assert "not a valid certificate JSON" in r.output
    assert r.output.index("不是有效的证明文件") < r.output.index("not a valid certificate")
    assert "not found beside the file" not in r.output


def test_a_public_key_that_is_not_pem_is_refused_in_our_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cert.json").write_text(json.dumps(_bureau(tmp_path, monkeypatch), ensure_ascii=False))
    (tmp_path / "bad.pem").write_text("这不是密钥\n", encoding="utf-8")
    r = runner.invoke(app, ["verify-signature", str(tmp_path / "cert.json"), "--public-key", str(tmp_path / "bad.pem")])
    get_settings.cache_clear()
    assert r.exit_code == 2, r.output                         # refused, as before
    assert "bad.pem" in r.output and "不是 PEM 格式的公钥" in r.output and "not a PEM public key" in r.output
    assert r.output.index("不是 PEM") < r.output.index("not a PEM")
    assert "cryptography.io" not in r.output and "See " not in r.output


@pytest.mark.parametrize("content", [None, b"not json\n", b'{"format": "credit-screening-certificate/1"',
                                     b"\xff\xfe{}", "folder"])
def test_a_file_that_cannot_be_read_or_parsed_is_named_in_both_languages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | str | None) -> None:
    """``credit verify-signature`` and ``credit certificate verify`` on a missing, non-JSON, cut,
    non-UTF-8 file or a folder: one line naming the file and what is wrong, Chinese first, never
    Python's words ("[Errno 2] …", "Expecting value …", "codec can't decode"), never a traceback.
    Exit 2 when it cannot be checked at all (missing, a folder), 1 when the signature does not hold
    (a damaged document); ``certificate verify`` refuses everything it cannot read with 2 (docs/api.md)."""
    _bureau(tmp_path, monkeypatch)
    f = tmp_path / "cert.json"
    if content == "folder":
        f.mkdir()
    elif isinstance(content, bytes):
        f.write_bytes(content)
    cannot_check = content is None or content == "folder"
    try:
        for args, expected in ((["verify-signature", str(f), "--public-key", str(tmp_path / "key.pem")],
                                2 if cannot_check else 1),
                               (["certificate", "verify", str(f)], 2)):
            r = runner.invoke(app, args)
            assert r.exit_code == expected, (args, r.output)
            assert "cert.json" in r.output and not isinstance(r.exception, Exception), (args, r.output)
            for python_words in ("Errno", "Expecting", "codec", "Traceback", "decode byte"):
                assert python_words not in r.output, (args, r.output)
            zh = next((i for i, ch in enumerate(r.output) if "\u4e00" <= ch <= "\u9fff"), None)
            assert zh is not None and "(" in r.output[zh:], (args, r.output)   # Chinese, then the English
    finally:
        get_settings.cache_clear()


def test_a_sidecar_that_is_missing_or_damaged_is_named_in_both_languages(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _bureau(tmp_path, monkeypatch)
    (tmp_path / "roster.csv").write_bytes(b"uscc,name\r\n")
    args = ["verify-signature", str(tmp_path / "roster.csv"), "--public-key", str(tmp_path / "key.pem")]
    try:
        missing = runner.invoke(app, [*args, "--sidecar", str(tmp_path / "absent.sig.json")])
        assert missing.exit_code == 2 and "absent.sig.json" in missing.output and "文件不存在" in missing.output
        (tmp_path / "roster.csv.sig.json").write_text("{", encoding="utf-8")
        damaged = runner.invoke(app, args)
        assert damaged.exit_code == 1, damaged.output
        assert "roster.csv.sig.json" in damaged.output and "不是有效的 JSON" in damaged.output
        assert "not valid JSON" in damaged.output and "Expecting" not in damaged.output
    finally:
        get_settings.cache_clear()


def test_a_certificate_with_a_repeated_key_is_not_a_valid_signature(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A signed certificate with a forged ``"as_of"`` put in front of the signed one: Python's parser
    keeps the last value, so the signature checked — "signature valid", exit 0 — while a reader of
    the file, or a parser that keeps the first value, sees the forged date (issue 14: nothing
    forged). The text a signature vouches for must say one thing: a repeated key does not hold."""
    text = json.dumps(_bureau(tmp_path, monkeypatch), ensure_ascii=False, indent=2)
    forged = text.replace("{", '{\n  "as_of": "2026-07-01",', 1)
    (tmp_path / "dup.json").write_text(forged, encoding="utf-8")
    assert json.loads(forged)["as_of"] == "2026-07-15"            # what was signed, to Python
    r = runner.invoke(app, ["verify-signature", str(tmp_path / "dup.json"), "--public-key", str(tmp_path / "key.pem")])
    get_settings.cache_clear()
    flat = "".join(r.output.split())
    assert r.exit_code == 1 and "signature valid" not in r.output, r.output
    assert "as_of" in flat and "重复" in flat and "morethanonce" in flat, r.output
    # `credit certificate verify` refuses it the same way, before it reads the database (none here).
    r = runner.invoke(app, ["certificate", "verify", str(tmp_path / "dup.json")])
    get_settings.cache_clear()
    flat = "".join(r.output.split())
    assert r.exit_code == 2 and "重复" in flat and "morethanonce" in flat, (r.output, r.exception)
    # The same repeat inside a sidecar (the chain head a reader trusts) does not hold either.
    signer = signer_for(Settings(home=tmp_path / "bureau"))
    side = write_signed(tmp_path / "export.csv", b"uscc\r\n", signer, {"night": "2026-07-15", "seq": 7})
    side.write_text(side.read_text(encoding="utf-8").replace("{", '{\n "chain_head": {"seq": 1},', 1), encoding="utf-8")
    check = verify_file(tmp_path / "export.csv", signer.public_key)
    assert not check.ok and any("chain_head" in r for r in check.reasons), check
