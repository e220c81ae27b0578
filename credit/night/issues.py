"""What stops a night or is noted about it: the night's refusals and warnings, one sentence per rule.

A refusal stops the night before anything is published (exit 2, yesterday's state unchanged);
a warning is recorded with the night's summary and changes nothing. The drop's own refusals
(manifest, checksums, encodings) are :data:`credit.contract.manifest.REFUSALS`; the reasons a
single row is held back are :data:`credit.night.quarantine.REASONS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from credit.issues import Issue, Text, issue

NIGHT_TEXTS: dict[str, Text] = {
    # The night's place in the sequence (nights are published one calendar day after another).
    "night_already_published": Text(
        "批次 {night} 已于此前发布，但本次清单与已发布的不同",
        "night already published from another drop: {published} ≠ {digest}"),
    "night_out_of_order": Text(
        "批次 {night} 早于已发布的最新批次 {latest}，增量不能倒序加载", "nights are published in order"),
    "night_gap": Text(
        "上一批次 {missing} 尚未发布；跳过它会永久丢失其中的变更",
        "night {missing} is not published yet; run it first, or confirm with --allow-gap that the "
        "platform delivered nothing for the missing nights"),
    "night_gap_delivered": Text(
        "交付目录中已有被跳过的批次 {nights}（含 manifest.json）：--allow-gap 仅用于平台未交付数据的批次，"
        "请先按顺序运行这些批次；若某批次被拒绝且平台无法重新交付，可加 --skip-night 日期 确认放弃该批次"
        "（其变更随之丢失，除非后续全量快照包含；记入本批次记录）",
        "--allow-gap would skip night(s) {nights_en} that the drop folder holds (with a manifest): it is "
        "only for nights the platform delivered nothing for; run them first. A night refused that the "
        "platform cannot deliver again is given up with --skip-night DATE (its changes are lost unless a "
        "later full snapshot carries them; recorded with this night)"),
    "night_skip_needs_gap": Text(
        "--skip-night {nights} 须与 --allow-gap 同用：放弃已交付的批次即确认此前的缺口",
        "--skip-night {nights} needs --allow-gap: giving up a delivered night confirms the gap before this one"),
    "night_skip_not_in_gap": Text(
        "--skip-night {nights}：不是本批次 {night} 与最新已发布批次 {latest} 之间、交付目录中已有的批次，无可放弃",
        "--skip-night {nights}: not a night the drop folder holds between the latest published night "
        "{latest} and night {night}; nothing to give up"),
    "night_in_future": Text(
        "批次 {night} 晚于今天 {today}（{zone}）：该日尚未开始，不可能有其数据，请核对日期",
        "night {night} is after today {today} ({zone}): the day has not begun, so no drop can hold it; "
        "check the date"),
    "night_before_first": Text(
        "批次 {night} 早于本库的首个批次 {first}（quality.yaml first_night）", "night before the store's first night"),
    "staging_mismatch": Text("待发布的结果不属于本次清单（校验和 {sha256}），请重新运行该批次",
                             "the ingested outcome is not this drop's: run the night again"),
    "staging_missing": Text("本次清单（{digest}）的中间结果不在暂存表中，请重新运行该批次",
                            "the drop's ingested rows are not staged (or no longer: a server crash empties "
                            "the staging): run the night again"),
    "partition_missing": Text("区域分区 {partition}/{count}（分区方案 {plan}）的结果未暂存，请重新运行该分区",
                              "a region partition's results are not staged for this drop and plan: run the "
                              "partition again"),
    "partition_stale": Text("区域分区 {partition}/{count} 的结果是按另一配置或程序版本计算的（暂存时：{staged}；现行：{current}），"
                            "请重新运行该分区",
                            "a region partition's results were staged under another configuration or code revision "
                            "(staged: {staged}; now: {current}): run the partition again"),
    # One file's verdict.
    "critical_expectation": Text("{expectation}：{zh}", "{expectation}: {en}"),
    "rows_add_up": Text("行数不守恒 {rows_in} ≠ {accepted} + {quarantined}",
                        "rows in are not accepted plus quarantined"),
    "quarantine_ceiling": Text("隔离比例 {share:.1%}（{rows_in} 行中 {quarantined} 行）超过上限 {ceiling:.0%}",
                               "quarantined share {share:.1%} ({quarantined} of {rows_in} rows) above the "
                               "ceiling {ceiling:.0%}"),
    "full_snapshot_shrink": Text(
        "全量快照仅 {accepted} 行，少于现有 {current} 行的 {min_share:.0%}，疑似截断；"
        "如确属实际缩减，请以 --accept-shrink {source} 确认",
        "full snapshot much smaller than current state; if the source truly shrank, confirm with "
        "--accept-shrink {source}"),
    # Warnings: noted with the night, nothing held back.
    "full_snapshot_shrink_accepted": Text(
        "全量快照仅 {accepted} 行（现有 {current} 行），经操作员确认（--accept-shrink {source}）按实际缩减发布",
        "full snapshot smaller than the current state, published as a genuine shrink confirmed with "
        "--accept-shrink {source}"),
    "full_snapshot_shrink_small": Text(
        "全量快照仅 {accepted} 行（现有 {current} 行）：来源行数过少，不按比例判断截断，已按实际缩减发布，请核对",
        "full snapshot smaller than the current state; too small a source to judge by its share, "
        "published as a shrink: check it"),
    "empty_full_snapshot": Text("全量文件为空", "a full snapshot with no rows"),
    "organisation_code": Text("{count} 个代码第17位组织机构代码校验不符（仅记录）",
                              "{count} codes fail the organisation-code check of position 17 (logged only)"),
}


#: The quality gate's refusal again at publish, once the rows older than the store's are known
#: (credit.night.ingest.hold_stale_night): the same rule, naming the rows the gate did not see.
CEILING_WITH_STALE = Text(
    "隔离比例 {share:.1%}（{rows_in} 行中 {quarantined} 行，其中 {stale} 行在发布时因早于库中该记录或缺少更新时间而隔离）"
    "超过上限 {ceiling:.0%}",
    "quarantined share {share:.1%} ({quarantined} of {rows_in} rows, {stale} of them held back at publish as "
    "older than the stored row or without a stamp) above the ceiling {ceiling:.0%}")


def ceiling_refused(file: str, *, share: float, ceiling: float, quarantined: int, rows_in: int,
                    stale: int = 0) -> Issue:
    """``quarantine_ceiling``: the file's quarantined share passes its ceiling; with ``stale``, the
    rows of it held back at publish (:data:`CEILING_WITH_STALE`)."""
    texts = {"quarantine_ceiling": CEILING_WITH_STALE} if stale else NIGHT_TEXTS
    return issue(texts, "quarantine_ceiling", "refusal", file, line=None, share=share, ceiling=ceiling,
                 quarantined=quarantined, rows_in=rows_in, stale=stale)


def refused(file: str, code: str, **params: object) -> Issue:
    return issue(NIGHT_TEXTS, code, "refusal", file, line=None, **params)


def warned(file: str, code: str, **params: object) -> Issue:
    return issue(NIGHT_TEXTS, code, "warning", file, line=None, **params)


class NightRefused(Exception):
    """The night stops before publishing (exit 2); each issue names the file and the rule."""

    def __init__(self, night: date, issues: Sequence[Issue]):
        super().__init__("; ".join(i.text() for i in issues))
        self.night, self.issues = night, list(issues)
