"""Working days (工作日) and legal time limits — domain.md §12.

- A period never counts its start day (民法典 art. 201): "within N WD after X" ends on the N-th
  working day after X.
- Working days exclude weekends and statutory holidays and **include** make-up working days
  (调休上班日) of the State Council's yearly notice.
- "N日" outside the listed working-day clauses is calendar days; a calendar period whose last day
  is a rest day ends on the next working day (民法典 art. 203; weekends roll over too unless the
  config says otherwise, domain.md §12).
- Months and years end on the corresponding day of the end month, or that month's last day when
  there is no such day (民法典 art. 202): 3 years from 2024-02-29 end on 2027-02-28.
- A year whose official schedule is unknown to us is refused (:class:`UnknownCalendarYear`),
  never guessed; ``config/calendar.yaml`` adds a year the day its notice is published.
"""

from __future__ import annotations

import calendar as _cal
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

import chinese_calendar
import numpy as np

from credit.config import ConfigError, load_config
from credit.settings import Settings, get_settings

LIBRARY_YEARS = range(2004, 2027)
_EPOCH = date(1970, 1, 1).toordinal()   # datetime64[D] counts days from it  # chinesecalendar 1.11.0 carries 2004–2026 (stack-notes §4)


#: The holidays 全国年节及纪念日放假办法 art. 2 (as revised on 2024-11-10, domain.md §12) fixes by
#: date: 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October. Whatever a year's notice makes of its
#: lunar holidays and make-up days, these are days off: a provisional count never ends on one (a
#: count across the year end gave 1 January), and a year entered in calendar.yaml must keep them off.
FIXED_DAYS_OFF = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


class UnknownCalendarYear(LookupError):
    """A working-day question about a year whose official holiday schedule we do not have."""

    def __init__(self, year: int):
        super().__init__(
            f"{year} 年的节假日安排尚未公布或未录入，不能计算工作日期限 "
            f"(the official {year} holiday schedule is not known; add it to config/calendar.yaml "
            "when the State Council publishes it)"
        )
        self.year = year


