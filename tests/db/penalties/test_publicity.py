"""Golden cases of penalty-information publicity, its repair and grading on the 2026 calendar
(domain.md §5.1, §5.3, §6; issue 13 item 9): each penalty leaves the public view and the grade
when its window ends, when it is repaired, or when its decision is revoked."""

from __future__ import annotations

import shutil
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit.api.views import application_status, entity_status
from credit.config import load_config
from credit.context import NightContext
from credit.grading.night import grade_night
from credit.penalties.read import penalties_of, public_penalties
from credit.penalties.repair import apply_for_penalty_repair
from credit.rosters.read import entity_head
from credit.rosters.repair import Refused, decide_draft
from credit.settings import Settings, bundled
from tests.db.rosters.helpers import D, decisions, night, reg, report

A = "91110105MA0000001A"


def pen(c: Connection, case_no: str, decided_on: str, *, fine: float | None = 50000, measures: tuple[str, ...] = ("fine",),
        heavier: bool = False, category: str = "other", fulfilled_on: str | None = None) -> None:
    c.execute(sa.text("""insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount,
                         heavier, fulfilled_on, first_night, last_night)
                         values (:c, :u, :d, :doc, :cat, :m, :f, :h, :ful, :d, :d)"""),
              {"c": case_no, "u": A, "d": D(decided_on), "doc": f"罚字〔{decided_on[:4]}〕{case_no}号", "cat": category,
               "m": list(measures), "f": fine, "h": heavier, "ful": D(fulfilled_on) if fulfilled_on else None})


def entity(c: Connection) -> None:
    reg(c, A)
    report(c, A, 2025, "2026-03-01")


def graded(c: Connection, settings: Settings, day: str) -> dict[str, Any]:
    """The night (rosters, then grading) and A's scorecard codes with their values."""
    night(c, settings, day)
    grade_night(c, NightContext(D(day), "test", settings))
    reasons = c.execute(sa.text("select reasons from grades where night = :n and uscc = :u"),
                        {"n": D(day), "u": A}).scalar_one()
    return {r["code"]: r.get("value") for r in reasons}


def state(c: Connection, case_no: str, day: str) -> str:
    return next(p["state"] for p in penalties_of(c, A, D(day)) if p["case_no"] == case_no)


