"""The nightly grading report (每日信用风险分类报告): one self-contained HTML page per night.

Written to ``<settings.reports_dir>/<night>/index.html`` after the night commits, from what it
committed (so a page never shows a night that was rolled back). Charts are inline SVG and styles are
inline CSS: no JavaScript, no fonts or scripts from the network, so the page opens from a USB
stick on an offline desktop years later without our software. Tier colours follow the local
notices' convention (domain.md §7): the two high-risk tiers in orange/red.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path

import jinja2
import pandas as pd
from sqlalchemy import Connection, Engine, text

from credit import sqlfiles
from credit.config import load_config
from credit.contract.regions import PROVINCE_NAME, full_name
from credit.grading.scheme import TIERS
from credit.settings import Settings

COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}


@dataclass
class ReportData:
    """Everything the page shows; built from the store by :func:`collect`, or by hand in tests."""

    night: date
    config_version: str
    distribution: dict[str, int]
    by_region: pd.DataFrame            # index: region label; columns: A..D counts
    by_industry: pd.DataFrame          # index: industry section; columns: A..D counts
    history: pd.DataFrame              # index: night; columns: A..D counts (recent graded nights)
    moves: pd.DataFrame                # index: night; columns: upgrades, downgrades, new, left
    matrix: pd.DataFrame               # tonight's transitions: index from_grade, columns to_grade
    warnings: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)   # tier → its name (config/grading.yaml)

    def label(self, tier: str) -> str:
        return f"{tier} {self.labels[tier]}" if tier in self.labels else tier


def crosstab(keys: pd.Series, grades: pd.Series, top: int, other: str = "其他") -> pd.DataFrame:
    """Counts per key and tier (vectorised); keys beyond the ``top`` largest are pooled as ``other``."""
    return pooled(pd.crosstab(keys.fillna("未知").astype(str).to_numpy(), grades.astype(str).to_numpy()), top, other)


def pooled(counts: pd.DataFrame, top: int, other: str = "其他") -> pd.DataFrame:
    """A key × tier count table, largest keys first; keys beyond the ``top`` largest pooled as ``other``."""
    counts = counts.reindex(columns=list(TIERS), fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    if len(counts) > top:
        head, tail = counts.iloc[:top], counts.iloc[top:]
        counts = pd.concat([head, pd.DataFrame([tail.sum()], index=[other])])
    return counts


# -- SVG ----------------------------------------------------------------------------------------

def _svg_share_bars(counts: pd.DataFrame, legend: str, width: int = 720, bar: int = 18, label_w: int = 150) -> str:
    """Horizontal 100%-stacked bars, one per row, with the row total at the right."""
    rows = list(counts.iterrows())  # a few dozen rows of an aggregate, not entities
    height = 30 + len(rows) * (bar + 6)
    inner = width - label_w - 80
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    parts.append(legend)
    for i, (label, row) in enumerate(rows):
        y = 28 + i * (bar + 6)
        total = int(row.sum())
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 5}" text-anchor="end" font-size="12">{escape(str(label))}</text>')
        x = float(label_w)
        for t in TIERS:
            w = inner * (int(row[t]) / total) if total else 0.0
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{COLOURS[t]}">'
                             f'<title>{escape(str(label))} {t}: {int(row[t])} ({100 * int(row[t]) / total:.1f}%)</title></rect>')
            x += w
        parts.append(f'<text x="{label_w + inner + 6}" y="{y + bar - 5}" font-size="12">{total:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(data: ReportData, x0: int, y: int) -> str:
    out = []
    for i, t in enumerate(TIERS):
        x = x0 + i * 130
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLOURS[t]}"/>'
                   f'<text x="{x + 16}" y="{y}" font-size="12">{escape(data.label(t))}</text>')
    return "".join(out)


def _svg_history(history: pd.DataFrame, legend: str, width: int = 720, height: int = 220) -> str:
    """Tier shares over recent nights: 100%-stacked columns, oldest left."""
    nights = list(history.index)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" role="img">',
             legend]
    if not nights:
        parts.append('<text x="40" y="60" font-size="12">无历史数据 (no graded nights yet)</text></svg>')
        return "".join(parts)
    slot = (width - 60) / len(nights)
    col = max(4.0, slot * 0.7)
    for i, night in enumerate(nights):
        row = history.loc[night]
        total = int(row.sum())
        x = 40 + i * slot
        y = float(height + 20)
        for t in TIERS:
            h = height * 0.85 * (int(row[t]) / total) if total else 0.0
            y -= h
            if h > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{col:.1f}" height="{h:.1f}" fill="{COLOURS[t]}">'
                             f'<title>{night} {t}: {int(row[t])}</title></rect>')
        parts.append(f'<text x="{x + col / 2:.1f}" y="{height + 34}" font-size="10" text-anchor="middle">'
                     f'{escape(str(night)[5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_moves(moves: pd.DataFrame, width: int = 720, height: int = 160) -> str:
    """Upgrades (tier improved) and downgrades per night as paired columns."""
    nights = list(moves.index)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" role="img">',
             f'<rect x="40" y="2" width="12" height="12" fill="{COLOURS["A"]}"/><text x="56" y="12" font-size="12">升级 upgrades</text>'
             f'<rect x="180" y="2" width="12" height="12" fill="{COLOURS["D"]}"/><text x="196" y="12" font-size="12">降级 downgrades</text>']
    if not nights:
        return "".join(parts) + "</svg>"
    top = max(1, int(moves[["upgrades", "downgrades"]].to_numpy().max()))
    slot = (width - 60) / len(nights)
    col = max(2.0, slot * 0.35)
    for i, night in enumerate(nights):
        x = 40 + i * slot
        for j, (key, colour) in enumerate((("upgrades", COLOURS["A"]), ("downgrades", COLOURS["D"]))):
            v = int(moves.loc[night, key])
            h = (height - 10) * v / top
            parts.append(f'<rect x="{x + j * col:.1f}" y="{height + 20 - h:.1f}" width="{col:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{night} {key}: {v}</title></rect>')
        parts.append(f'<text x="{x + col:.1f}" y="{height + 34}" font-size="10" text-anchor="middle">{escape(str(night)[5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


_TEMPLATE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>企业信用风险分类日报 {{ night }}</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222;max-width:60em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:right}
th{background:#f2f2f2}td.l,th.l{text-align:left}.warn{background:#fff3e0;border-left:4px solid #ef6c00;padding:.5em 1em}
.small{color:#666;font-size:.85em}
</style></head><body>
<h1>企业信用风险分类日报 — {{ night }}</h1>
<p class="small">Credit-risk tiers of {{ total }} operating entities · configuration {{ config_version }} ·
tiers per 国市监信发〔2022〕6号 (A 信用风险低 … D 信用风险高). This page needs no software: open it in any browser.</p>
{% if warnings %}<div class="warn"><b>分布检查警告 (distribution check warnings)</b><ul>
{% for w in warnings %}<li>{{ w }}</li>{% endfor %}</ul></div>{% endif %}
<h2>分类分布 Distribution</h2>
<table><tr><th class="l">tier</th><th>entities</th><th>share</th></tr>
{% for t, label, n, share in dist_rows %}<tr><td class="l">{{ label }}</td><td>{{ "{:,}".format(n) }}</td><td>{{ "%.2f"|format(share) }}%</td></tr>{% endfor %}
</table>
<h2>按地区 By region</h2>{{ region_svg|safe }}
<h2>按行业门类 By industry section (GB/T 4754)</h2>{{ industry_svg|safe }}
<h2>近期分布 Recent nights</h2>{{ history_svg|safe }}
<h2>等级变动 Upgrades and downgrades</h2>{{ moves_svg|safe }}
<h2>今晚的等级迁移 Tonight's transitions</h2>
<p class="small">Rows: previous graded night; columns: tonight; “-” = not graded that night (new, or no longer operating).</p>
<table><tr><th class="l">from \\ to</th>{% for c in matrix_cols %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r, cells in matrix_rows %}<tr><th class="l">{{ r }}</th>{% for v in cells %}<td>{{ "{:,}".format(v) }}</td>{% endfor %}</tr>{% endfor %}
</table>
</body></html>
""")


