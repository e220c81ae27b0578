"""The applicant's contact (联系方式) is their identity for the one-pending-application rule
(docs/api.md): a mainland mobile number or an e-mail address, nothing else (s35: "not a phone" was
accepted and given a receipt)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from credit.api.models import RepairApplication
from credit.api.validation import normalise_contact
from credit.api.wording import form_problems


@pytest.mark.parametrize(("raw", "norm"), [
    ("13800138000", "13800138000"),
    ("１３８ ００１３ ８０００", "13800138000"),      # full-width digits and spaces (NFKC)
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("ops@example.cn", "ops@example.cn"),
    ("Ops@Example.CN", "Ops@example.cn"),          # the domain lower-cased by email-validator
    ("ｏｐｓ＠ｅｘａｍｐｌｅ．ｃｎ", "ops@example.cn"),  # full-width e-mail
])
def test_a_phone_or_an_email_is_kept_normalised(raw: str, norm: str) -> None:
    assert normalise_contact(raw) == norm


@pytest.mark.parametrize("raw", ["not a phone", "12345", "23800138000", "138001380001", "1380013800",
                                 "a@b", "@example.cn", "ops@", "微信 abc"])
def test_anything_else_is_refused_in_chinese(raw: str) -> None:
    with pytest.raises(ValueError, match="联系方式应为11位手机号码"):
        normalise_contact(raw)
    with pytest.raises(ValidationError) as e:
        RepairApplication.model_validate({"uscc": "x", "roster": "abnormal", "grounds": "g", "contact": raw})
    # the page shows the Chinese reason, not the field's bare "填写有误"
    assert form_problems(e.value.errors()) == "联系方式应为11位手机号码（以1开头）或电子邮箱地址"


def test_no_contact_stays_none() -> None:
    body = RepairApplication.model_validate({"uscc": "x", "roster": "abnormal", "grounds": "g"})
    assert body.contact is None
