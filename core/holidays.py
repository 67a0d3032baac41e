"""The statutory holidays of a year, derived from the law when no official schedule is known.

全国年节及纪念日放假办法 (as amended by 国务院令第793号, in force from 2025-01-01), 第二条:

- 元旦 1 day (1 January);
- 春节 4 days (农历除夕 and 正月初一至初三);
- 清明节 1 day (the day of the solar term 清明);
- 劳动节 2 days (1 and 2 May);
- 端午节 1 day (农历五月初五);
- 中秋节 1 day (农历八月十五);
- 国庆节 3 days (1 to 3 October).

第六条: a holiday of all citizens that falls on a Saturday or Sunday is made up on a working day.
The State Council decides which day each year (usually with 调休 swaps that cannot be foretold);
until it has, this module gives the day off on the first following weekday that is neither a
holiday nor already given to another holiday day. The result is therefore provisional: the deadline
engine marks it so and staff replace it with the State Council's arrangement when it is published.

Lunar dates and the solar term come from lunar-python (a maintained calendar library), never from
a hand-made table.
"""

from datetime import date, timedelta

from django.utils.translation import gettext_lazy
from lunar_python import Lunar, Solar

NEW_YEAR = gettext_lazy("元旦")
SPRING_FESTIVAL = gettext_lazy("春节")
TOMB_SWEEPING = gettext_lazy("清明节")
LABOUR_DAY = gettext_lazy("劳动节")
DRAGON_BOAT = gettext_lazy("端午节")
MID_AUTUMN = gettext_lazy("中秋节")
NATIONAL_DAY = gettext_lazy("国庆节")


def qingming(year: int) -> date:
    """The day of the solar term 清明 in `year` (4, 5 or 6 April), from lunar-python."""
    for day in range(3, 7):
        if Solar.fromYmd(year, 4, day).getLunar().getJieQi() == "清明":
            return date(year, 4, day)
    raise ValueError(f"no 清明 found in April {year}")  # cannot happen for 1900–2100


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def festival_days(year: int) -> dict[date, str]:
    """The holidays of 放假办法 第二条 in `year`: {day: festival name}.

    13 days; fewer when two festivals share a day (中秋 on 3 October 2028), which is then named
    after both ("中秋节、国庆节") and counted once: the law gives no extra day for it.
    """
    new_year = _lunar(year, 1, 1)  # 正月初一 of the lunar year beginning in `year`
    pairs = [(date(year, 1, 1), NEW_YEAR)]
    pairs += [(new_year + timedelta(days=offset), SPRING_FESTIVAL) for offset in range(-1, 3)]
    pairs.append((qingming(year), TOMB_SWEEPING))
    pairs += [(date(year, 5, day), LABOUR_DAY) for day in (1, 2)]
    pairs.append((_lunar(year, 5, 5), DRAGON_BOAT))
    pairs.append((_lunar(year, 8, 15), MID_AUTUMN))
    pairs += [(date(year, 10, day), NATIONAL_DAY) for day in (1, 2, 3)]
    days: dict[date, list[str]] = {}
    for day, name in pairs:
        days.setdefault(day, []).append(str(name))
    return {day: "、".join(names) for day, names in sorted(days.items())}


def statutory_days_off(year: int) -> dict[date, tuple[str, bool]]:
    """Every day off `year` gets from the law alone, besides ordinary weekends.

    {day: (festival name, is_make_up)}: the festival days themselves, and for each festival day
    on a Saturday or Sunday (第六条) a make-up day off, the first later weekday that is not a
    festival day and not already a make-up day. A make-up day stays in `year` (no festival falls
    late enough in December to push one into the next year).

    Not cached here: a WorkCalendar keeps each year's result for its own lifetime (one batch of
    computations), so nothing outlives a change of the holiday table or of the language.
    """
    festivals = festival_days(year)
    days: dict[date, tuple[str, bool]] = {day: (name, False) for day, name in festivals.items()}
    for day, name in festivals.items():
        if day.weekday() < 5:
            continue
        make_up = day + timedelta(days=1)
        while make_up.weekday() >= 5 or make_up in days:
            make_up += timedelta(days=1)
        days[make_up] = (name, True)
    return dict(sorted(days.items()))