def render(data: ReportData) -> str:
    """The report page as one HTML string (no external resources)."""
    total = sum(data.distribution.values())
    dist_rows = [(t, data.label(t), data.distribution.get(t, 0), 100 * data.distribution.get(t, 0) / total if total else 0.0)
                 for t in TIERS]
    cols = [c for c in ("-", *TIERS) if c in data.matrix.columns]
    rows = [(str(r), [int(data.matrix.loc[r, c]) for c in cols]) for r in data.matrix.index]
    return _TEMPLATE.render(
        night=data.night.isoformat(), total=f"{total:,}", config_version=data.config_version,
        warnings=data.warnings, dist_rows=dist_rows,
        region_svg=_svg_share_bars(data.by_region, _legend(data, 150, 12)),
        industry_svg=_svg_share_bars(data.by_industry, _legend(data, 150, 12)),
        history_svg=_svg_history(data.history, _legend(data, 40, 12)), moves_svg=_svg_moves(data.moves),
        matrix_cols=cols, matrix_rows=rows,
    )


def collect(conn: Connection, night: date, labels: dict[str, str] | None = None,
            recent: int = 14, top: int = 20) -> ReportData:
    """Gather the report's aggregates for a committed night: crosstabs and history from the store."""
    run = conn.execute(text("select config_version, distribution, warnings from grading_runs where night = :n"),
                       {"n": night}).mappings().one()
    hist_rows = conn.execute(text(
        "select night, distribution from grading_runs where night <= :n order by night desc limit :k"),
        {"n": night, "k": recent}).all()
    history = pd.DataFrame([{**{t: int(d.get(t, 0)) for t in TIERS}, "night": n} for n, d in reversed(hist_rows)],
                           columns=["night", *TIERS]).set_index("night")
    trans = pd.DataFrame(conn.execute(text(
        "select night, from_grade, to_grade, count from grade_transitions "
        "where night in (select night from grading_runs where night <= :n order by night desc limit :k)"),
        {"n": night, "k": recent}).all(), columns=["night", "from_grade", "to_grade", "count"])
    rank = {t: i for i, t in enumerate(TIERS)}
    fr = trans["from_grade"].map(rank)
    to = trans["to_grade"].map(rank)
    trans["upgrades"] = trans["count"].where(to < fr, 0)
    trans["downgrades"] = trans["count"].where(to > fr, 0)
    moves = trans.groupby("night")[["upgrades", "downgrades"]].sum().reindex(history.index, fill_value=0)
    tonight = trans[trans["night"] == night]
    matrix = (tonight.pivot_table(index="from_grade", columns="to_grade", values="count", aggfunc="sum", fill_value=0)
              if len(tonight) else pd.DataFrame())
    order = [c for c in ("-", *TIERS)]
    matrix = matrix.reindex(index=[r for r in order if r in matrix.index], columns=[c for c in order if c in matrix.columns])
    counts = sqlfiles.frame(conn, "grading/report_counts", {"night": night})

    def by(key: str) -> pd.DataFrame:
        if counts.empty:
            return pd.DataFrame(columns=list(TIERS))
        return pooled(counts.pivot_table(index=key, columns="grade", values="n", aggfunc="sum", fill_value=0), top)

    return ReportData(
        night=night, config_version=run["config_version"], distribution={t: int(run["distribution"].get(t, 0)) for t in TIERS},
        by_region=by("region_code").rename(index=_region_label), by_industry=by("section"),
        history=history, moves=moves, matrix=matrix, warnings=list(run["warnings"]), labels=labels or {},
    )


