"""``GET /v1/bureau/entities/{uscc}/tier?as_of=D`` for a D after the latest published night: the tier
of that night, said to be so (``data_through``, ``beyond_data``), as ``credit grades show --as-of``
and ``GET /v1/entities/{uscc}`` say it (README: "a date after the latest published night is answered
with a warning (beyond_data)"). Without it an officer reads a tier "as of" a day no night has graded
as settled, though the next night may move it (domain.md §7: the class is updated dynamically)."""

from __future__ import annotations

from tests.db.api.support import C, live, seed_story  # noqa: F401


def test_a_tier_after_the_latest_night_says_so(live) -> None:  # noqa: F811
    seed_story(live, grade=True)
    with live.client("bureau") as h:
        later = h.get(f"/v1/bureau/entities/{C}/tier", params={"as_of": "2026-08-01"})
        on = h.get(f"/v1/bureau/entities/{C}/tier", params={"as_of": "2026-07-15"})
        latest = h.get(f"/v1/bureau/entities/{C}/tier")
    assert later.status_code == on.status_code == latest.status_code == 200, later.text
    assert later.json()["night"] == "2026-07-15"
    assert later.json()["data_through"] == "2026-07-15" and later.json()["beyond_data"] is True
    assert on.json()["data_through"] == "2026-07-15" and on.json()["beyond_data"] is False
    assert latest.json()["data_through"] == "2026-07-15" and latest.json()["beyond_data"] is False
