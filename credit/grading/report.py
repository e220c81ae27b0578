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
from sqlalchemy import Connection, Engine

from credit import sqlfiles
from credit.config import load_config
from credit.contract.industry import STANDARD as INDUSTRY_STANDARD
from credit.contract.industry import section_label
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
# Every chart has its axes drawn and labelled, its values written on it, and a scale from zero
# (issue 15). Count scales run to a round number at least MIN_COUNT_AXIS, so that one downgrade
# among thousands of entities is a short bar, not a full-height one.
MIN_COUNT_AXIS = 10
FONT = 'font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif"'


def nice_axis(top_value: float, minimum: int = MIN_COUNT_AXIS, ticks: int = 5) -> tuple[int, int]:
    """(axis maximum, tick step) for counts up to ``top_value``: a step of 1, 2 or 5 × 10^k, the
    maximum a multiple of it and at least ``minimum``."""
    top = max(float(top_value), float(minimum), 1.0)
    raw = top / ticks
    magnitude = 10 ** max(0, len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return int(-(-top // step) * step), int(step)


def _text(x: float, y: float, body: object, size: int = 12, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
            f'{escape(str(body))}</text>')


def svg_share_bars(counts: pd.DataFrame, legend: str, width: int = 760, bar: int = 18, label_w: int = 230) -> str:
    """Horizontal 100%-stacked bars, one per row: an x axis of shares 0–100%, each tier's share
    written on its segment where it fits, and the row's number of entities at the right."""
    rows = list(counts.iterrows())  # a few dozen rows of an aggregate, not entities
    top, axis_h = 40, 34
    height = top + len(rows) * (bar + 6) + axis_h
    inner = width - label_w - 90
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" {FONT}>', legend]
    parts.append(_text(label_w + inner + 6, top - 4, "合计（户）", 11))
    base = top + len(rows) * (bar + 6)
    for i, (label, row) in enumerate(rows):
        y = top + i * (bar + 6)
        total = int(row.sum())
        parts.append(_text(label_w - 6, y + bar - 5, label, 12, "end"))
        x = float(label_w)
        for t in TIERS:
            n = int(row[t])
            w = inner * (n / total) if total else 0.0
            if w > 0:
                share = 100 * n / total
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{COLOURS[t]}">'
                             f'<title>{escape(str(label))} {t}：{n:,} 户（{share:.1f}%）</title></rect>')
                if w >= 34:
                    parts.append(_text(x + w / 2, y + bar - 5, f"{share:.0f}%", 10, "middle", ' fill="#fff"'))
            x += w
        parts.append(_text(label_w + inner + 6, y + bar - 5, f"{total:,}"))
    # The x axis: shares from 0 to 100%.
    parts.append(f'<line x1="{label_w}" y1="{base}" x2="{label_w + inner}" y2="{base}" stroke="#444"/>')
    for pct in (0, 25, 50, 75, 100):
        x = label_w + inner * pct / 100
        parts.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="#444"/>')
        parts.append(_text(x, base + 15, f"{pct}%", 10, "middle"))
    parts.append(_text(label_w + inner / 2, base + 30, "各等级占比（%）", 11, "middle"))
    parts.append("</svg>")
    return "".join(parts)


def _legend(data: ReportData, x0: int, y: int) -> str:
    out = []
    for i, t in enumerate(TIERS):
        x = x0 + i * 130
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{COLOURS[t]}"/>'
                   f'<text x="{x + 16}" y="{y}" font-size="12">{escape(data.label(t))}</text>')
    return "".join(out)


def _y_axis(left: float, top: float, height: float, ticks: list[tuple[float, str]], title: str, right: float) -> str:
    """A vertical axis at ``left`` with labelled ticks (fraction of ``height`` from the bottom,
    text), light grid lines to ``right``, and the axis title above it."""
    parts = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="#444"/>',
             f'<line x1="{left}" y1="{top + height}" x2="{right}" y2="{top + height}" stroke="#444"/>',
             _text(left - 40, top - 20, title, 11)]
    for frac, label in ticks:
        y = top + height * (1 - frac)
        if frac > 0:
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left}" y2="{y:.1f}" stroke="#444"/>')
        parts.append(_text(left - 6, y + 4, label, 10, "end"))
    return "".join(parts)


