"""A past as-of answer keeps the legal state of that date, but its repair outlook is about today.

Legal review r26law (domain.md §3.3, §3.4, §10): A is found unreachable and listed by the night of
2026-03-02 (68号令 art. 4 item 4); an officer upholds an objection on 2026-03-25 (the listing was
wrong, art. 16) and the night of 2026-03-27 has the revocation. Asked "as of 2026-03-10" a consumer
still sees the listing in force that day, but must not be told to apply for its removal today, nor
by when the bureau would decide: the entry is no longer on the roster by the latest data. As known
after the night of 2026-03-26, before the revocation was recorded, the outlook is still offered.
"""

from __future__ import annotations

from credit.api.views import entity_status
from credit.config import load_config
from credit.rosters.known import known_at
from credit.rosters.repair import decide_objection, file_objection
from tests.db.rosters.helpers import D, decisions, night, published, unreachable_story

A = "91110105MA00000012"


def test_no_repair_outlook_for_an_entry_removed_since(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        unreachable_story(c, settings, A)
        k26 = known_at(c, D("2026-03-26"))
        listing = decisions(c, action="include")[0]
        obj = file_objection(c, listing["decision_no"], D("2026-03-20"), "地址可以联系", settings=settings)
        decide_objection(c, obj["id"], "upheld", D("2026-03-25"), "王科长", settings=settings)
        night(c, settings, "2026-03-27")
        published(c, "2026-03-27")
        cfg = load_config("api", settings)

        now = entity_status(c, settings, cfg, A, D("2026-03-10"), role="consumer", latest=D("2026-03-27"),
                            today=D("2026-03-28"))
        [e] = now["rosters"]
        assert e["state"] == "listed"            # the legal state on 2026-03-10
        assert "repair" not in e                  # but nothing to apply for today: revoked since
        revoked = decisions(c, action="revoke")[0]
        assert e["removed_since"] == {               # and the consumer is told so
            "removed_on": "2026-03-25", "removal_no": revoked["decision_no"],
            "removal_reason": e["removed_since"]["removal_reason"], "removal_kind": "revoked",
            "label": f"该列入决定已于2026-03-25被撤销（{revoked['decision_no']}）"}

        then = entity_status(c, settings, cfg, A, D("2026-03-10"), role="consumer", latest=D("2026-03-26"),
                             today=D("2026-03-28"), known=k26)
        [e] = then["rosters"]
        assert e["state"] == "listed" and e["repair"]["rule"] is not None and "removed_since" not in e

        today = entity_status(c, settings, cfg, A, D("2026-03-27"), role="consumer", latest=D("2026-03-27"),
                              today=D("2026-03-28"))
        assert [x["state"] for x in today["rosters"]] == ["removed"] and "repair" not in today["rosters"][0]
        assert "removed_since" not in today["rosters"][0]   # the date asked already says it
