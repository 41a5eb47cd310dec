"""What the posts of an item cost on paying channels (X), against each channel's budget."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from crosspost.budget import cost_words, money, month_of
from crosspost.cli.context import now
from crosspost.i18n import _, ngettext

if TYPE_CHECKING:
    # Only named in annotations: `status` shows the spend without rendering previews.
    from crosspost.preview import ChannelPreview


def cost_lines(context: Any, previews: Iterable[ChannelPreview]) -> list[str]:
    """One line per paying channel: "Cost on X (x): about $0.20 ($1.23 of the $5.00 ...)"."""
    totals: dict[str, Decimal] = {}
    for result in previews:
        if result.cost > 0:
            totals[result.channel] = totals.get(result.channel, Decimal(0)) + result.cost
    if not totals:
        return []
    settings = context.settings
    month = month_of(now(), settings.zone)
    spent = context.reader.month_spend(month, totals)
    return [
        _("Cost on {label} ({channel}): {cost}").format(
            label=settings.channel_label(channel),
            channel=channel,
            cost=cost_words(
                cost,
                settings.adapter(channel).budget_per_month,
                spent.get(channel, Decimal(0)),
                month,
            ),
        )
        for channel, cost in totals.items()
    ]


def spend_report(context: Any) -> list[dict[str, Any]]:
    """This month's spend of each paying channel (live X), for status and health."""
    settings = context.settings
    # Read from the settings, without building adapters (status must stay quick): a
    # platform that charges has prices; a dry-run channel sends nothing, so costs nothing.
    paying = [
        name
        for name, channel in settings.channels.items()
        if channel.mode == "live" and hasattr(channel, "price_per_post")
    ]
    if not paying:
        return []
    month = month_of(now(), settings.zone)
    spent = context.store.month_spend(month, paying)
    report = []
    for name in paying:
        budget = getattr(settings.channels[name], "budget_per_month", None)
        report.append(
            {
                "channel": name,
                "month": f"{month.first_day:%Y-%m}",
                "spent": spent.get(name, Decimal(0)),
                "budget": budget,
                "bill": context.store.spend_lines(month, name),
                "held": context.store.held_for_budget(name) if budget is not None else 0,
                "until": month.next_first_day,
                "month_name": month.name,
            }
        )
    return report


def spend_lines(report: list[dict[str, Any]], label: Callable[[str], str]) -> list[str]:
    """'Spent on X (x) in December 2026: $0.045 of the $0.05 budget (3 posts, 8 reads)'."""
    lines = []
    for row in report:
        budget = row["budget"]
        of = _(" of the {budget} budget").format(budget=money(budget)) if budget is not None else ""
        bill = ", ".join(
            _counted(units, what) for what, (units, _amount) in sorted(row["bill"].items())
        )
        line = _("Spent on {label} ({channel}) in {month}: ").format(
            label=label(row["channel"]), channel=row["channel"], month=row["month_name"]
        )
        line += f"{money(row['spent'])}{of}" + (f" ({bill})" if bill else "")
        if row["held"]:
            line += ngettext(
                "; {count} post held until {day}", "; {count} posts held until {day}", row["held"]
            ).format(count=row["held"], day=f"{row['until']:%Y-%m-%d}")
        lines.append(line)
    return lines


def spend_json(report: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "channel": row["channel"],
            "month": row["month"],
            "spent": str(row["spent"]),
            "budget": None if row["budget"] is None else str(row["budget"]),
            "held": row["held"],
            "bill": {what: {"units": u, "amount": str(a)} for what, (u, a) in row["bill"].items()},
        }
        for row in report
    ]


def _counted(units: int, what: str) -> str:
    """The bill's kinds of charge as counted nouns ('3 posts read back')."""
    if what == "post":
        text = ngettext("{count} post", "{count} posts", units)
    elif what == "post with a link":
        text = ngettext("{count} post with a link", "{count} posts with a link", units)
    elif what == "read":
        text = ngettext("{count} post read back", "{count} posts read back", units)
    elif what == "reserved":
        text = ngettext(
            "{count} post of unknown outcome", "{count} posts of unknown outcome", units
        )
    elif what == "post (answer lost)":
        text = ngettext(
            "{count} post found after a lost answer",
            "{count} posts found after a lost answer",
            units,
        )
    else:
        text = "{count} " + what
    return text.format(count=units)