def _region_label(code: str) -> str:
    """'330106 杭州市西湖区' where the division is known to credit.contract.regions, else the code alone."""
    try:
        return f"{code} {full_name(code).removeprefix(PROVINCE_NAME)}"
    except KeyError:
        return code


def page_path(reports_dir: Path, night: date) -> Path:
    """Where the page of ``night`` lives: known before it is written, so the night's record can name it."""
    return Path(reports_dir) / night.isoformat() / "index.html"


def write(data: ReportData, reports_dir: Path) -> Path:
    path = page_path(reports_dir, data.night)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data), encoding="utf-8")
    return path


def write_night_report(engine: Engine, settings: Settings, night: date) -> Path:
    """Write the committed night's page to ``<reports_dir>/<night>/index.html``; returns its path.

    Called after the night's transaction commits, so nothing on the page comes from a night that
    was rolled back. A failure here leaves the night published and only its page missing; calling
    this again for the same night writes the same page.
    """
    cfg = load_config("grading", settings)
    options = cfg.get("report", {}) or {}
    labels = {t: str(v["label"]) for t, v in (cfg.get("tiers") or {}).items()}
    with engine.connect() as conn:
        data = collect(conn, night, labels, recent=int(options.get("recent_nights", 14)),
                       top=int(options.get("top_regions", 20)))
    return write(data, settings.reports_dir)
