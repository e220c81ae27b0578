"""What the departments know about an entity: penalties, annual reports, tax, social security, findings.

Night 1 carries what is dated up to the day before; rows dated later (a report filed next week,
a fine paid later, a cure) are generated all the same and released on their night.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credit.contract.sources import FINDING_KINDS, PENALTY_CATEGORIES, PENALTY_MEASURES
from credit.sample.cells import as_text, date_text, joined, money, padded
from credit.sample.codes import (
    CURE_CODES,
    ENTERPRISE,
    ENTITY_KINDS,
    FINDING_CODES,
    GRADE_C,
    GRADE_D,
    GRADE_M,
    INDIVIDUAL,
    MEASURE_BIT,
    OPERATING,
    TAX_GRADES,
    per_code,
    weights,
)
from credit.sample.context import Context, Rows, concat, day, nrows, take, year_of
from credit.sample.draw import Draw, Slot, Stream, pick
from credit.sample.words import COUNTY_BUREAU, COUNTY_CODE_TEXT, COUNTY_DOC, words_of

PENALTY_FIELDS: Final = frozenset({"uscc", "county", "serial", "decided", "category", "measures", "fine",
                                   "heavier", "fulfilled", "doc_n", "restricted", "revoked"})
"""The fields of a penalty row that its table needs."""
FINDING_FIELDS: Final = frozenset({"uscc", "county", "kind", "day", "serial", "doc_n"})
"""The fields of a finding row that its table needs."""

# ================================================================================================
# Penalties (行政处罚) — domain.md §4, §6
# ================================================================================================
_CATEGORY_WEIGHTS: Final = weights(PENALTY_CATEGORIES, {
    "food_safety": 12, "drugs_devices_cosmetics": 5, "quality_special_equipment": 10, "consumer_rights": 10,
    "fair_competition": 12, "registration_fraud": 6, "unlicensed": 12, "obstruction": 3, "false_disclosure": 1,
    "other": 30})
# A penalty carrying any of these is a 较重行政处罚 by itself (domain.md §4, 44号令 art. 2 (2)-(3));
# the numbers weigh how often each is the heavy measure drawn.
_HEAVY_MEASURES: Final = {"qualification_downgrade": 10, "licence_revoked": 20, "business_licence_revoked": 15,
                          "business_restricted": 15, "suspension": 30, "closure": 5, "practice_ban": 5}
_HEAVY_BITS: Final = np.array([MEASURE_BIT[m] for m in _HEAVY_MEASURES])
_RESTRICTING_BITS: Final = MEASURE_BIT["business_restricted"] | MEASURE_BIT["suspension"] | MEASURE_BIT["practice_ban"]


def penalty_attrs(d: Draw, decided: np.ndarray) -> Rows:
    """Category, measures (bit set), fine, 较重 flag and fulfilment day of penalties."""
    category = pick(d.u(Stream.PEN_CAT), _CATEGORY_WEIGHTS)
    warning_only = d.u(Stream.PEN_KIND) < 0.20
    measures = np.where(warning_only, MEASURE_BIT["warning"], MEASURE_BIT["fine"]).astype(np.int64)
    measures |= np.where(~warning_only & (d.u(Stream.PEN_CRIT) < 0.05), MEASURE_BIT["criticism"], 0)
    measures |= np.where(~warning_only & (d.u(Stream.PEN_CONF) < 0.25), MEASURE_BIT["confiscation"], 0)
    heavy = ~warning_only & (d.u(Stream.PEN_HEAVY) < 0.11)
    heavy_bit = _HEAVY_BITS[pick(d.u(Stream.PEN_HEAVY_KIND), list(_HEAVY_MEASURES.values()))]
    measures |= np.where(heavy, heavy_bit, 0)
    # A fine set under the 从重 principle is also a heavier penalty (44号令 art. 2 (1)).
    aggravated = ~warning_only & ~heavy & (d.u(Stream.PEN_AGGR) < 0.08)
    heavier = heavy | aggravated
    z = d.normal(Stream.PEN_FINE1, Stream.PEN_FINE2)
    median = np.where(heavier, 150_000.0, 5_000.0)
    fine_yuan = np.maximum(500, np.round(median * np.exp(1.1 * z) / 100) * 100).astype(np.int64)
    has_fine = (measures & MEASURE_BIT["fine"]) > 0
    fine = np.where(has_fine, fine_yuan * 100, 0)
    paid = d.u(Stream.PEN_PAID) < np.where(has_fine, 0.78, 0.90)
    lag = np.where(has_fine, 3 + d.below(Stream.PEN_PAID_DAY, 60), d.below(Stream.PEN_PAID_DAY, 10))
    fulfilled = np.where(paid, decided + lag, -1)
    # Restrictions, suspensions and practice bans mostly carry their end (restricted_until): a
    # suspension runs months, a restriction of business or a practice ban years — a ban may run
    # longer than the 3-year listing (domain.md §4).
    restricting = (measures & _RESTRICTING_BITS) > 0
    dated = restricting & (d.u(Stream.PEN_RESTRICT) < 0.8)
    years = np.where((measures & MEASURE_BIT["suspension"]) > 0, 0, 1 + d.below(Stream.PEN_RESTRICT_LEN, 5))
    months = np.where(years == 0, 1 + d.below(Stream.PEN_RESTRICT_LEN, 6), 12 * years)
    restricted = np.where(dated, decided + (months * 365.25 / 12).astype(np.int64), -1)
    # Rarely a penalty is later revoked or annulled by review, court or the bureau (45号令 art. 11).
    revoked = np.where(d.u(Stream.PEN_REVOKE) < 0.01, decided + 20 + d.below(Stream.PEN_REVOKE_DAY, 180), -1)
    return {"decided": decided, "category": category, "measures": measures, "fine": fine,
            "heavier": heavier, "fulfilled": fulfilled, "doc_n": 1 + d.below(Stream.PEN_DOC, 3000),
            "restricted": restricted, "revoked": revoked}


def penalty_slots(ctx: Context, idx: np.ndarray, county: np.ndarray, est: np.ndarray,
                   status: np.ndarray, status_on: np.ndarray) -> Rows | None:
    """Penalties known on night 1: ~3 % of entities, a fifth of them twice, decided since 2024."""
    parts = []
    has = np.zeros(idx.size, dtype=bool)
    for slot in (0, 1):
        d = ctx.hd(idx, Slot.PEN0 + slot)
        u = d.u(Stream.PEN_HAS)
        has = (u < 0.03) if slot == 0 else (has & (u < 0.20))
        lo = np.maximum(est + 30, day(ctx.start.year - 2))
        hi = np.where(status != OPERATING, np.minimum(status_on, ctx.cut1), ctx.cut1)
        ok = has & (hi >= lo)
        if not ok.any():
            continue
        sel = np.flatnonzero(ok)
        sub = ctx.hd(idx[sel], Slot.PEN0 + slot)
        decided = lo[sel] + (sub.u(Stream.PEN_DAY) * (hi[sel] - lo[sel] + 1)).astype(np.int64)
        rows = penalty_attrs(sub, decided)
        rows.update(pos=sel, county=county[sel], serial=idx[sel] * 2 + slot)
        parts.append(rows)
    return concat(parts)


def penalty_table(ctx: Context, r: Rows, cut: int) -> pa.Table:
    year = as_text(year_of(r["decided"]))
    case = joined(words_of(COUNTY_CODE_TEXT[r["county"]]), year, padded(ctx.perm_id(r["serial"]), 10))
    doc = joined(words_of(COUNTY_DOC[r["county"]]), "市监处罚〔", year, "〕", as_text(r["doc_n"]), "号")
    pieces = [pc.if_else(pa.array((r["measures"] & MEASURE_BIT[m]) > 0), m, pa.scalar(None, pa.string()))
              for m in PENALTY_MEASURES]
    measures = joined(*pieces, separator=";", skip_nulls=True)
    shown = np.where(r["fulfilled"] <= cut, r["fulfilled"], -1)  # paid after the cut: not yet known
    revoked = np.where(r["revoked"] <= cut, r["revoked"], -1)   # revoked after the cut: not yet known
    return pa.table({
        "case_no": case, "uscc": pa.array(r["uscc"]).cast(pa.string()), "decided_on": date_text(r["decided"]),
        "doc_no": doc, "category": pa.array(PENALTY_CATEGORIES).take(r["category"]),
        "measures": measures, "fine_amount": money(r["fine"]),
        "heavier": pa.array(np.where(r["heavier"], "true", "false")), "fulfilled_on": date_text(shown),
        "restricted_until": date_text(r["restricted"]), "revoked_on": date_text(revoked),
    })


# ================================================================================================
# Annual reports (年度报告) — domain.md §2
# ================================================================================================
# Share of reports filed within the window, by entity kind: for the last year, and for earlier ones.
_ON_TIME_LAST: Final = per_code(ENTITY_KINDS, {"enterprise": 0.85, "individual": 0.78, "farmer_coop": 0.80})
_ON_TIME: Final = per_code(ENTITY_KINDS, {"enterprise": 0.90, "individual": 0.85, "farmer_coop": 0.86})


def annual_rows(ctx: Context, e: Rows) -> Rows | None:
    """Reports of the last three years with their filing day ("day"), known or not yet filed.

    1 Jan - 30 Jun of the next year is the window (企业信息公示暂行条例 art. 8; 个体工商户 and
    co-ops alike, domain.md §2); filings crowd towards the deadline; some are late; an entity
    files first for its year of establishment, and not after it closed.
    """
    idx, kind = e["idx"], e["kind"]
    est_year = year_of(e["est"])
    closed = e["status"] != OPERATING
    parts = []
    for j, y in enumerate(ctx.report_years):
        last = j == len(ctx.report_years) - 1
        jan1, jun30 = day(y + 1, 1, 1), day(y + 1, 6, 30)
        elig = (est_year <= y) & (~closed | (e["status_on"] >= jan1))
        if not elig.any():
            continue
        sel = np.flatnonzero(elig)
        d = ctx.hd(idx[sel], Slot.AR + j)
        k = kind[sel]
        p_on = (_ON_TIME_LAST if last else _ON_TIME)[k]
        u, v = d.u(Stream.AR_FILE), d.u(Stream.AR_DAY)
        on, late = u < p_on, (u >= p_on) & (u < p_on + 0.05)
        window = jun30 - jan1 + 1
        late_day = np.where(last, jun30 + 1 + (62 * v * v).astype(np.int64), jun30 + 1 + (184 * v).astype(np.int64))
        filed = np.where(on, jan1 + (window * np.sqrt(v)).astype(np.int64), late_day)
        st_on = e["status_on"][sel]
        keep = (on | late) & (~closed[sel] | (filed <= st_on))
        z1, z2 = d.normal(Stream.AR_Z1, Stream.AR_Z2), d.normal(Stream.AR_Z3, Stream.AR_Z4)
        emp = np.where(k == ENTERPRISE, np.floor(np.exp(1.8 + 1.1 * z1)),
                       np.where(k == INDIVIDUAL, 1 + d.below(Stream.AR_IND, 4), 3 + np.floor(np.exp(1.5 + 0.8 * z1))))
        emp = np.clip(emp, 0, 20_000).astype(np.int64)
        per_head = np.exp(np.log(250_000) + 0.9 * z2)
        rev = np.where(k == INDIVIDUAL, np.exp(np.log(200_000) + 0.8 * z2), (emp + 1) * per_head)
        # About 6 % of enterprises publish all-zero financials (a known sampling signal, §7).
        zero = (k == ENTERPRISE) & (d.u(Stream.AR_ZERO) < 0.06)
        rev_c = np.where(zero, 0, np.round(rev * 100)).astype(np.int64)
        tax_c = np.round(rev_c * (0.002 + 0.058 * d.u(Stream.AR_TAX))).astype(np.int64)
        emp = np.where(zero, 0, emp)
        parts.append({"pos": sel[keep], "uscc": e["uscc"][sel][keep], "year": np.full(keep.sum(), y),
                      "day": filed[keep], "emp": emp[keep], "rev": rev_c[keep], "tax": tax_c[keep]})
    rows = concat(parts)
    if rows is None:
        return None
    return take(rows, np.argsort(rows["pos"], kind="stable"))


def annual_table(ctx: Context, r: Rows) -> pa.Table:
    return pa.table({
        "uscc": pa.array(r["uscc"]).cast(pa.string()), "report_year": as_text(r["year"]),
        "filed_on": date_text(r["day"]), "employees": as_text(r["emp"]), "revenue": money(r["rev"]),
        "total_tax": money(r["tax"]),
    })


# ================================================================================================
# Tax credit (纳税缴费信用) and social security (社保) — domain.md §11
# ================================================================================================
_GRADE_WEIGHTS: Final = weights(TAX_GRADES, {"A": 0.31, "B": 0.47, "M": 0.10, "C": 0.10, "D": 0.02})


def tax_rows(ctx: Context, e: Rows) -> Rows | None:
    """Assessment of the last year: A/B/M/C/D about 30/45/10/10/5 %, 非正常户 for ~3 % (then D)."""
    y = ctx.assessed_year
    jan1 = day(y)
    d = ctx.hd(e["idx"], Slot.TAX)
    cover = np.where(e["kind"] == INDIVIDUAL, 0.90, 0.99)
    elig = (year_of(e["est"]) <= y) & ((e["status"] == OPERATING) | (e["status_on"] >= jan1)) \
        & (d.u(Stream.TAX_HAS) < cover)
    if not elig.any():
        return None
    sel = np.flatnonzero(elig)
    d = ctx.hd(e["idx"][sel], Slot.TAX)
    est = e["est"][sel]
    grade = pick(d.u(Stream.TAX_GRADE), _GRADE_WEIGHTS)
    grade = np.where((est >= jan1) & (d.u(Stream.TAX_NEW) < 0.8), GRADE_M, grade)  # M: new entity
    abn_from = np.maximum(day(y - 2), est + 90)
    abn_day = abn_from + (d.u(Stream.TAX_ABN_DAY) * np.maximum(ctx.cut1 - abn_from + 1, 1)).astype(np.int64)
    abnormal = (d.u(Stream.TAX_ABN) < 0.03) & (abn_day <= ctx.cut1)
    grade = np.where(abnormal, GRADE_D, grade)
    p_arr = np.where(grade == GRADE_D, 0.6, np.where(grade == GRADE_C, 0.2, 0.02))
    amount = np.round(np.exp(np.log(20_000) + 1.2 * d.normal(Stream.TAX_ARR1, Stream.TAX_ARR2)) * 100)
    arrears = np.where(d.u(Stream.TAX_ARR) < p_arr, amount, 0).astype(np.int64)
    upd = day(y + 1, 4, 1) + d.below(Stream.TAX_UPD, 30)  # grades are published in April
    upd = np.minimum(np.where(abnormal, np.maximum(upd, abn_day), upd), ctx.cut1)
    return {"pos": sel, "uscc": e["uscc"][sel], "grade": grade,
            "abn": np.where(abnormal, abn_day, -1), "arrears": arrears, "upd": upd}


def tax_table(ctx: Context, r: Rows) -> pa.Table:
    n = nrows(r)
    return pa.table({
        "uscc": pa.array(r["uscc"]).cast(pa.string()),
        "assessed_year": pa.array([str(ctx.assessed_year)] * n, pa.string()),
        "tax_credit_grade": pa.array(TAX_GRADES).take(r["grade"]),
        "abnormal_taxpayer_since": date_text(r["abn"]), "arrears": money(r["arrears"]),
        "updated_on": date_text(r["upd"]),
    })


def social_rows(ctx: Context, e: Rows) -> Rows | None:
    """Three monthly periods per enterprise or co-op registered with social insurance."""
    idx = e["idx"]
    d = ctx.hd(idx, Slot.SOC)
    base = (e["kind"] != INDIVIDUAL) & (d.u(Stream.SOC_HAS) < 0.88)
    if not base.any():
        return None
    sel = np.flatnonzero(base)
    d = ctx.hd(idx[sel], Slot.SOC)
    insured = np.where(d.u(Stream.SOC_ZERO) < 0.15, 0,
                       1 + np.floor(np.exp(np.log(5) + 1.0 * d.normal(Stream.SOC_Z1, Stream.SOC_Z2))))
    insured = np.minimum(insured, 5000).astype(np.int64)
    owing = (insured > 0) & (d.u(Stream.SOC_ARR) < 0.04)
    months_last = np.where(owing, 1 + d.below(Stream.SOC_ARR_M, 6), 0)
    rate = 900 + d.below(Stream.SOC_RATE, 600)  # employer contribution per head and month, yuan
    est, st, st_on = e["est"][sel], e["status"][sel], e["status_on"][sel]
    parts = []
    for j in range(3):
        alive = (est <= ctx.period_start[j]) & ((st == OPERATING) | (st_on > ctx.period_end[j]))
        jd = ctx.hd(idx[sel], Slot.SOC_P + j)
        ins = np.maximum(0, insured + np.where(insured > 0, jd.below(Stream.SOC_JIT, 3) - 1, 0))
        months = np.maximum(0, months_last - (2 - j))
        months = np.where(ins > 0, months, 0)
        parts.append({"pos": sel[alive], "uscc": e["uscc"][sel][alive],
                      "period": np.full(alive.sum(), j), "insured": ins[alive],
                      "arrears": (months * ins * rate * 100)[alive], "months": months[alive]})
    rows = concat(parts)
    if rows is None:
        return None
    return take(rows, np.lexsort((rows["period"], rows["pos"])))


def social_table(ctx: Context, r: Rows) -> pa.Table:
    return pa.table({
        "uscc": pa.array(r["uscc"]).cast(pa.string()), "period": ctx.period_labels.take(r["period"]),
        "insured_count": as_text(r["insured"]), "arrears": money(r["arrears"]),
        "arrears_months": as_text(r["months"]),
    })


# ================================================================================================
# Findings (核查结果) — domain.md §3.1 causes 2-4 and their cures (§3.3)
# ================================================================================================
# Per finding of codes.FINDING_CODES (unreachable, false disclosure, ordered disclosure overdue):
# how often an entity has one, and how often it is cured later.
_FINDING_P: Final = (0.015, 0.0015, 0.003)
_CURE_P: Final = np.array([0.30, 0.40, 0.50])


def finding_rows(ctx: Context, e: Rows) -> Rows | None:
    """Findings of the last ~2.5 years and their cures; "day" is the finding's date."""
    idx = e["idx"]
    d = ctx.hd(idx, Slot.FIND)
    u = d.u(Stream.FIND_HAS)
    cum = np.cumsum(_FINDING_P)
    kind = np.where(u < cum[0], 0, np.where(u < cum[1], 1, np.where(u < cum[2], 2, -1)))
    lo = np.maximum(e["est"] + 180, ctx.cut1 - 900)
    hi = np.where(e["status"] != OPERATING, np.minimum(e["status_on"] - 1, ctx.cut1), ctx.cut1)
    ok = (kind >= 0) & (hi >= lo)
    if not ok.any():
        return None
    sel = np.flatnonzero(ok)
    d = ctx.hd(idx[sel], Slot.FIND)
    k = kind[sel]
    found = lo[sel] + (d.u(Stream.FIND_DAY) * (hi[sel] - lo[sel] + 1)).astype(np.int64)
    cure_day = found + 20 + d.below(Stream.FIND_CURE_DAY, 180)
    cured = (d.u(Stream.FIND_CURE) < _CURE_P[k]) & ((e["status"][sel] == OPERATING) | (cure_day < e["status_on"][sel]))
    county, uscc = e["county"][sel], e["uscc"][sel]
    doc = 1 + d.below(Stream.FIND_DOC, 900)
    first = {"pos": sel, "uscc": uscc, "county": county, "kind": FINDING_CODES[k], "day": found,
             "serial": idx[sel] * 2, "doc_n": doc}
    cure = {"pos": sel[cured], "uscc": uscc[cured], "county": county[cured], "kind": CURE_CODES[k[cured]],
            "day": cure_day[cured], "serial": idx[sel][cured] * 2 + 1, "doc_n": doc[cured] + 1}
    rows = concat([first, cure])
    assert rows is not None
    return take(rows, np.argsort(rows["pos"], kind="stable"))


def finding_table(ctx: Context, r: Rows) -> pa.Table:
    year = as_text(year_of(r["day"]))
    return pa.table({
        "finding_id": joined("F", padded(ctx.perm_id(r["serial"]), 10)),
        "uscc": pa.array(r["uscc"]).cast(pa.string()),
        "kind": pa.array(FINDING_KINDS).take(r["kind"]), "found_on": date_text(r["day"]),
        "doc_no": joined(words_of(COUNTY_DOC[r["county"]]), "市监核〔", year, "〕", as_text(r["doc_n"]), "号"),
        "department": words_of(COUNTY_BUREAU[r["county"]]),
    })


