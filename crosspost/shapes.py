"""The stable JSON shapes of `--json` output (documented in docs/json.md)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crosspost.domain import Attempt, Delivery, Item
from crosspost.item_fields import DECLARED, Form, ItemFields

#: Bump when a key is removed or changes meaning; adding keys does not bump it.
SCHEMA_VERSION = 1


def instant(moment: datetime | None) -> str | None:
    """UTC, ISO 8601 with 'Z': unambiguous for scripts."""
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zone).isoformat()


def item_json(item: Item, zone: ZoneInfo, declared: ItemFields = DECLARED) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item.id}
    for key, name, shown, local_key in _shape_of(declared):
        value = getattr(item, name)
        out[key] = value if shown is None else shown(value)
        if local_key is not None:
            out[local_key] = local(value, zone)
    return out


#: How a value of each form is shown in JSON; a form not listed is shown as it is.
_SHOWN: dict[Form, Callable[[Any], Any]] = {Form.TIME: instant, Form.WORDS: list, Form.TEXTS: dict}


@functools.cache
def _shape_of(
    declared: ItemFields,
) -> tuple[tuple[str, str, Callable[[Any], Any] | None, str | None], ...]:
    """(key, attribute, conversion, key on the wall clock) of each shown field, once:
    every item of a `--json` list goes through it."""
    return tuple(
        (
            str(f.shape),
            f.name,
            _SHOWN.get(f.form),
            f"{f.shape}_local" if f.shape_local else None,
        )
        for f in declared.shown
    )


def delivery_json(delivery: Delivery, zone: ZoneInfo, *, with_item: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": delivery.id,
        "key": delivery.key,
        "item_id": delivery.item.id,
        "channel": delivery.channel,
        "role": delivery.role,
        "step": delivery.step,
        "state": delivery.state,
        "due_at": instant(delivery.due_at),
        "due_at_local": local(delivery.due_at, zone),
        "next_attempt_at": instant(delivery.next_attempt_at),
        "attempts": delivery.attempts,
        "remote_id": delivery.remote_id,
        "url": delivery.remote_url,
        "published_at": instant(delivery.published_at),
        "dry_run": delivery.dry_run,
        "last_error": delivery.last_error,
        "waits_for": delivery.waits_for_id,
        "waits_for_channel": delivery.waits_for_channel,
    }
    if with_item:
        out["kind"] = delivery.item.kind
        out["title"] = delivery.item.title
    if delivery.attempt_history:
        out["history"] = [attempt_json(a) for a in delivery.attempt_history]
    return out


def attempt_json(attempt: Attempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "started_at": instant(attempt.started_at),
        "ended_at": instant(attempt.ended_at),
        "outcome": attempt.outcome,
        "error_class": attempt.error_class,
        "error": attempt.error_message,
        "worker": attempt.worker,
    }