def test_general_penalty_leaves_publicity_and_grading_after_one_year(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # order 107, general (§5.1): decided Sat 2026-01-10 → published through 2027-01-10, gone from 2027-01-11.
    with engine.begin() as c:
        entity(c)
        pen(c, "G1", "2026-01-10")
        assert graded(c, settings, "2026-01-12")["PENALTIES"] == 1
        assert graded(c, settings, "2027-01-10")["PENALTIES"] == 1
        assert state(c, "G1", "2027-01-10") == "published"
        assert "PENALTIES" not in graded(c, settings, "2027-01-11")
        assert state(c, "G1", "2027-01-11") == "ended"
        assert public_penalties(c, A, D("2027-01-11"), D("2027-01-11")) == []
        # as of a day inside the window the public still sees it
        assert [p["case_no"] for p in public_penalties(c, A, D("2026-06-01"), D("2027-01-11"))] == ["G1"]


def test_lower_fine_minor_case_leaves_after_three_months(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        entity(c)
        pen(c, "M1", "2026-02-10", fine=3000)
        assert graded(c, settings, "2026-05-10")["PENALTIES"] == 1
        assert "PENALTIES" not in graded(c, settings, "2026-05-11")
        p = penalties_of(c, A, D("2026-05-11"))[0]
        assert p["penalty_class"] == "minor" and p["publicity_until"] == "2026-05-10" and p["repair_from"] is None


def test_repaired_penalty_disappears_from_the_public_view_and_the_grade(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        entity(c)
        pen(c, "R1", "2026-01-10", fulfilled_on="2026-02-01")
        graded(c, settings, "2026-01-12")
        # Too early (3 months not full): recorded, refused that night with the earliest repair date.
        early = apply_for_penalty_repair(c, A, "R1", D("2026-03-02"), "已缴纳罚款", settings=settings)
        assert early["repair_from"] == "2026-04-11" and "2026-04-11" in (early["note"] or "")
        # On the watch before any decision on it: the registration authority's item, never "penalty".
        from credit.rosters.deadlines import deadline_watch
        watch = deadline_watch(c, D("2026-03-02"), 10, settings)
        item = watch[(watch["uscc"] == A) & (watch["roster"] == "penalty")]
        from credit.rosters.env import RosterEnv
        expected = RosterEnv.load(settings).authority_of("110105").name   # reg()'s region: 朝阳区
        assert len(item) == 1 and item["authority"].iloc[0] == expected != "市场监督管理局", item.to_dict("records")
        night(c, settings, "2026-03-02")
        refusal = decisions(c, roster="penalty", action="refuse")[0]
        assert refusal["request_id"] == early["id"] and refusal["decision_no"]
        assert "自 2026-04-11 起方可申请信用修复" in refusal["reason"]
        assert graded(c, settings, "2026-04-10")["PENALTIES"] == 1
        # From the earliest date: decided within 7 WD (order 107) — Apr 14–17, 20–22.
        app = apply_for_penalty_repair(c, A, "R1", D("2026-04-13"), "已履行处罚决定", settings=settings)
        assert app["decide_by"] == "2026-04-22" and app["note"] is None
        try:
            apply_for_penalty_repair(c, A, "R1", D("2026-04-13"), settings=settings)
            raise AssertionError("a second pending application must be refused")
        except Refused as e:
            assert "不重复受理" in str(e)
        scores = graded(c, settings, "2026-04-13")
        removal = decisions(c, roster="penalty", action="remove")[0]
        assert removal["request_id"] == app["id"] and removal["facts"]["case_no"] == "R1" and not removal["late"]
        assert "PENALTIES" not in scores and "FINES" not in scores
        assert state(c, "R1", "2026-04-13") == "repaired"
        # The bureau still sees it published on a day before the repair; the public never again.
        assert state(c, "R1", "2026-04-01") == "published"
        assert public_penalties(c, A, D("2026-04-01"), D("2026-04-13")) == []
        # A repair decided after the latest night (s35: latest data 04-10, the repair dated 04-13)
        # hides the penalty from the public for every date too (domain.md §5.3): judged on the whole
        # record, not on the latest night.
        cfg = load_config("api", settings)
        for as_of, head in ((D("2026-04-01"), entity_head(c, A)), (D("2026-04-10"), entity_head(c, A)),
                            (D("2026-04-01"), None)):
            doc = entity_status(c, settings, cfg, A, as_of, role="public", latest=D("2026-04-10"),
                                today=D("2026-04-14"), head=head)
            assert doc["penalties"] == [], as_of
        # Nothing left to repair.
        try:
            apply_for_penalty_repair(c, A, "R1", D("2026-04-14"), settings=settings)
            raise AssertionError("a repaired penalty cannot be applied for")
        except Refused as e:
            assert "不在公示中" in str(e)


def test_unperformed_penalty_refused_when_the_limit_runs_out(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        entity(c)
        pen(c, "U1", "2026-01-10")                     # never performed
        night(c, settings, "2026-01-12")
        app = apply_for_penalty_repair(c, A, "U1", D("2026-04-13"), settings=settings)
        night(c, settings, "2026-04-21")
        assert decisions(c, roster="penalty") == []      # conditions may still be met before 04-22
        night(c, settings, "2026-04-22")
        refusal = decisions(c, roster="penalty")[0]
        assert refusal["action"] == "refuse" and refusal["request_id"] == app["id"]
        assert "尚未履行行政处罚决定" in refusal["reason"]


def test_revoked_penalty_withdrawn_within_3_wd(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 45号令 art. 11: revoked Thu 2026-04-30 → withdrawn by 2026-05-08 (May 1–5 off; 6, 7, 8).
    with engine.begin() as c:
        entity(c)
        pen(c, "V1", "2026-03-02")
        assert graded(c, settings, "2026-04-30")["PENALTIES"] == 1
        c.execute(sa.text("update penalties set revoked_on = '2026-04-30' where case_no = 'V1'"))
        scores = graded(c, settings, "2026-05-06")
        assert "PENALTIES" not in scores
        p = penalties_of(c, A, D("2026-05-06"))[0]
        assert p["state"] == "withdrawn" and p["withdrawn_on"] == "2026-05-06" and p["withdraw_due"] == "2026-05-08"
        assert state(c, "V1", "2026-05-05") == "published"
        # the public does not see a revoked penalty, not even for a day before the revocation
        assert public_penalties(c, A, D("2026-04-15"), D("2026-05-06")) == []
        # a later night keeps the first withdrawal date (append-only, nothing new)
        night(c, settings, "2026-05-07")
        assert c.execute(sa.text("select count(*) from penalty_publicity where case_no = 'V1'")).scalar() == 2


def test_windows_are_kept_once_per_change(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        entity(c)
        pen(c, "W1", "2026-01-10")
        pen(c, "W2", "2026-01-10", measures=("warning",), fine=None)
        night(c, settings, "2026-01-12")
        night(c, settings, "2026-01-13")
        rows = c.execute(sa.text("select case_no, night, class, published from penalty_publicity order by case_no")).all()
        assert rows == [("W1", date(2026, 1, 12), "general", True), ("W2", date(2026, 1, 12), "not_published", False)]
        try:
            with c.begin_nested():
                c.execute(sa.text("update penalty_publicity set class = 'minor'"))
            raise AssertionError("penalty_publicity must be append-only")
        except sa.exc.DBAPIError:
            pass


def test_an_officer_decides_when_the_bureau_switches_penalty_drafts_on(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # rosters.yaml drafts: the night writes a draft (拟修复); the officer's approval is the decision.
    cfg = tmp_path / "config"
    shutil.copytree(bundled("config"), cfg)
    text = (cfg / "rosters.yaml").read_text(encoding="utf-8")
    (cfg / "rosters.yaml").write_text(text.replace("drafts:\n", "drafts:\n  penalty: [{from: 2025-01-01, drafts: true}]\n", 1),
                                      encoding="utf-8")
    s = Settings(database_url=settings.database_url, home=settings.home, config_dir=cfg)
    with engine.begin() as c:
        entity(c)
        pen(c, "O1", "2026-01-10", fulfilled_on="2026-02-01")
        night(c, s, "2026-01-12")
        apply_for_penalty_repair(c, A, "O1", D("2026-04-13"), settings=s)
        night(c, s, "2026-04-13")
        (draft,) = decisions(c, roster="penalty")
        assert draft["action"] == "propose" and draft["proposed_action"] == "remove"
        assert state(c, "O1", "2026-04-13") == "published"          # a draft stops nothing
        out = decide_draft(c, draft["seq"], "王科长", D("2026-04-15"), settings=s)
        assert out["action"] == "remove" and out["decision_no"]
        assert state(c, "O1", "2026-04-15") == "repaired"


def test_windows_kept_in_chunks_of_two_cases_are_those_of_one_chunk(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """maintain_windows reads the penalties a chunk at a time (issue 11): with chunks of two cases,
    a revocation, a changed fine and cases on both sides of a chunk's edge keep the same rows."""
    from credit.penalties.store import maintain_windows

    def run(size: int) -> list[tuple[Any, ...]]:
        chunked = settings.model_copy(update={"rosters_chunk_rows": size})
        with engine.begin() as c:
            entity(c)
            for k in range(7):
                pen(c, f"K{k}", f"2026-0{1 + k % 3}-1{k}", fine=None if k == 3 else 5000 * (k + 1),
                    measures=("warning",) if k == 3 else ("fine",), heavier=k == 5)
            counts = [maintain_windows(c, D("2026-04-30"), chunked)]
            c.execute(sa.text("update penalties set revoked_on = '2026-04-30' where case_no in ('K1', 'K4')"))
            c.execute(sa.text("update penalties set fine_amount = 900 where case_no = 'K6'"))
            counts += [maintain_windows(c, D("2026-05-06"), chunked), maintain_windows(c, D("2026-05-07"), chunked)]
            rows = c.execute(sa.text(
                "select case_no, night, class, published, publicity_until, withdrawn_on, withdraw_due "
                "from penalty_publicity order by case_no, night")).all()
            c.rollback()
        return [tuple(counts), *[tuple(r) for r in rows]]

    whole = run(1000)
    assert whole[0] == (7, 3, 0) and len(whole) == 1 + 10
    assert run(2) == whole


def test_an_individual_business_marked_abnormal_is_on_no_roster_for_penalty_repair(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # 45号令 art. 14 para. 1 (4) (domain.md §6): "on neither roster". A 个体工商户 who did not file is
    # marked in abnormal status (domain.md §2, 69号令), which is no roster: its repair was refused as
    # "被列入经营异常名录或严重违法失信名单" (an outsider's acceptance pass).
    with engine.begin() as c:
        reg(c, A, kind="individual")
        pen(c, "R2", "2026-01-10", fulfilled_on="2026-02-01")
        graded(c, settings, "2026-01-12")
        graded(c, settings, "2026-07-01")
        assert decisions(c, roster="abnormal_status", action="include"), "the marking for the 2025 report"
        app = apply_for_penalty_repair(c, A, "R2", D("2026-07-02"), "已履行处罚决定", settings=settings)
        graded(c, settings, "2026-07-02")
        answer = [d for d in decisions(c, roster="penalty") if d["request_id"] == app["id"]]
        assert [d["action"] for d in answer] == ["remove"], answer


def test_a_case_number_typed_full_width_finds_the_stored_case(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """Case numbers are stored NFKC-normalised (contracts.md §1: full-width digits are unambiguous);
    an applicant who types them full-width, or with spaces, means the same case."""
    with engine.begin() as c:
        entity(c)
        pen(c, "R1", "2026-01-10", fulfilled_on="2026-02-01")
        graded(c, settings, "2026-01-12")
        app = apply_for_penalty_repair(c, A, " Ｒ１ ", D("2026-04-13"), "已履行处罚决定", settings=settings)
        assert app["case_no"] == "R1", app


def test_a_warning_or_criticism_leaves_nothing_to_perform_for_grading_and_repair(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # credit.penalties.performance: a warning and a notice of criticism are complete when decided
    # (domain.md §5.2, §6 art. 14 para. 1 item (1) "performed the decision" has nothing to wait
    # for); a fine is performed when paid. With fulfilled_on empty, C1 counted as 处罚决定尚未履行完毕
    # and H1's repair was never granted (outsider's pass). Grading and repair read it alike.
    with engine.begin() as c:
        entity(c)
        # (another category than H1's: a later penalty of H1's own category would bar its repair)
        pen(c, "C1", "2026-02-10", fine=None, measures=("criticism",), category="consumer_rights")   # minor: 3 months
        pen(c, "C2", "2026-02-10", fine=3000, measures=("criticism", "fine"), category="consumer_rights")   # unpaid
        pen(c, "H1", "2025-12-26", fine=None, measures=("warning", "criticism"), heavier=True)   # serious: 3 years
        scores = graded(c, settings, "2026-03-02")
        assert scores["PENALTIES"] == 3 and scores["PENALTIES_UNFULFILLED"] == 1, scores
        h1 = next(p for p in penalties_of(c, A, D("2026-03-02")) if p["case_no"] == "H1")
        assert (h1["penalty_class"], h1["repair_from"]) == ("serious", "2026-12-27")
        app = apply_for_penalty_repair(c, A, "H1", D("2026-12-28"), "警告、通报批评，无需履行", settings=settings)
        night(c, settings, "2026-12-28")
        answer = [d for d in decisions(c, roster="penalty") if d["request_id"] == app["id"]]
        assert [d["action"] for d in answer] == ["remove"], answer
        assert answer[0]["facts"]["fulfilled_on"] == "2025-12-26"    # performed on its decision day


@pytest.mark.parametrize("change", ["reassigned", "dropped"])
def test_a_pending_repair_on_a_penalty_no_longer_the_applicants_ends(engine, settings, change) -> None:  # type: ignore[no-untyped-def]
    """A applied to repair R1 (performed, repairable from 2026-04-11); before the night decided it,
    the store came to hold R1 naming B (a later drop corrected it: keyed by case_no, contracts.md
    §1), or a full snapshot left it out. The application is decided on what the record says now: it
    ends, numbered (pen.end.repair), told to the applicant in Chinese — not granted as if R1 were
    still A's (before the fix: a removal for A on another entity's penalty)."""
    b = "91110105MA0000002Y"
    with engine.begin() as c:
        entity(c)
        reg(c, b)
        pen(c, "R1", "2026-01-10", fulfilled_on="2026-02-01")
        graded(c, settings, "2026-01-12")
        app = apply_for_penalty_repair(c, A, "R1", D("2026-04-13"), "已履行处罚决定", settings=settings)
        if change == "reassigned":
            c.execute(sa.text("update penalties set uscc = :b, last_night = :n where case_no = 'R1'"),
                      {"b": b, "n": D("2026-04-13")})
        else:
            c.execute(sa.text("delete from penalties where case_no = 'R1'"))
        night(c, settings, "2026-04-13")
        assert decisions(c, roster="penalty", action="remove") == []
        (end,) = decisions(c, roster="penalty", action="refuse")
        assert (end["request_id"], end["uscc"], end["rule_id"]) == (app["id"], A, "pen.end.repair")
        assert end["decision_no"] and end["decision_date"] == D("2026-04-13")
        words = {"reassigned": "经处罚机关更正，当事人为其他市场主体", "dropped": "已不在处罚机关的处罚记录中"}[change]
        assert words in end["reason"] and "本申请终止" in end["reason"]
        assert all(ord(ch) > 127 or not ch.isalpha() for ch in end["reason"])     # the applicant reads Chinese
        assert end["facts"]["ended"] == change and "(the penalty" in end["facts"]["note"]   # officers: both
        assert end["facts"].get("penalty_now_names") == (b if change == "reassigned" else None)
        status = application_status(c, app["id"], settings)
        assert status is not None and status["status"] == "refused"
        assert status["decisions"][0]["label"] == "申请终止（处罚信息已不是申请人的）"
        # re-run: nothing new
        night(c, settings, "2026-04-13")
        assert len(decisions(c, roster="penalty")) == 1


def test_a_penalty_corrected_to_name_another_entity_is_that_entitys_from_the_correction(engine, settings) -> None:  # type: ignore[no-untyped-def]
    """R1 named A (published, repairable from 2026-04-11); on 04-13 the store holds it naming B (a
    correction: keyed by case_no, contracts.md §1). From that night R1 is B's: A's penalties, its
    public view and its repair application no longer have it (before, the window kept naming A —
    the entity was not compared — so B's penalty stayed published under A and A could still apply
    to repair it). As recorded after night 01-12 it was still A's."""
    from credit.rosters.known import known_at
    from tests.db.rosters.helpers import published

    b = "91110105MA0000002Y"
    with engine.begin() as c:
        entity(c)
        reg(c, b)
        pen(c, "R1", "2026-01-10", fulfilled_on="2026-02-01")
        graded(c, settings, "2026-01-12")
        published(c, "2026-01-12")
        c.execute(sa.text("update penalties set uscc = :b, last_night = :n where case_no = 'R1'"),
                  {"b": b, "n": D("2026-04-13")})
        night(c, settings, "2026-04-13")
        assert [p["case_no"] for p in penalties_of(c, A, D("2026-04-13"))] == []
        assert public_penalties(c, A, D("2026-04-13"), D("2026-04-13")) == []
        assert [(p["case_no"], p["state"]) for p in penalties_of(c, b, D("2026-04-13"))] == [("R1", "published")]
        assert [p["case_no"] for p in penalties_of(c, A, D("2026-04-13"), known_at(c, D("2026-01-12")))] == ["R1"]
        with pytest.raises(Refused, match="没有案号为 R1 的行政处罚信息"):
            apply_for_penalty_repair(c, A, "R1", D("2026-04-14"), "已履行处罚决定", settings=settings)
        assert apply_for_penalty_repair(c, b, "R1", D("2026-04-14"), "已履行处罚决定", settings=settings)["id"]
        # the window changed its entity only: one new row, naming B; a re-run adds none
        night(c, settings, "2026-04-13")
        rows = c.execute(sa.text("select night, uscc from penalty_publicity where case_no = 'R1' order by night")).all()
        assert [tuple(r) for r in rows] == [(D("2026-01-12"), A), (D("2026-04-13"), b)]
