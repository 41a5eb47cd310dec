"""What the posts of an item cost on paying channels (X), against each channel's budget."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from crosspost.budget import cost_words, month_of
from crosspost.cli.context import now
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
    spent = context.store.month_spend(month, totals)
    return [
        f"Cost on {settings.channel_label(channel)} ({channel}): "
        + cost_words(
            cost,
            settings.adapter(channel).budget_per_month,
            spent.get(channel, Decimal(0)),
            month,
        )
        for channel, cost in totals.items()
    ]
