"""Market entities (市场主体) and their registration rows (登记) — domain.md §1.

Every attribute of entity ``i`` is a pure function of ``(seed, i)`` (hash draws of its slot), so
any subset of entities is rebuilt alike; a delta night re-derives the few it touches.
"""

from __future__ import annotations

import hashlib
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credit.sample.cells import Text, as_text, date_text, joined, money
from credit.sample.codes import (
    ENTERPRISE,
    ENTITY_KINDS,
    FARMER_COOP,
    INDIVIDUAL,
    MEASURE_BIT,
    OPERATING,
    REVOKED,
    STATUSES,
    weights,
)
from credit.sample.context import Context, Rows, day
from credit.sample.draw import HashDraw, Slot, Stream, pick
from credit.sample.facts import penalty_slots
from credit.sample.usccs import make_usccs
from credit.sample.words import (
    BRAND_IDS,
    COOP_COUNT,
    COOP_IDS,
    COOP_OFFSET,
    COOP_SUFFIX,
    COUNTY_ADDRESS,
    COUNTY_CODE,
    COUNTY_CODE_TEXT,
    COUNTY_ENTERPRISE_PREFIX,
    COUNTY_INDIVIDUAL_PREFIX,
    EMPTY,
    FORM_SUFFIX,
    INDUSTRY_CODES,
    INDUSTRY_SOLE,
    INDUSTRY_TRADE,
    INDUSTRY_WEIGHTS,
    JI,
    LEGAL_FORMS,
    ROAD_IDS,
    SHOP_COUNT,
    SHOP_IDS,
    SHOP_OFFSET,
    SURNAME_IDS,
    words_of,
)

_KIND_WEIGHTS: Final = weights(ENTITY_KINDS, {"enterprise": 0.40, "individual": 0.55, "farmer_coop": 0.05})
_STATUS_WEIGHTS: Final = weights(STATUSES, {"operating": 0.90, "revoked": 0.03, "cancelled": 0.06,
                                            "moved_out": 0.01})
# Legal forms (企业类型) by position in LEGAL_FORMS: an enterprise draws one of the first four.
_ENT_FORM_WEIGHTS: Final = (0.80, 0.03, 0.12, 0.05)
_JOINT_STOCK: Final = LEGAL_FORMS.index("股份有限公司")
_SOLE: Final = LEGAL_FORMS.index("个人独资企业")
_FORM_INDIVIDUAL: Final = LEGAL_FORMS.index("个体工商户")
_FORM_COOP: Final = LEGAL_FORMS.index("农民专业合作社")
_BLR: Final = MEASURE_BIT["business_licence_revoked"]
_CAPITAL_ROUND: Final = np.array([100_000, 300_000, 500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000,
                                  10_000_000, 20_000_000, 50_000_000, 100_000_000], dtype=np.int64)
_CAPITAL_ROUND_W: Final = (8, 6, 14, 22, 8, 6, 12, 12, 4, 3, 1)


