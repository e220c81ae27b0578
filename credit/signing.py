"""Signatures (Ed25519, via ``cryptography``): what we publish can be checked offline by anyone.

The bureau signs with one key at a time (its keys over time, each handed over to the next, are
the keyring of :mod:`credit.keyring`; what signs goes through :func:`credit.keyring.current_signer`). It signs the chain anchors published outside the database
(:mod:`credit.rosters.anchors`), every export written to a file (a sidecar ``<file>.sig.json``)
and every screening certificate (:mod:`credit.rosters.certificates`). Its public key is published
(``credit keys public``, ``GET /v1/keys/signing``, ``<publication>/signing-key.pem``); with it and
the file alone, ``credit verify-signature FILE --public-key KEY.pem`` — or ``openssl pkeyutl``
(README) — checks a signature without our database or network.

Where the key comes from (one place, :func:`signer_for`): ``CREDIT_SIGNING_KEY`` (PEM text, from
the deployment's secrets), else ``CREDIT_SIGNING_KEY_FILE``, else a key generated once under
``<home>/keys/signing.pem`` with mode 0600 (the embedded, one-machine set-up).

A signed JSON document carries ``"signature": {"algorithm", "key_id", "value"}``; ``value`` is the
base64 Ed25519 signature of the document's canonical bytes without ``signature`` (keys sorted, no
spaces, UTF-8 unescaped: :func:`canonical`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credit import clock
from credit.settings import Settings

ALGORITHM = "Ed25519"
SIDECAR_FORMAT = "credit-signed-file/1"
SIDECAR_SUFFIX = ".sig.json"


class SigningKeyError(ValueError):
    """The signing key (or a public key given to verify) cannot be read."""


def canonical(doc: Any) -> bytes:
    """Canonical bytes of a JSON document: keys sorted, no spaces, UTF-8 (what is signed)."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def key_id_of(public: Ed25519PublicKey) -> str:
    """A short, stable name of a public key: the first 16 hex digits of SHA-256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_key(pem: bytes | str, where: str = "公钥") -> Ed25519PublicKey:
    """A public key from PEM (SubjectPublicKeyInfo, as ``credit keys public`` prints it). Refused
    in our own words, Chinese first, naming ``where`` (the file it came from), never with the
    library's text."""
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise SigningKeyError(
            f"{where} 不是 PEM 格式的公钥（应为本局公布的公钥文本，以 -----BEGIN PUBLIC KEY----- 开头）"
            f" ({where} is not a PEM public key: expected the bureau's published public key, the text"
            " starting with -----BEGIN PUBLIC KEY-----)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{where} 不是本局使用的 Ed25519 公钥 ({where} is not an Ed25519 public key, "
                              "the kind the bureau signs with)")
    return key


def private_key_from_pem(data: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):   # in our words, not the library's
        raise SigningKeyError(f"{where}: 不是未加密的 PEM 私钥（可能是公钥、加密的私钥或已损坏） (not an unencrypted "
                              "PEM private key: a public key, an encrypted key, or damaged)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{where}: 签名密钥须为 Ed25519 私钥 (the signing key must be an Ed25519 key)")
    return key