@dataclass(frozen=True)
class WorkingCalendar:
    """The working days of every known year, as data."""

    version: str
    years: frozenset[int]
    working: np.ndarray  # sorted datetime64[D] of all working days in the known years
    rest: frozenset[date] = field(default_factory=frozenset)  # statutory holidays, weekend ones included
    roll_over_weekends: bool = True

    # -- single dates ---------------------------------------------------------------------------
    def _check(self, d: date) -> None:
        if d.year not in self.years:
            raise UnknownCalendarYear(d.year)

    def _first_unknown_year(self, year: int) -> int:
        """The first year from ``year`` on whose schedule is not known."""
        while year in self.years:
            year += 1
        return year

    def _check_span(self, first: date, last: date) -> None:
        """Refuse a count from ``first`` to ``last`` that needs a year not known, also one hidden
        between two known years (a later year entered in calendar.yaml before the one in between):
        such a count would skip that year's days as if it had none (domain.md §12)."""
        gap = self._first_unknown_year(min(first, last).year)
        if max(first, last).year >= gap:
            raise UnknownCalendarYear(gap)

    def known_until(self, d: date) -> date:
        """The last day of the unbroken run of known years from ``d``'s year (refused when that year
        is not known): how far a working-day count from ``d`` can go."""
        self._check(d)
        return date(self._first_unknown_year(d.year) - 1, 12, 31)

    def is_working_day(self, d: date) -> bool:
        self._check(d)
        i = np.searchsorted(self.working, np.datetime64(d, "D"))
        return bool(i < len(self.working) and self.working[i] == np.datetime64(d, "D"))

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (start not counted); n ≥ 1. The same answer and the
        same refusals as :meth:`add_working_days_many` for one date, without its arrays: a first
        night's penalty windows ask it about 34,000 times at 1 M entities (140 µs a date through the
        arrays, about 2 s; ``tests/unit/calendar/test_calendar_config.py`` compares the two)."""
        if n < 1:
            raise ValueError("a working-day period has at least one day")
        self._check(start)
        days = self._working_days
        i = bisect_right(days, start.toordinal() - _EPOCH) + (n - 1)
        if i >= len(days):
            raise UnknownCalendarYear(date.fromordinal(days[-1] + _EPOCH).year + 1)
        end = date.fromordinal(days[i] + _EPOCH)
        self._check_span(start, end)   # never through an unknown year hidden between known ones
        return end

    @cached_property
    def _working_days(self) -> list[int]:
        """:attr:`working` as days since 1970-01-01, for :func:`bisect.bisect_right`."""
        days: list[int] = self.working.astype("int64").tolist()
        return days

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many of a period's days have run by ``end``."""
        self._check(start)
        self._check(end)
        self._check_span(start, end)
        s = np.datetime64(start, "D")
        e = np.datetime64(end, "D")
        return int(np.searchsorted(self.working, e, "right") - np.searchsorted(self.working, s, "right"))

    def end_of_calendar_period(self, start: date, days: int) -> date:
        """Last day of an "N日" period from ``start`` (start not counted), rolled past rest days."""
        end = start + timedelta(days=days)
        return self.roll_forward(end)

    def roll_forward(self, d: date) -> date:
        """``d`` if it is not a rest day, else the next working day (民法典 art. 203)."""
        if not self.roll_over_weekends:
            # Only a known year can say whether a day is a statutory rest day: an unknown year is
            # refused here too, never read as "no holidays" (domain.md §12).
            self._check(d)
            while d in self.rest:
                d += timedelta(days=1)
                self._check(d)
            return d
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    # -- many dates at once (nightly batches) ---------------------------------------------------
    def add_working_days_many(self, starts: np.ndarray, n: int) -> np.ndarray:
        """Vectorised :meth:`add_working_days` over a datetime64[D] array."""
        starts = np.asarray(starts, dtype="datetime64[D]")
        years = starts.astype("datetime64[Y]").astype(int) + 1970
        for y in np.unique(years):
            self._check(date(int(y), 1, 1))
        pos = np.searchsorted(self.working, starts, "right") + (n - 1)
        if len(pos) and pos.max() >= len(self.working):
            last = self.working[-1].astype(date)
            raise UnknownCalendarYear(last.year + 1)
        out = self.working[pos]
        # A deadline must not run through an unknown year, also one hidden between known ones.
        end_years = out.astype("datetime64[Y]").astype(int) + 1970
        for y in np.unique(years):
            gap = self._first_unknown_year(int(y))
            if (end_years[years == y] >= gap).any():
                raise UnknownCalendarYear(gap)
        return out