def svg_history(history: pd.DataFrame, legend: str, width: int = 760, height: int = 220) -> str:
    """Tier shares over recent nights: 100%-stacked columns, oldest left, on a 0–100% axis; each
    column's number of graded entities above it and each tier's share on its segment where it fits."""
    nights = list(history.index)
    left, top = 56.0, 60.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{int(top + height + 46)}" '
             f'role="img" {FONT}>', legend]
    if not nights:
        parts.append(_text(left, 70, "尚无历史数据：还没有已分类的批次"))
        parts.append("</svg>")
        return "".join(parts)
    right = width - 10.0
    parts.append(_y_axis(left, top, height, [(f / 100, f"{f}%") for f in (0, 25, 50, 75, 100)], "各等级占比（%）", right))
    slot = (right - left) / len(nights)
    col = max(4.0, slot * 0.7)
    for i, night in enumerate(nights):
        row = history.loc[night]
        total = int(row.sum())
        x = left + i * slot + (slot - col) / 2
        y = top + height
        for t in TIERS:
            n = int(row[t])
            h = height * (n / total) if total else 0.0
            y -= h
            if h > 0:
                share = 100 * n / total
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{col:.1f}" height="{h:.1f}" fill="{COLOURS[t]}">'
                             f'<title>{night} {t}：{n:,} 户（{share:.1f}%）</title></rect>')
                if h >= 13 and col >= 26:
                    parts.append(_text(x + col / 2, y + h / 2 + 4, f"{share:.0f}%", 9, "middle", ' fill="#fff"'))
        parts.append(_text(x + col / 2, top - 2 if total else top + height - 2, f"{total:,}", 9, "middle"))
        parts.append(_text(x + col / 2, top + height + 14, str(night)[5:], 10, "middle"))
    parts.append(_text((left + right) / 2, top + height + 32, "批次日期（月-日）；柱顶数字为当晚分类主体数（户）", 11, "middle"))
    parts.append("</svg>")
    return "".join(parts)