def verify_bytes(public: Ed25519PublicKey, data: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` (base64) is the key's signature of ``data``."""
    try:
        public.verify(base64.b64decode(signature_b64, validate=True), data)
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class Signer:
    """The bureau's signing key."""

    key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.key.public_key()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    @property
    def public_pem(self) -> str:
        return public_pem(self.public_key)

    def sign(self, data: bytes) -> str:
        """The base64 Ed25519 signature of ``data``."""
        return base64.b64encode(self.key.sign(data)).decode("ascii")

    def sign_document(self, doc: dict[str, Any]) -> dict[str, Any]:
        """``doc`` with its ``signature`` block (over the canonical bytes of the rest)."""
        body = {k: v for k, v in doc.items() if k != "signature"}
        return {**body, "signature": {"algorithm": ALGORITHM, "key_id": self.key_id,
                                      "value": self.sign(canonical(body))}}


def document_problem(doc: Any, public: Ed25519PublicKey) -> str | None:
    """None when ``doc`` carries a valid signature of ``public``; else why not."""
    if not isinstance(doc, dict):
        return "不是 JSON 对象，不是签名的文件 (not a JSON object: not a signed document)"
    sig = doc.get("signature")
    if not isinstance(sig, dict) or not isinstance(sig.get("value"), str):
        return "没有签名 (the document carries no signature)"
    if sig.get("algorithm") != ALGORITHM:
        return f"未知的签名算法 (unknown signature algorithm {sig.get('algorithm')!r})"
    if sig.get("key_id") != key_id_of(public):
        return (f"签名密钥不符 (signed by key {sig.get('key_id')}, the public key given is "
                f"{key_id_of(public)})")
    body = {k: v for k, v in doc.items() if k != "signature"}
    if not verify_bytes(public, canonical(body), sig["value"]):
        return "签名无效：内容在签名后被改动 (signature does not match the content)"
    return None


def _generated_key(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``, generated there first (mode 0600) when missing; two processes racing
    to create it end with the same key (O_EXCL: the loser reads the winner's)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
            return key
    return private_key_from_pem(path.read_bytes(), str(path))


def generated_key_path(settings: Settings) -> Path:
    return settings.home.resolve() / "keys" / "signing.pem"


def signer_for(settings: Settings) -> Signer:
    """The signing key of these settings (see the module docstring for the order)."""
    if settings.signing_key is not None:
        return Signer(private_key_from_pem(settings.signing_key.get_secret_value().encode("ascii", "replace"),
                                        "CREDIT_SIGNING_KEY"))
    if settings.signing_key_file is not None:
        try:
            data = Path(settings.signing_key_file).read_bytes()
        except OSError as e:
            raise SigningKeyError(f"CREDIT_SIGNING_KEY_FILE {settings.signing_key_file}: {e.strerror}") from None
        return Signer(private_key_from_pem(data, str(settings.signing_key_file)))
    return Signer(_generated_key(generated_key_path(settings)))


# ------------------------------------------------------------------------------ signed files
def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def sidecar_for(data: bytes, name: str, signer: Signer, chain_head: dict[str, Any] | None,
                signed_at: datetime | None = None) -> dict[str, Any]:
    """The signed sidecar of a file's bytes: its SHA-256 and size, the decision log's head as last
    published outside the database (the anchor line), a detached signature of the raw bytes
    (``file_signature``: what ``openssl pkeyutl -verify -rawin`` checks) and the sidecar's own
    signature (binding the head to the file)."""
    doc = {"format": SIDECAR_FORMAT, "file": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
           "signed_at": (signed_at or clock.now()).isoformat(timespec="seconds"),   # the bureau's clock
           "chain_head": chain_head, "file_signature": signer.sign(data), "key_id": signer.key_id}
    return signer.sign_document(doc)


def write_signed(path: Path, data: bytes, signer: Signer, chain_head: dict[str, Any] | None) -> Path:
    """Write ``data`` to ``path`` and its signed sidecar beside it; returns the sidecar's path."""
    path.write_bytes(data)
    side = sidecar_path(path)
    side.write_text(json.dumps(sidecar_for(data, path.name, signer, chain_head), ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")
    return side


@dataclass(frozen=True)
class FileCheck:
    """The outcome of an offline signature check."""

    ok: bool
    kind: str                      # "file" (with its sidecar) or "document" (a signed JSON document)
    reasons: tuple[str, ...]
    key_id: str
    chain_head: dict[str, Any] | None = None
    dated: str | None = None       # when the signed content says it was signed (issued_at, published_at, signed_at)


class RepeatedKey(ValueError):
    """A JSON object names one key twice: which value was signed then depends on the parser."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def reason(self, name: str) -> str:
        return (f"{name}：同一对象中的键 \"{self.key}\" 重复出现，读者看到的值可能不是签名的值 ({name}: the key "
                f"\"{self.key}\" appears more than once in one object, so a reader may see another value than the "
                "one signed)")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise RepeatedKey(key)
        out[key] = value
    return out


def parse_document(data: bytes) -> Any:
    """A signed JSON document's bytes (UTF-8) parsed, refusing a key repeated in any object
    (:class:`RepeatedKey`): Python keeps a repeat's last value and other readers its first, so the
    signature of the one would vouch for a file that shows the other."""
    return json.loads(data.decode("utf-8"), object_pairs_hook=_unique)


def _meant_as_json(path: Path, data: bytes) -> bool:
    """Whether a file is meant to be a signed JSON document (a certificate…), not an export: its
    name ends in ``.json`` or its text starts with ``{``."""
    return path.suffix.lower() == ".json" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _unparsed_at(error: UnicodeDecodeError | json.JSONDecodeError) -> tuple[str, str]:
    """Where a JSON file could not be read, in Chinese and in English: a line and column, or its encoding."""
    if isinstance(error, json.JSONDecodeError):
        return f"第 {error.lineno} 行第 {error.colno} 列处", f"at line {error.lineno} column {error.colno}"
    return "因不是 UTF-8 文本而", "as UTF-8 text"


def _signing_key(doc: Any, public: Ed25519PublicKey,
                 others: Mapping[str, Ed25519PublicKey] | None) -> Ed25519PublicKey:
    """The key a signed document names, among ``others`` (the bureau's keyring, checked by the
    caller), else the key given."""
    sig = doc.get("signature") if isinstance(doc, dict) else None
    kid = sig.get("key_id") if isinstance(sig, dict) else None
    return (others or {}).get(str(kid), public)


def verify_file(path: Path, public: Ed25519PublicKey, sidecar: Path | None = None,
                others: Mapping[str, Ed25519PublicKey] | None = None) -> FileCheck:
    """Check a file offline with the public key alone: a file with its sidecar ``<file>.sig.json``,
    or a signed JSON document itself (a screening certificate, the sidecar, an anchor line).
    ``others``: the keys of the bureau's keyring by id (:mod:`credit.keyring`, already checked to
    chain to ``public``): a signature by one of them verifies with it (a key since rotated)."""
    kid = key_id_of(public)
    data = path.read_bytes()
    side = sidecar or sidecar_path(path)
    if sidecar is None and not side.exists():
        try:
            doc = parse_document(data)
        except RepeatedKey as e:
            return FileCheck(False, "document", (e.reason(path.name),), kid)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            if _meant_as_json(path, data):   # a certificate (or other signed JSON) cut short or damaged
                at, where = _unparsed_at(e)
                return FileCheck(False, "document", (
                    f"{path.name} 不是有效的证明文件 JSON（{at}无法解析，文件可能不完整或已损坏），旁边也没有签名文件 "
                    f"{side.name} ({path.name} is not a valid certificate JSON: it cannot be read {where},"
                    f" it may be truncated or damaged; and no signature sidecar {side.name} is beside it)",), kid)
            return FileCheck(False, "file", (f"没有签名：文件旁没有 {side.name} (no signature: {side.name} not found "
                                             "beside the file)",), kid)
        key = _signing_key(doc, public, others)
        problem = document_problem(doc, key)
        dated = next((doc[k] for k in ("issued_at", "published_at", "signed_at") if isinstance(doc.get(k), str)), None)
        return FileCheck(problem is None, "document", (problem,) if problem else (), key_id_of(key), dated=dated)
    try:   # a sidecar that cannot be opened (OSError) is raised: the check cannot be made at all
        meta = parse_document(side.read_bytes())
    except RepeatedKey as e:
        return FileCheck(False, "file", (e.reason(side.name),), kid)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:   # a damaged signature: it does not hold
        at, where = _unparsed_at(e)
        return FileCheck(False, "file", (
            f"签名文件 {side} 不是有效的 JSON（{at}无法解析，文件可能不完整或已损坏） "
            f"(the signature sidecar {side} is not valid JSON: it cannot be read {where}; "
            "it may be truncated or damaged)",), kid)
    reasons = []
    public = _signing_key(meta, public, others)
    kid = key_id_of(public)
    problem = document_problem(meta, public)
    if problem:
        reasons.append(f"sidecar: {problem}")
    if not isinstance(meta, dict) or meta.get("format") != SIDECAR_FORMAT:
        reasons.append(f"sidecar format is not {SIDECAR_FORMAT}")
        return FileCheck(False, "file", tuple(reasons), kid)
    if meta.get("sha256") != hashlib.sha256(data).hexdigest():
        reasons.append("文件内容与签名记录的摘要不符 (the file's SHA-256 differs from the signed one: changed after signing)")
    if not verify_bytes(public, data, str(meta.get("file_signature"))):
        reasons.append("文件签名无效 (the detached signature of the file's bytes does not verify)")
    head = meta.get("chain_head")
    dated = meta.get("signed_at")
    return FileCheck(not reasons, "file", tuple(reasons), kid, head if isinstance(head, dict) else None,
                     dated if isinstance(dated, str) else None)
