"""`add --repeat` and `edit --series`: recurring events, one item per occurrence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crosspost.cli.context import now, say
from crosspost.i18n import _, ngettext


def add_series(context: Any, fields: dict[str, Any], repeat: str, base_dir: Path) -> None:
    """Queue a recurring event: its series and the occurrences within the horizon."""
    from dataclasses import replace

    from crosspost.errors import InputError
    from crosspost.media import keep_image
    from crosspost.sequences.recurrence import parse_recurrence
    from crosspost.sequences.series import accept_occurrences, series_fields
    from crosspost.when import parse_moment

    settings = context.settings
    zone, moment = settings.zone, now()

    def local_time(name: str) -> Any:
        text = fields.get(name)
        if not text:
            return None
        try:
            return parse_moment(str(text), zone, now=moment, default_time=settings.default_time)
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None

    if "at" in fields:
        raise InputError(
            _(
                "at: a recurring event announces each date by its sequence (announce = ...), "
                "or a week before; --at cannot be one time for every date"
            )
        )
    start, end = local_time("event_start"), local_time("event_end")
    try:
        recurrence = parse_recurrence(repeat, event_start=start, zone=zone, now=moment)
    except InputError as exc:
        raise InputError(f"repeat: {exc}") from None
    kept = series_fields(fields, start, end)
    horizon = moment + settings.file.series_horizon
    batch = accept_occurrences(
        settings, recurrence, kept, now=moment, after=moment, until=horizon,
        skip=set(), base_dir=base_dir,
    )  # fmt: skip
    if not batch:
        raise InputError(
            _(
                "repeat: no date of {repeat!r} falls in the next {days} days (series_horizon)"
            ).format(repeat=repeat, days=settings.file.series_horizon.days)
        )
    image = keep_image(batch[0].item, settings).image_path
    if image:
        kept["image"] = image
    series_id = context.store.add_series(
        rule=recurrence.rule,
        start_local=recurrence.start.isoformat(sep=" ", timespec="minutes"),
        until_local=recurrence.until.isoformat() if recurrence.until else None,
        fields=kept,
        generated_until=horizon,
    )
    items = [
        (replace(a.item, series_id=series_id, image_path=image), a.plan.deliveries) for a in batch
    ]
    ids = context.store.add_items(items)
    from crosspost.wording import show_local

    days = settings.file.series_horizon.days
    say(
        ngettext(
            "Queued series {id}: {count} date of «{title}» ({rule}); "
            "the next ones as they come within {days} days",
            "Queued series {id}: {count} dates of «{title}» ({rule}); "
            "the next ones as they come within {days} days",
            len(ids),
        ).format(
            id=series_id,
            count=len(ids),
            title=batch[0].item.title,
            rule=recurrence.rule,
            days=days,
        )
    )
    for item_id, accepted in zip(ids, batch, strict=True):
        steps = len(accepted.plan.deliveries)
        posts = ngettext("{count} post", "{count} posts", steps).format(count=steps)
        when = show_local(accepted.item.event_start, zone)
        say(_("  item {id}  {when}  {posts}").format(id=item_id, when=when, posts=posts))


def edit_series(context: Any, item_id: int, given: dict[str, Any], edit_one: Any) -> None:
    """Change a series from one of its occurrences: the series and every date to come.

    Cancelled dates stay cancelled (the exceptions are kept), dates already past stay.
    """
    from crosspost.errors import CrosspostError, InputError
    from crosspost.sequences.series import OWN_FIELDS

    record = context.store.get_item(item_id)
    series_id = record.item.series_id
    if series_id is None:
        raise InputError(
            _("--series: item {id} is not one date of a recurring event").format(id=item_id)
        )
    moved = sorted(set(given) & set(OWN_FIELDS))
    if moved:
        raise InputError(
            _(
                "--series: {fields} belong to one date; edit that date alone "
                "(without --series) to move it"
            ).format(fields=", ".join(moved))
        )
    series = context.store.get_series(series_id)
    context.store.set_series(series_id, fields={**series.fields, **given})
    moment = now()
    say(_("Series {id} updated; its dates to come:").format(id=series_id))
    for occurrence, (other_id, status) in sorted(series.occurrences.items()):
        item = context.store.get_item(other_id).item
        if status != "active" or item.event_start is None or item.event_start <= moment:
            continue
        try:
            edit_one(other_id, given)
        except CrosspostError as exc:
            say(
                _("  item {id} ({occurrence}): left as is ({error})").format(
                    id=other_id, occurrence=occurrence, error=exc
                )
            )
