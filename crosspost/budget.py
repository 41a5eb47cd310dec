"""What a paying platform costs: the month's window, money in words, the hold message.

X charges per use since February 2026 (about $0.015 a post, $0.20 a post carrying a
link, $0.001 a post read back). A channel with `budget_per_month` never sends a post
that would take the month's spend over it: the post is held until the next month
(or until the officer raises the budget), with a message saying the sums.

Amounts are Decimal dollars in the code and whole micro-dollars in the ledger, so
sums are exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from crosspost.clock import local_midnight
from crosspost.i18n import _

MICROS = Decimal(1_000_000)
#: How a post held by the budget's message starts (status counts them by it).
HELD_PREFIX = "held: "


def to_micros(amount: Decimal) -> int:
    return int((amount * MICROS).to_integral_value(rounding=ROUND_HALF_UP))


def from_micros(micros: int) -> Decimal:
    return Decimal(micros) / MICROS


def money(amount: Decimal) -> str:
    """'$0.20', '$4.905', '$12.00': cents always, a third decimal only when it counts."""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if cents == amount:
        return f"${cents:,.2f}"
    return f"${amount.quantize(Decimal('0.001'), rounding=ROUND_HALF_UP):,.3f}"


@dataclass(frozen=True)
class Month:
    """A calendar month in the workspace's time zone, as a UTC window."""

    first_day: date
    #: The first day of the month after, when a held post may go out.
    next_first_day: date
    start: datetime
    end: datetime

    @property
    def name(self) -> str:
        from crosspost.wording import show_month

        return show_month(self.first_day)


def month_of(moment: datetime, zone: ZoneInfo) -> Month:
    """The local calendar month holding `moment`."""
    local = moment.astimezone(zone)
    first = date(local.year, local.month, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Month(first, following, local_midnight(first, zone), local_midnight(following, zone))


@dataclass(frozen=True)
class Verdict:
    """Whether a post fits the month's budget, and the sums that decided it."""

    fits: bool
    cost: Decimal
    spent: Decimal
    budget: Decimal
    month: Month

    def hold_message(self, label: str) -> str:
        # The prefix stays as it is in every language: status counts the held posts by it.
        return HELD_PREFIX + _(
            "this post would cost {cost} on {label} and the budget for {month} is {budget} "
            "({spent} spent); it goes out on {day} when the new month starts, or sooner if "
            "budget_per_month is raised"
        ).format(
            cost=money(self.cost),
            label=label,
            month=self.month.name,
            budget=money(self.budget),
            spent=money(self.spent),
            day=f"{self.month.next_first_day:%Y-%m-%d}",
        )


def judge(cost: Decimal, spent: Decimal, budget: Decimal, month: Month) -> Verdict:
    return Verdict(spent + cost <= budget, cost, spent, budget, month)


def cost_words(cost: Decimal, budget: Decimal | None, spent: Decimal, month: Month) -> str:
    """'about $0.20 ($1.23 of the $5.00 budget spent in December 2026)'."""
    words = _("about {cost}").format(cost=money(cost))
    if budget is None:
        return words
    left = "" if spent + cost <= budget else _("; over the budget: it will be held")
    return _("{words} ({spent} of the {budget} budget spent in {month}{left})").format(
        words=words, spent=money(spent), budget=money(budget), month=month.name, left=left
    )
