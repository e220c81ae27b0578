"""Officers' passwords, roles and authorities (issue 15), without a database."""

from __future__ import annotations

from credit.api.auth import Principal
from credit.api.officers import hash_password, may, password_problem, refusal, verify_password


def test_password_hash_is_scrypt_salted_and_verifies() -> None:
    a, b = hash_password("一个足够长的口令-123"), hash_password("一个足够长的口令-123")
    assert a.startswith("scrypt$16384$8$1$") and a != b          # a fresh salt each time
    assert verify_password("一个足够长的口令-123", a) and verify_password("一个足够长的口令-123", b)
    assert not verify_password("一个足够长的口令-124", a)
    assert not verify_password("x", "not-a-hash") and not verify_password("x", "scrypt$1$2$3$@@$@@")
    assert not verify_password("x", a.replace("scrypt", "md5"))


def test_password_rules() -> None:
    assert password_problem("short") is not None
    assert password_problem(" leading-space-password") is not None
    assert password_problem("long-enough-password") is None


def _officer(role: str, authority: str = "110105") -> Principal:
    return Principal("bureau", None, "x", None, officer_id=1, officer_role=role, authority=authority,
                     display_name="某某")


def test_roles_and_authorities() -> None:
    assert may("officer", "draft") and not may("officer", "approve") and not may("officer", "decide")
    assert may("approver", "approve") and may("admin", "decide") and not may(None, "draft")
    assert refusal(_officer("approver"), "approve", "110105") is None
    assert "办案人员无权审批" in (refusal(_officer("officer"), "approve", "110105") or "")
    other = refusal(_officer("approver", "110101"), "approve", "110105") or ""
    assert "北京市朝阳区市场监督管理局" in other and "北京市东城区市场监督管理局" in other
    # A bureau key acts for the bureau as before; the public role may not act at all.
    assert refusal(Principal("bureau", 3, "科员"), "approve", "110105") is None
    assert refusal(Principal("public"), "draft", None) is not None
    assert _officer("approver").actor == "account:x" and Principal("bureau", 3, "科员").actor == "officer:科员"