def build_entities(ctx: Context, idx: np.ndarray) -> tuple[Rows, Rows | None]:
    """State of entities `idx` as of night 1, plus their penalties (which can revoke a licence)."""
    idx = np.asarray(idx, dtype=np.int64)
    n = idx.size
    d = ctx.hd(idx, Slot.ENTITY)
    kind = pick(d.u(Stream.KIND), _KIND_WEIGHTS).astype(np.int64)
    county = pick(d.u(Stream.COUNTY), ctx.county_weights).astype(np.int64)
    # Establishment: the population grew roughly exponentially since 1995 (younger for
    # individual businesses); co-ops exist since the 2007 co-operative law.
    lo, hi = day(1995), ctx.cut1 - 1
    span = hi - lo
    lam = np.where(kind == INDIVIDUAL, 0.15, 0.10) / 365.25
    u = d.u(Stream.EST)
    est = lo + np.floor(np.log1p(u * np.expm1(lam * span)) / lam).astype(np.int64)
    coop_lo = day(2007, 7, 1)
    est = np.where(kind == FARMER_COOP, coop_lo + (u * (hi - coop_lo)).astype(np.int64), est)
    est = np.minimum(est, hi)
    born = idx >= ctx.n_base
    if born.any():
        est[born] = ctx.new_est[idx[born] - ctx.n_base]
    form = np.where(kind == ENTERPRISE, pick(d.u(Stream.FORM), _ENT_FORM_WEIGHTS),
                    np.where(kind == INDIVIDUAL, _FORM_INDIVIDUAL, _FORM_COOP))
    industry = np.empty(n, dtype=np.int64)
    for kind_name, division_weights in INDUSTRY_WEIGHTS.items():
        mk = kind == ENTITY_KINDS.index(kind_name)
        industry[mk] = pick(d.u(Stream.INDUSTRY)[mk], division_weights)
    # Registered capital (注册资本 / 出资额 / 资金数额), in cents; -1 = not declared.
    u1, u2, u3 = d.u(Stream.CAPITAL), d.u(Stream.CAPITAL2), d.u(Stream.CAPITAL3)
    round_amt = _CAPITAL_ROUND[pick(u2, _CAPITAL_ROUND_W)]
    odd_amt = (np.floor(10 ** (4.5 + 3 * u3) / 1000) * 1000).astype(np.int64)
    ent_cap = np.where(u1 < 0.85, round_amt, odd_amt)
    ent_cap = np.where(form == _JOINT_STOCK, np.maximum(ent_cap, 5_000_000), ent_cap)  # 股份有限公司
    ent_cap = np.where(form == _SOLE, np.minimum(ent_cap, 1_000_000), ent_cap)  # 个人独资企业 stay small
    ind_cap = np.where(u1 < 0.45, 1000 * (1 + (u3 * 300).astype(np.int64)), -1)
    coop_cap = 10_000 * (5 + (u3 * 495).astype(np.int64))
    capital = np.where(kind == ENTERPRISE, ent_cap, np.where(kind == INDIVIDUAL, ind_cap, coop_cap))
    capital = np.where(capital >= 0, capital * 100, -1)
    # Status as of night 1: a young entity is operating; closures fall after establishment.
    status = pick(d.u(Stream.STATUS), _STATUS_WEIGHTS).astype(np.int64)
    status[(ctx.cut1 - est) < 90] = OPERATING
    room = np.maximum(ctx.cut1 - (est + 30), 0)
    closed = status != OPERATING
    status_on = np.where(closed, est + 30 + (d.u(Stream.STATUS_ON) * (room + 1)).astype(np.int64), -1)
    status_on = np.where(closed, np.minimum(status_on, ctx.cut1), -1)
    if born.any():
        status[born], status_on[born] = OPERATING, -1
    # Penalties: a business licence revoked by penalty (吊销营业执照) makes the entity revoked.
    pen = penalty_slots(ctx, idx, county, est, status, status_on)
    if pen is not None:
        blr = (pen["measures"] & _BLR) > 0
        if blr.any():
            when = np.full(n, np.iinfo(np.int64).max)
            np.minimum.at(when, pen["pos"][blr], pen["decided"][blr])
            hit = when < np.iinfo(np.int64).max
            status[hit], status_on[hit] = REVOKED, when[hit]
    # The registering authority: a city bureau for some enterprises, else the county's.
    authority = np.where((kind == ENTERPRISE) & (d.u(Stream.AUTHORITY) < 0.3), COUNTY_CODE[county] // 100 * 100,
                         COUNTY_CODE[county])
    uscc = make_usccs(ctx, idx, kind, authority, est)
    recent = np.maximum(est, ctx.cut1 - 900)
    updated = np.where(status != OPERATING, status_on,
                       recent + (d.u(Stream.UPDATED) * (ctx.cut1 - recent + 1)).astype(np.int64))
    updated = np.minimum(updated, ctx.cut1)
    shared = d.u(Stream.REP_SHARED) < 0.02
    rep = np.where(shared, (1 << 40) + d.below(Stream.REP_POOL, ctx.rep_pool), idx)
    ent = {"idx": idx, "kind": kind, "county": county, "est": est, "form": form, "industry": industry,
           "capital": capital, "status": status, "status_on": status_on, "updated": updated,
           "uscc": uscc, "rep": rep, "addr_var": np.zeros(n, dtype=np.int64)}
    return ent, pen


