"""Rules as data (config/rules.yaml): versions by effective date, switches by date, overlaps refused."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from credit.rosters.rules import NoRuleInForce, load_rules
from credit.settings import Settings, bundled

D = date.fromisoformat


def test_annual_report_basis_follows_the_2024_revision() -> None:
    # domain.md §0, §3.6: old art. 17 became art. 18 on 2024-05-01 (国务院令第777号).
    rules = load_rules()
    old = rules.at("abn.include.annual_report_missing", D("2024-04-30"))
    new = rules.at("abn.include.annual_report_missing", D("2024-05-01"))
    assert "第十七条" in old.basis and "654号" in old.basis
    assert "第十八条" in new.basis and "777号" in new.basis
    assert new.period is not None and (new.period.n, new.period.unit) == (10, "wd")


def test_escalation_is_switched_off_from_2024_05_01() -> None:
    # domain.md §3.5: the 3-year escalation left the statute on 2024-05-01; historical listings stay valid.
    rules = load_rules()
    assert rules.enabled("ser.escalate.abnormal_3_years", D("2019-06-01"))
    assert rules.at("ser.escalate.abnormal_3_years", D("2019-06-01")).listing_years == 5   # 654号 art. 17 para. 3
    assert rules.at("ser.escalate.abnormal_3_years", D("2022-06-01")).listing_years == 3   # 44号令 cap
    assert not rules.enabled("ser.escalate.abnormal_3_years", D("2024-05-01"))
    assert not rules.enabled("ser.escalate.abnormal_3_years", D("2026-11-01"))


def test_serious_early_removal_limit_order_107() -> None:
    # domain.md §4, §5.1, §13 ex. 9: 15 WD until 2025-12-24, 7 WD from 2025-12-25.
    rules = load_rules()
    assert rules.at("ser.remove.early", D("2025-12-24")).period.n == 15  # type: ignore[union-attr]
    assert rules.at("ser.remove.early", D("2025-12-25")).period.n == 7   # type: ignore[union-attr]
    assert rules.at("ser.remove.early", D("2018-01-01")).period.n == 5   # 83号令 art. 10  # type: ignore[union-attr]


def test_83_era_cause_loads_but_is_never_decided_now() -> None:
    rules = load_rules()
    v = rules.at("ser83.include.false_registration", D("2018-03-01"))
    assert "83号" in v.basis and not v.enabled
    with pytest.raises(NoRuleInForce):
        rules.at("ser83.include.false_registration", D("2022-01-01"))


def test_every_rule_version_has_wording_basis_and_period() -> None:
    rules = load_rules()
    for rule_id, versions in rules.rules.items():
        for v in versions:
            assert v.wording and v.basis, rule_id
            assert v.period is not None, rule_id
            assert v.status in ("verified", "text_copy", "secondary", "unverified"), rule_id


def test_overlapping_versions_are_refused(tmp_path: Path) -> None:
    shutil.copy(bundled("config") / "rules.yaml", tmp_path / "rules.yaml")
    text = (tmp_path / "rules.yaml").read_text(encoding="utf-8")
    # make the 2014 version of the annual-report rule run past the start of the 2024 one
    text = text.replace("valid_to: 2024-04-30\n        period: {n: 10, unit: wd}\n        wording: 未依照",
                        "valid_to: 2024-06-30\n        period: {n: 10, unit: wd}\n        wording: 未依照", 1)
    (tmp_path / "rules.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="overlap"):
        load_rules(Settings(config_dir=tmp_path))
