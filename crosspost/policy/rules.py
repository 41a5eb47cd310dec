"""The `[policy]` table of crosspost.toml, validated into per-channel rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from crosspost.errors import ConfigError
from crosspost.i18n import _
from crosspost.policy.days import Quiet, Slot, parse_quiet, parse_slot

if TYPE_CHECKING:
    from crosspost.config import Settings

# ---------------------------------------------------------------- the settings


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _slot_text(value: str) -> str:
    parse_slot(value)
    return value


def _quiet_text(value: str) -> str:
    parse_quiet(value)
    return value


#: Checked one by one, so an error names the entry: policy.twitter.slots[2].
SlotText = Annotated[str, AfterValidator(_slot_text)]
QuietText = Annotated[str, AfterValidator(_quiet_text)]


class ChannelPolicyIn(BaseModel):
    """A `[policy.CHANNEL]` table as written in crosspost.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: At least this many posts each week (Monday to Sunday, local time).
    min_per_week: int | None = Field(default=None, ge=1, le=700)
    #: At least this many posts each calendar month.
    min_per_month: int | None = Field(default=None, ge=1, le=3000)
    #: Never more than this many posts on one local day.
    max_per_day: int | None = Field(default=None, ge=1, le=100)
    #: Preferred posting times, filled in order by `add --at next`.
    slots: list[SlotText] = Field(default_factory=list)
    #: Quiet times of this channel only (the `[policy] quiet` ones apply too).
    quiet: list[QuietText] = Field(default_factory=list)

    _lists = field_validator("slots", "quiet", mode="before")(_as_list)


class GlobalPolicyIn(BaseModel):
    """The `quiet` key of `[policy]` itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quiet: list[QuietText] = Field(default_factory=list)

    _lists = field_validator("quiet", mode="before")(_as_list)


@dataclass(frozen=True)
class ChannelPolicy:
    """What the policy asks of one channel (every field optional)."""

    channel: str
    min_per_week: int | None = None
    min_per_month: int | None = None
    max_per_day: int | None = None
    slots: tuple[Slot, ...] = ()
    #: The global quiet times followed by the channel's own.
    quiet: tuple[Quiet, ...] = ()

    def quiet_at(self, local: datetime) -> Quiet | None:
        """The quiet time `local` falls in, if any."""
        return next((q for q in self.quiet if q.covers(local)), None)

    @property
    def has_targets(self) -> bool:
        return bool(self.min_per_week or self.min_per_month)

    def targets_text(self) -> str:
        """'3 per week', '2 per month', or both joined."""
        parts = []
        if self.min_per_week:
            parts.append(_("{count} per week").format(count=self.min_per_week))
        if self.min_per_month:
            parts.append(_("{count} per month").format(count=self.min_per_month))
        return _(" and ").join(parts)


@dataclass(frozen=True)
class Policy:
    """The whole `[policy]` table, checked."""

    quiet: tuple[Quiet, ...] = ()
    channels: Mapping[str, ChannelPolicy] = field(default_factory=dict)

    def of(self, channel: str) -> ChannelPolicy:
        """A channel's policy; one without its own table still keeps the global quiet times."""
        return self.channels.get(channel) or ChannelPolicy(channel, quiet=self.quiet)


def validate_policy(settings: Settings) -> None:
    """Config-loading hook: refuse a bad `[policy]`, naming the file, the key and what is wanted."""
    load_policy(settings)


def load_policy(settings: Settings) -> Policy:
    """The checked policy of these settings (cheap: parsed again on each call)."""
    from crosspost.config import describe_validation_error

    path = settings.path
    raw = dict(settings.policy_raw)
    declared = ", ".join(sorted(settings.channels)) or "none"
    try:
        top = GlobalPolicyIn.model_validate({"quiet": raw.pop("quiet", [])})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path, prefix=("policy",))) from None
    quiet = tuple(parse_quiet(q) for q in top.quiet)
    channels: dict[str, ChannelPolicy] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"{path}: policy.{name}: unknown key; [policy] holds `quiet` and one "
                f"[policy.CHANNEL] table per channel (declared channels: {declared})"
            )
        if name not in settings.channels:
            raise ConfigError(
                f"{path}: policy.{name}: no channel named {name!r}; declared: {declared}"
            )
        try:
            checked = ChannelPolicyIn.model_validate(table)
        except ValidationError as exc:
            raise ConfigError(
                describe_validation_error(exc, path, prefix=("policy", name))
            ) from None
        channels[name] = ChannelPolicy(
            channel=name,
            min_per_week=checked.min_per_week,
            min_per_month=checked.min_per_month,
            max_per_day=checked.max_per_day,
            slots=tuple(parse_slot(s) for s in checked.slots),
            quiet=quiet + tuple(parse_quiet(q) for q in checked.quiet),
        )
        _check_consistent(channels[name], f"{path}: policy.{name}")
    return Policy(quiet=quiet, channels=channels)


def _check_consistent(policy: ChannelPolicy, where: str) -> None:
    """Targets that no schedule could meet are a config error, not a daily failed report."""
    for number, slot in enumerate(policy.slots, start=1):
        for day in sorted(slot.days):
            # 2024-01-01 was a Monday: any date with the right weekday will do.
            probe = datetime.combine(date(2024, 1, 1) + timedelta(days=day), slot.clock)
            rule = policy.quiet_at(probe)
            if rule is not None:
                raise ConfigError(
                    f"{where}.slots[{number}]: {slot.text!r} falls in the quiet time "
                    f"{rule.text!r}; move the slot or the quiet time"
                )
    if policy.max_per_day and policy.min_per_week and policy.max_per_day * 7 < policy.min_per_week:
        raise ConfigError(
            f"{where}: min_per_week = {policy.min_per_week} cannot be met with "
            f"max_per_day = {policy.max_per_day} ({policy.max_per_day * 7} a week at most)"
        )