def _names(ctx: Context, e: Rows) -> Text:
    """Chinese names: 杭州恒信贸易有限公司, 杭州市西湖区老陈记小吃店, 安吉县禾丰茶叶专业合作社."""
    d = ctx.hd(e["idx"], Slot.ENTITY)
    kind, county, ind, form = e["kind"], e["county"], e["industry"], e["form"]
    b1 = BRAND_IDS[d.below(Stream.BRAND1, len(BRAND_IDS))]
    b2 = BRAND_IDS[d.below(Stream.BRAND2, len(BRAND_IDS))]
    surname = (kind == INDIVIDUAL) & (d.u(Stream.SURNAME_USE) < 0.3)
    b1 = np.where(surname, SURNAME_IDS[d.below(Stream.SURNAME, len(SURNAME_IDS))], b1)
    b2 = np.where(surname, JI, b2)
    shop = SHOP_IDS[SHOP_OFFSET[ind] + d.below(Stream.SHOP, SHOP_COUNT[ind])]
    coop = COOP_IDS[COOP_OFFSET[ind] + d.below(Stream.COOP, COOP_COUNT[ind])]
    prefix = np.where(kind == ENTERPRISE, COUNTY_ENTERPRISE_PREFIX[county], COUNTY_INDIVIDUAL_PREFIX[county])
    sole = form == _SOLE  # 个人独资企业: 杭州恒信商行, no trade word before the ending
    word = np.where(kind == ENTERPRISE, np.where(sole, EMPTY, INDUSTRY_TRADE[ind]),
                    np.where(kind == INDIVIDUAL, shop, coop))
    suffix = np.where(kind == ENTERPRISE, np.where(sole, INDUSTRY_SOLE[ind], FORM_SUFFIX[form]),
                      np.where(kind == INDIVIDUAL, EMPTY, COOP_SUFFIX))
    return joined(words_of(prefix), words_of(b1), words_of(b2), words_of(word), words_of(suffix))


def _addresses(ctx: Context, idx: np.ndarray, county: np.ndarray, variant: np.ndarray) -> Text:
    """浙江省杭州市西湖区文三路123号[5幢1203室]; `variant` > 0 after a change of domicile."""
    ids = (idx.astype(np.uint64) * np.uint64(32) + np.uint64(Slot.ADDR)) * np.uint64(4096) \
        + variant.astype(np.uint64)
    d = HashDraw(ctx.salts, ids)
    road = ROAD_IDS[d.below(Stream.ADDR_ROAD, len(ROAD_IDS))]
    no = 1 + d.below(Stream.ADDR_NO, 899)
    room = d.u(Stream.ADDR_ROOM) < 0.6
    bld = 1 + d.below(Stream.ADDR_BLD, 20)
    flat = (1 + d.below(Stream.ADDR_FLOOR, 25)) * 100 + 1 + d.below(Stream.ADDR_ROOM, 12)
    unit = pc.if_else(pa.array(room), joined(as_text(bld), "幢", as_text(flat), "室"), "")
    return joined(words_of(COUNTY_ADDRESS[county]), words_of(road), as_text(no), "号", unit)


def _rep_hashes(seed: int, rep: np.ndarray) -> Text:
    """legal_rep_hash: hex SHA-256 of a synthetic person id (法定代表人/经营者, never a real id).

    hashlib has no batch interface; one C call per row costs ~0.7 µs, cheaper than a numpy
    SHA-256 would be, so this is the one row-wise comprehension of the generator.
    """
    prefix = b"zj-legal-rep:%d:" % seed
    return pa.array([hashlib.sha256(prefix + b"%d" % r).hexdigest() for r in rep.tolist()], pa.string())


def _timestamps(ctx: Context, e: Rows) -> Text:
    """updated_at as ISO date-time within office hours (08:00-19:59) of the day of the change."""
    d = ctx.hd(e["idx"], Slot.ENTITY)
    secs = 8 * 3600 + d.below(Stream.UPD_TIME, 12 * 3600)
    t = e["updated"].astype("datetime64[D]").astype("datetime64[s]") + secs.astype("timedelta64[s]")
    # A cast is ~50x faster than pc.strftime; it writes "YYYY-MM-DD hh:mm:ss".
    stamps: Text = pc.replace_substring(pa.array(t).cast(pa.string()), " ", "T")
    return stamps


def registration_table(ctx: Context, e: Rows) -> pa.Table:
    return pa.table({
        "uscc": pa.array(e["uscc"]).cast(pa.string()),
        "name": _names(ctx, e),
        "entity_kind": pa.array(ENTITY_KINDS).take(e["kind"]),
        "legal_form": pa.array(LEGAL_FORMS).take(e["form"]),
        "region_code": words_of(COUNTY_CODE_TEXT[e["county"]]),
        "industry_code": pa.array(INDUSTRY_CODES).take(e["industry"]),
        "registered_capital": money(e["capital"], e["capital"] < 0),
        "established_on": date_text(e["est"]),
        "status": pa.array(STATUSES).take(e["status"]),
        "status_on": date_text(e["status_on"]),
        "address": _addresses(ctx, e["idx"], e["county"], e["addr_var"]),
        "legal_rep_hash": _rep_hashes(ctx.seed, e["rep"]),
        "updated_at": _timestamps(ctx, e),
    })