def add_months(d: date, months: int) -> date:
    """Corresponding day ``months`` later, or the end month's last day (民法典 art. 202)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _cal.monthrange(year, month)[1]))


def add_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def _library_days(year: int) -> tuple[list[date], set[date]]:
    """A year's working days and statutory rest days from chinesecalendar's own tables.

    Read from its ``holidays`` and ``workdays`` maps (the same data ``is_workday`` reads), not day by
    day through the API: a make-up working day (调休) carries the holiday's name too, so a name alone
    does not make a rest day.
    """
    holidays = {d for d in chinese_calendar.holidays if d.year == year}
    makeup = {d for d in chinese_calendar.workdays if d.year == year}
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366 if _cal.isleap(year) else 365)]
    working = [d for d in days if d in makeup or (d.weekday() < 5 and d not in holidays)]
    # A statutory holiday is a rest day whatever the weekday (e.g. Sat 2026-10-03, National Day).
    return working, holidays


def _year_entry(year: int, entry: object, path: str) -> tuple[set[date], set[date]]:
    """(holidays, make-up working days) of a year entered in calendar.yaml, refused (:class:`ConfigError`)
    when the entry cannot be the State Council's notice for that year: it names no notice, a day of
    another year, a make-up working day that is not a Saturday or Sunday, a day both off and on, or a
    day the law fixes off (:data:`FIXED_DAYS_OFF`) as a working day. Such an entry made the year
    "known" with its holidays missing (``2027: {}`` read as a year of weekends only), and every
    working-day deadline in it a hard date where the rule is never to guess (domain.md §12)."""
    where = f"{path}: years: {year}"
    if not isinstance(entry, dict) or not str(entry.get("notice") or "").strip():
        raise ConfigError(f"{where}: 应写明所依据的国务院办公厅节假日安排通知 (notice) "
                          f"(name the State Council notice the entry copies under 'notice')")
    out: list[set[date]] = []
    for key in ("holidays", "workdays"):
        raw = entry.get(key) or []
        if not isinstance(raw, list):
            raise ConfigError(f"{where}: {key} 应为日期列表 ({key} must be a list of dates YYYY-MM-DD)")
        got: set[date] = set()
        for x in raw:
            try:
                d = x if isinstance(x, date) else date.fromisoformat(str(x))
            except ValueError:
                raise ConfigError(f"{where}: {key} 中的 {x!r} 不是日期 (not a date YYYY-MM-DD)") from None
            if d.year != year:
                raise ConfigError(f"{where}: {key} 中的 {d.isoformat()} 不属于 {year} 年 "
                                  f"({d.isoformat()} is not a day of {year})")
            if key == "workdays" and d.weekday() < 5:
                raise ConfigError(f"{where}: 调休上班日 {d.isoformat()} 不是周六或周日 "
                                  f"(a make-up working day is a Saturday or Sunday; {d.isoformat()} is a weekday)")
            got.add(d)
        out.append(got)
    holidays, workdays = out
    for d in sorted(holidays & workdays):
        raise ConfigError(f"{where}: {d.isoformat()} 同时列为放假和上班 (listed both as a holiday and as a working day)")
    for m, n in FIXED_DAYS_OFF:
        d = date(year, m, n)
        if d in workdays or (d.weekday() < 5 and d not in holidays):
            raise ConfigError(f"{where}: {d.isoformat()} 为法定节假日（全国年节及纪念日放假办法第二条），应列为放假日 "
                              f"({d.isoformat()} is a statutory holiday by date: list it under holidays, "
                              "never under workdays; domain.md §12)")
    return holidays, workdays


@lru_cache(maxsize=4)
def _build(config_dir: str, stamp: tuple[int, int]) -> WorkingCalendar:
    doc = load_config("calendar", Settings(config_dir=Path(config_dir)))
    working: list[date] = []
    rest: set[date] = set()
    years: set[int] = set()
    overrides = {int(y): v for y, v in (doc.get("years") or {}).items()}
    for year in sorted(set(LIBRARY_YEARS) | set(overrides)):
        if year in overrides:
            holidays, workdays = _year_entry(year, overrides[year], str(Path(config_dir) / "calendar.yaml"))
            days = [date(year, 1, 1) + timedelta(days=i) for i in range(366 if _cal.isleap(year) else 365)]
            w = [d for d in days if (d.weekday() < 5 and d not in holidays) or d in workdays]
            # The days the law fixes off are statutory rest days on a weekend too, listed or not
            # (民法典 art. 203 rolls past them whatever roll_over_weekends says).
            r = set(holidays) | {date(year, m, n) for m, n in FIXED_DAYS_OFF}
        else:
            w, r = _library_days(year)
        working += w
        rest |= r
        years.add(year)
    arr = np.array(sorted(working), dtype="datetime64[D]")
    return WorkingCalendar(doc.version, frozenset(years), arr, frozenset(rest),
                           bool(doc.get("roll_over_weekends", True)))


def working_calendar(settings: Settings | None = None) -> WorkingCalendar:
    """The calendar of the configured years.

    Cached per configuration file version (modification time and size), so a long-running server
    or worker picks up a newly published year without a restart.
    """
    settings = settings or get_settings()
    st = (Path(settings.config_dir) / "calendar.yaml").stat()
    return _build(str(settings.config_dir), (st.st_mtime_ns, st.st_size))
