"""`[sequences.KIND]` in crosspost.toml: the posts an item of that kind makes over its life.

[sequences.event]
announce = "-14d"                       # the item's own post, when --at is not given
reminders = ["-3d", "-1d", "morning"]
recap = "+1d"                           # a note to the officer after it ends...
recap_to = "officer"                    # ...on this channel
cancel_notice = true                    # cancelling it after it went out says so
morning = "09:00"

[sequences.event.templates]
"-1d" = "Demain : {title} à {time}"

[sequences.event.channels.blog]         # per channel: any of the keys above
reminders = []
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crosspost.errors import CrosspostError
from crosspost.sequences.offsets import StepOffset, parse_offset
from crosspost.sequences.texts import check_template


def _offset(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError('expected a quoted offset like "-14d", "-1d 18:00" or "morning"')
    try:
        return parse_offset(value).name
    except CrosspostError as exc:
        raise ValueError(str(exc)) from None


def _offsets(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError('expected a list of offsets like ["-3d", "-1d", "morning"]')
    names = [_offset(v) for v in value]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ValueError(f"{', '.join(doubled)} given twice")
    return names


def _templates(value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError('expected a table like { "-1d" = "Demain : {title}" }')
    out = {}
    for step, template in value.items():
        name = _step_name(str(step))
        if not isinstance(template, str):
            raise ValueError(f'{step}: expected a text like "Demain : {{title}}"')
        try:
            out[name] = check_template(template, str(step))
        except CrosspostError as exc:
            raise ValueError(str(exc)) from None
    return out


def _step_name(step: str) -> str:
    from crosspost.sequences.texts import CANCELLED, CLOSED, RECAP

    if step in (CANCELLED, CLOSED, RECAP):
        return step
    try:
        return parse_offset(step, after=step.strip().startswith("+")).name
    except CrosspostError as exc:
        raise ValueError(f"{exc}, or cancelled, closed, recap") from None


class ChannelSequence(BaseModel):
    """`[sequences.KIND.channels.NAME]`: what differs on one channel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    announce: str | None = None
    reminders: list[str] | None = None
    cancel_notice: bool | None = None
    templates: dict[str, str] = Field(default_factory=dict)

    _check_announce = field_validator("announce", mode="before")(_offset)
    _check_reminders = field_validator("reminders", mode="before")(_offsets)
    _check_templates = field_validator("templates", mode="before")(_templates)


class SequenceSettings(BaseModel):
    """`[sequences.KIND]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: What the offsets count from (default: event_start, a job's deadline).
    anchor: Literal["event_start", "deadline"] | None = None
    announce: str | None = None
    #: None: the kind's default (none, a job's "last days" post).
    reminders: list[str] | None = None
    recap: str | None = None
    recap_to: str | None = None
    #: None: the kind's default (on, off for a job, whose deadline closes it instead).
    cancel_notice: bool | None = None
    morning: str = "09:00"
    templates: dict[str, str] = Field(default_factory=dict)
    channels: dict[str, ChannelSequence] = Field(default_factory=dict)

    _check_announce = field_validator("announce", mode="before")(_offset)
    _check_reminders = field_validator("reminders", mode="before")(_offsets)
    _check_templates = field_validator("templates", mode="before")(_templates)

    @field_validator("recap", mode="before")
    @classmethod
    def _after(cls, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse_offset(str(value), after=True).name
        except CrosspostError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("morning")
    @classmethod
    def _clock(cls, value: str) -> str:
        from crosspost.when import clock_setting

        return clock_setting(value)


@dataclass(frozen=True)
class ChannelSteps:
    """The sequence of one kind on one channel, resolved."""

    announce: StepOffset | None
    reminders: tuple[StepOffset, ...]
    cancel_notice: bool
    templates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sequence:
    """The sequence of one kind, with what each channel changes."""

    kind: str
    anchor: str
    morning: time
    default: ChannelSteps
    per_channel: dict[str, ChannelSteps]
    recap: StepOffset | None = None
    recap_to: str | None = None

    def on(self, channel: str) -> ChannelSteps:
        return self.per_channel.get(channel, self.default)


#: A job offer's "last days" post: three days before its deadline, in the morning (a
#: deadline given as a date alone closes that evening; 23:59 is no time to post).
JOB_REMINDERS = ("-3d 10:00",)


def resolve(kind: str, raw: SequenceSettings | None) -> Sequence | None:
    """The sequence items of `kind` follow (a job has its "last days" post by default)."""
    from crosspost.when import parse_clock

    job = kind == "job"
    if raw is None:
        if not job:
            return None
        raw = SequenceSettings()
    anchor = raw.anchor or ("deadline" if job else "event_start")
    reminders = raw.reminders if raw.reminders is not None else list(JOB_REMINDERS if job else ())
    default = ChannelSteps(
        announce=parse_offset(raw.announce) if raw.announce else None,
        reminders=tuple(parse_offset(r) for r in reminders),
        cancel_notice=raw.cancel_notice if raw.cancel_notice is not None else not job,
        templates=dict(raw.templates),
    )
    per_channel = {
        name: ChannelSteps(
            announce=parse_offset(c.announce) if c.announce else default.announce,
            reminders=(
                tuple(parse_offset(r) for r in c.reminders)
                if c.reminders is not None
                else default.reminders
            ),
            cancel_notice=default.cancel_notice if c.cancel_notice is None else c.cancel_notice,
            templates={**default.templates, **c.templates},
        )
        for name, c in raw.channels.items()
    }
    return Sequence(
        kind=kind,
        anchor=anchor,
        morning=parse_clock(raw.morning),
        default=default,
        per_channel=per_channel,
        recap=parse_offset(raw.recap, after=True) if raw.recap else None,
        recap_to=raw.recap_to,
    )
