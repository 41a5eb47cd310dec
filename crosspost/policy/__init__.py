"""The editorial policy: cadence targets, posting slots, quiet times, and the health report.

In crosspost.toml::

    [policy]
    quiet = ["sun", "22:00-07:00"]      # no publication on Sundays, nor at night

    [policy.twitter]
    min_per_week = 3
    max_per_day = 4
    slots = ["tue 12:30", "thu 12:30", "sat 10:00"]

    [policy.blog]
    min_per_month = 2

Days are written mon..sun (or in full, or in French: lun..dim), as ranges
(mon-fri), lists (tue,thu), or `weekdays` / `weekend`. A slot is "[days] HH:MM"
(no days: every day). A quiet time is days, "[days] HH:MM-HH:MM" (it may run
past midnight), or both. Times are wall-clock times in the configured zone.

This module only reads: `--at next` and the warnings of `add` get the times
already taken from the caller, and the health report reads the ledger through
the store's read-only queries.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crosspost.policy.days import EVERY_DAY, Quiet, Slot, parse_days, parse_quiet, parse_slot
    from crosspost.policy.health import (
        ChannelHealth,
        Finding,
        HealthReport,
        Period,
        health_report,
    )
    from crosspost.policy.placement import (
        Load,
        apply_policy,
        load_around,
        next_free_slot,
        place_batch,
        place_next,
        slot_times,
        time_warnings,
    )
    from crosspost.policy.rules import ChannelPolicy, Policy, load_policy, validate_policy

#: Where each name lives: a name is imported on first use, so reading the settings
#: (crosspost/config.py validates [policy] through .rules) does not import the
#: health report, and with it most of what `crosspost health` needs.
_HOMES = {
    "EVERY_DAY": "days",
    "Quiet": "days",
    "Slot": "days",
    "parse_days": "days",
    "parse_quiet": "days",
    "parse_slot": "days",
    "ChannelHealth": "health",
    "Finding": "health",
    "HealthReport": "health",
    "Period": "health",
    "health_report": "health",
    "Load": "placement",
    "apply_policy": "placement",
    "load_around": "placement",
    "next_free_slot": "placement",
    "place_batch": "placement",
    "place_next": "placement",
    "slot_times": "placement",
    "time_warnings": "placement",
    "ChannelPolicy": "rules",
    "Policy": "rules",
    "load_policy": "rules",
    "validate_policy": "rules",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)


__all__ = [
    "EVERY_DAY",
    "ChannelHealth",
    "ChannelPolicy",
    "Finding",
    "HealthReport",
    "Load",
    "Period",
    "Policy",
    "Quiet",
    "Slot",
    "apply_policy",
    "health_report",
    "load_around",
    "load_policy",
    "next_free_slot",
    "parse_days",
    "parse_quiet",
    "parse_slot",
    "place_batch",
    "place_next",
    "slot_times",
    "time_warnings",
    "validate_policy",
]