def svg_moves(moves: pd.DataFrame, width: int = 760, height: int = 160) -> str:
    """Upgrades (tier improved) and downgrades per night as paired columns on a count axis from
    zero (:func:`nice_axis`), each column's count written above it."""
    nights = list(moves.index)
    left, top = 56.0, 60.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{int(top + height + 46)}" '
             f'role="img" {FONT}>',
             f'<rect x="{left:.0f}" y="2" width="12" height="12" fill="{COLOURS["A"]}"/>' + _text(left + 16, 12, "升级（等级变好）")
             + f'<rect x="{left + 150:.0f}" y="2" width="12" height="12" fill="{COLOURS["D"]}"/>'
             + _text(left + 166, 12, "降级（等级变差）")]
    if not nights:
        parts.append(_text(left, 70, "尚无历史数据：还没有已分类的批次"))
        return "".join(parts) + "</svg>"
    right = width - 10.0
    axis_max, step = nice_axis(float(moves[["upgrades", "downgrades"]].to_numpy().max()))
    ticks = [(v / axis_max, f"{v:,}") for v in range(0, axis_max + 1, step)]
    parts.append(_y_axis(left, top, height, ticks, "主体数（户）", right))
    slot = (right - left) / len(nights)
    col = max(2.0, slot * 0.35)
    for i, night in enumerate(nights):
        x = left + i * slot + (slot - 2 * col) / 2
        for j, (key, colour, word) in enumerate((("upgrades", COLOURS["A"], "升级"), ("downgrades", COLOURS["D"], "降级"))):
            v = int(moves.loc[night, key])
            h = height * v / axis_max
            parts.append(f'<rect x="{x + j * col:.1f}" y="{top + height - h:.1f}" width="{col:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{night} {word}：{v:,} 户</title></rect>')
            parts.append(_text(x + j * col + col / 2, top + height - h - 3, f"{v:,}", 9, "middle"))
        parts.append(_text(x + col, top + height + 14, str(night)[5:], 10, "middle"))
    parts.append(_text((left + right) / 2, top + height + 32, "批次日期（月-日）", 11, "middle"))
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
<p class="small">在营主体 {{ total }} 户的信用风险分类 · 配置版本 {{ config_version }} ·
分类依据国市监信发〔2022〕6号（A 信用风险低 … D 信用风险高）。本页无需任何软件，用浏览器即可打开。</p>
{% if warnings %}<div class="warn"><b>分类警告（等级分布检查、日历）</b><ul>
{% for w in warnings %}<li>{{ w }}</li>{% endfor %}</ul></div>{% endif %}
<h2>分类分布</h2>
<table><tr><th class="l">等级</th><th>主体数（户）</th><th>占比</th></tr>
{% for t, label, n, share in dist_rows %}<tr><td class="l">{{ label }}</td><td>{{ "{:,}".format(n) }}</td><td>{{ "%.2f"|format(share) }}%</td></tr>{% endfor %}
</table>
<h2>按地区</h2>{{ region_svg|safe }}
<h2>按行业门类（{{ industry_standard }}）</h2>{{ industry_svg|safe }}
<h2>近期各批次分布</h2>{{ history_svg|safe }}
<h2>等级升降</h2>{{ moves_svg|safe }}
<h2>今晚的等级迁移</h2>
<p class="small">行：上一已分类批次的等级；列：今晚的等级；“-”表示该批次未分类（新设，或已不在营）。</p>
<table><tr><th class="l">上次 \\ 今晚</th>{% for c in matrix_cols %}<th>{{ c }}</th>{% endfor %}</tr>
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
        region_svg=svg_share_bars(data.by_region, _legend(data, 230, 12)),
        industry_svg=svg_share_bars(data.by_industry.rename(index=lambda k: section_label(str(k))),
                                     _legend(data, 230, 12)),
        history_svg=svg_history(data.history, _legend(data, 56, 12)), moves_svg=svg_moves(data.moves),
        industry_standard=INDUSTRY_STANDARD,
        matrix_cols=cols, matrix_rows=rows,
    )


def collect(conn: Connection, night: date, labels: dict[str, str] | None = None,
            recent: int = 14, top: int = 20) -> ReportData:
    """Gather the report's aggregates for a committed night: crosstabs and history from the store."""
    run = conn.execute(sqlfiles.statement("grading/run_summary"), {"n": night}).mappings().one()
    hist_rows = conn.execute(sqlfiles.statement("grading/run_history"), {"n": night, "k": recent}).all()
    history = pd.DataFrame([{**{t: int(d.get(t, 0)) for t in TIERS}, "night": n} for n, d in reversed(hist_rows)],
                           columns=["night", *TIERS]).set_index("night")
    trans = pd.DataFrame(conn.execute(sqlfiles.statement("grading/transitions_recent"),
                                      {"n": night, "k": recent}).all(),
                         columns=["night", "from_grade", "to_grade", "count"])
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
    # Stored by the night (credit.grading.counts, issue 11); counted here for a night graded before.
    counts = sqlfiles.frame(conn, "grading/report_counts_stored", {"night": night})
    if counts.empty:
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
    this again for the same night writes the same page: the tier labels and the page's options
    (``report``) come from the grading.yaml the night graded with (``grading_runs.config``), not
    from today's file, which may have changed since (``credit.night.steps.ensure_report`` writes a
    missing page again on a later day). A night graded before grading_runs kept its grading.yaml
    reads ``settings``' grading.yaml, as :func:`credit.grading.read.grade_of` does.
    """
    with engine.connect() as conn:
        stored = conn.execute(sqlfiles.statement("grading/run_config"), {"n": night}).scalar()
        cfg = stored if stored is not None else load_config("grading", settings).data
        options = cfg.get("report", {}) or {}
        labels = {t: str(v["label"]) for t, v in (cfg.get("tiers") or {}).items()}
        data = collect(conn, night, labels, recent=int(options.get("recent_nights", 14)),
                       top=int(options.get("top_regions", 20)))
    return write(data, settings.reports_dir)
