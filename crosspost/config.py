"""crosspost.toml -> validated settings: channels, routes, time zone, database, publisher.

Lookup order: --config PATH, $CROSSPOST_CONFIG, ./crosspost.toml, then the user
config directory. Any error names the file, the key and what was expected, and
nothing runs.
"""

from __future__ import annotations

import os
import threading
import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from channels.base import Channel, ChannelSettings
from crosspost.config_file import CONFIG_NAME, ENV_CONFIG, locate, user_config_path
from crosspost.domain import BUILTIN_KINDS
from crosspost.errors import ConfigError, CrosspostError
from crosspost.i18n import _
from crosspost.language import Language, from_environment, using
from crosspost.secrets import SecretSource
from crosspost.sequences.settings import Sequence, SequenceSettings
from crosspost.typography import Typography

#: Overrides `database` (so a PostgreSQL password can stay out of the file).
ENV_DATABASE = "CROSSPOST_DATABASE_URL"


def _duration(value: Any) -> timedelta:
    from crosspost.when import parse_duration

    if isinstance(value, timedelta):
        return value
    if value == 0 and not isinstance(value, bool):
        return timedelta(0)  # nothing is nothing in any unit
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A bare number could be minutes, hours or days: say which rather than guess.
        raise ValueError(
            _(
                '{value} has no unit; expected a quoted duration like "30m", '
                '"6h" or "1d" (m minutes, h hours, d days, w weeks)'
            ).format(value=value)
        )
    if not isinstance(value, str):
        raise ValueError(_('expected a duration like "30m", "6h" or "1d"'))
    try:
        return parse_duration(value)
    except CrosspostError as exc:
        raise ValueError(str(exc)) from None


class Route(BaseModel):
    """A `[[routes]]` table: which items go where, and what announces them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: One kind, a list of kinds, or "*" for every kind.
    kind: str | list[str]
    #: When given, the item must carry at least one of these tags.
    tags: list[str] = Field(default_factory=list)
    to: list[str] = Field(default_factory=list)
    #: Shift from the item's publish time (e.g. "30m").
    offset: timedelta = timedelta(0)
    #: Channels that announce the first `to` channel's post, with its link.
    announce: list[str] = Field(default_factory=list)
    #: Delay between that post going out and its announcements.
    announce_offset: timedelta = timedelta(0)
    #: Which `to` channel's URL the announcements carry (default: the first).
    announce_from: str | None = None

    _parse_offsets = field_validator("offset", "announce_offset", mode="before")(_duration)

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.kind,) if isinstance(self.kind, str) else tuple(self.kind)

    def matches(self, kind: str, tags: tuple[str, ...]) -> bool:
        if "*" not in self.kinds and kind not in self.kinds:
            return False
        if self.tags:
            wanted = {t.casefold() for t in self.tags}
            return any(t.casefold() in wanted for t in tags)
        return True


class PublisherSettings(BaseModel):
    """`[publisher]`: how the daemon and cron passes publish."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Publications running at once.
    workers: int = Field(default=8, ge=1, le=256)
    #: Attempts before a transient error becomes a failure.
    max_attempts: int = Field(default=6, ge=1, le=100)
    #: First retry delay, doubled each time up to retry_cap (with jitter).
    retry_base: timedelta = timedelta(seconds=30)
    retry_cap: timedelta = timedelta(hours=1)
    #: How long a claim holds before another publisher may take the delivery back.
    lease: timedelta = timedelta(minutes=5)
    #: Safety sweep interval (the daemon also wakes exactly at the next due time).
    sweep: timedelta = timedelta(minutes=1)
    #: Bound on waiting for in-flight publications at shutdown.
    shutdown_grace: timedelta = timedelta(seconds=30)

    _parse = field_validator(
        "retry_base", "retry_cap", "lease", "sweep", "shutdown_grace", mode="before"
    )(_duration)


class ReviewSettings(BaseModel):
    """`[review]`: drafts from members' feeds and proposals, before they are routed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: A draft waiting longer than this makes `health` and `status` ask for a decision.
    remind_after: timedelta = timedelta(days=2)
    #: Appended to the text of an approved item that came from a member ("" for none);
    #: {source} is the member's name.
    credit: str = "via {source}"

    _parse = field_validator("remind_after", mode="before")(_duration)

    @field_validator("credit")
    @classmethod
    def _one_placeholder(cls, value: str) -> str:
        try:
            value.format(source="x")
        except (KeyError, IndexError, ValueError):
            raise ValueError(
                'expected text with {source} as its only placeholder, e.g. "via {source}"'
            ) from None
        return value


class FeedSettings(BaseModel):
    """`[feeds]`: how members' feeds are pulled (`crosspost feeds add` lists them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: How often the daemon pulls every feed (cron: `crosspost feeds pull`).
    pull_every: timedelta = timedelta(hours=1)
    #: Bound on connecting, and on each wait for bytes, per feed.
    timeout: timedelta = timedelta(seconds=20)
    #: A feed larger than this is refused (a member's feed is a few hundred kB).
    max_bytes: int = Field(default=5_000_000, ge=10_000, le=200_000_000)
    #: Posts older than this when first seen are remembered, not drafted (a first pull
    #: of a blog brings its whole archive page).
    max_age: timedelta = timedelta(days=30)
    #: How far ahead a calendar's events are read (repeating events never end).
    look_ahead: timedelta = timedelta(days=90)

    _parse = field_validator("pull_every", "timeout", "max_age", "look_ahead", mode="before")(
        _duration
    )

    @field_validator("pull_every", "timeout", "look_ahead")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("expected a duration above zero")
        return value


class FileSettings(BaseModel):
    """The shape of crosspost.toml itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    #: "fr" or "en": the language of messages (default: the locale's, from LANG and co.).
    language: Language | None = None
    #: "fr" (narrow no-break spaces, 14 h 30, dates without this year) or "none";
    #: default: "fr" when the language is French.
    typography: Typography | None = None
    database: str = "sqlite:///crosspost.db"
    organisation: str | None = None
    #: NAME=value file holding credentials (must be mode 0600).
    secrets_file: str | None = None
    #: Kinds beyond the built-in event, scoop, article, job, announcement.
    kinds: list[str] = Field(default_factory=list)
    #: Time used when `--at` gives a date only.
    default_time: str = "09:00"
    #: A delivery found later than this after its due time is skipped and reported.
    max_lateness: timedelta = timedelta(hours=6)
    channels: dict[str, dict[str, Any]] = Field(default_factory=dict)
    routes: list[Route] = Field(default_factory=list)
    publisher: PublisherSettings = Field(default_factory=PublisherSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)
    feeds: FeedSettings = Field(default_factory=FeedSettings)
    #: Cadence targets and slots, validated by crosspost.policy.
    policy: dict[str, Any] = Field(default_factory=dict)
    #: Per kind: the announcement, reminders and notices an item makes (crosspost.sequences).
    sequences: dict[str, SequenceSettings] = Field(default_factory=dict)
    #: How far ahead a recurring event's occurrences are queued (the daemon keeps it so).
    series_horizon: timedelta = timedelta(days=90)

    _parse = field_validator("max_lateness", "series_horizon", mode="before")(_duration)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; expected an IANA name like Europe/Paris"
            ) from None
        return value

    @field_validator("default_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        from crosspost.when import clock_setting

        return clock_setting(value)

    @field_validator("kinds")
    @classmethod
    def _kind_names(cls, value: list[str]) -> list[str]:
        for kind in value:
            if not kind or not kind.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"kind names are single words (letters, digits, - or _): {kind!r}")
        return value


class Settings:
    """Everything the application needs from crosspost.toml, resolved and checked."""

    def __init__(self, path: Path, raw: FileSettings, channels: dict[str, ChannelSettings]):
        self.path = path
        self.base_dir = path.parent
        self.file = raw
        self.zone = ZoneInfo(raw.timezone)
        self.language: Language = raw.language or from_environment()
        self.typography: Typography = raw.typography or ("fr" if self.language == "fr" else "none")
        self.channels = channels
        self.routes = raw.routes
        self.publisher = raw.publisher
        self.review = raw.review
        self.feeds = raw.feeds
        self.max_lateness = raw.max_lateness
        self.organisation = raw.organisation
        self.policy_raw = raw.policy
        self._sequences: dict[str, Sequence | None] = {}
        self._adapters: dict[str, Channel] = {}
        self._adapters_lock = threading.Lock()

    @property
    def kinds(self) -> tuple[str, ...]:
        return BUILTIN_KINDS + tuple(k for k in self.file.kinds if k not in BUILTIN_KINDS)

    @property
    def default_time(self) -> time:
        from crosspost.when import parse_clock

        return parse_clock(self.file.default_time)

    @property
    def database_url(self) -> str:
        url = os.environ.get(ENV_DATABASE) or self.file.database
        return resolve_sqlite_path(url, self.base_dir)

    def sequence(self, kind: str) -> Sequence | None:
        """The posts an item of `kind` makes over its life (None: just its own)."""
        if kind not in self._sequences:
            from crosspost.sequences.settings import resolve

            self._sequences[kind] = resolve(kind, self.file.sequences.get(kind))
        return self._sequences[kind]

    def secrets(self) -> SecretSource:
        if not self.file.secrets_file:
            return SecretSource(None)
        return SecretSource(self._resolve(self.file.secrets_file))

    def adapter(self, name: str) -> Channel:
        """The adapter of channel `name`, built once per Settings and shared by threads
        (exports render thousands of posts; publishers reuse it for every attempt)."""
        from channels.registry import build

        with self._adapters_lock:
            adapter = self._adapters.get(name)
            if adapter is None:
                channel = self.channels.get(name)
                if channel is None:
                    raise ConfigError(f"the channel {name!r} is no longer in {self.path.name}")
                adapter = self._adapters[name] = build(name, channel, self.secrets())
            return adapter

    def channel_label(self, name: str) -> str:
        settings = self.channels.get(name)
        if settings is None:
            return name
        if settings.label:
            return settings.label
        from channels.registry import adapter_class

        return adapter_class(settings.type).default_label

    def _resolve(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path


def resolve_sqlite_path(url: str, base_dir: Path) -> str:
    """Make a relative SQLite path relative to the config file, not the current directory.

    A SQLite URI filename (`sqlite:///file:ledger.db?mode=ro&uri=true`, SQLAlchemy's
    form) keeps its `file:` and its query; only its path is resolved.
    """
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix) :]
        if rest.startswith("file:"):
            path, mark, query = rest[len("file:") :].partition("?")
            if path and not path.startswith(("/", ":")):
                path = str((base_dir / path).resolve())
            return f"{prefix}file:{path}{mark}{query}"
        if rest and rest != ":memory:" and not rest.startswith(":"):
            return prefix + str((base_dir / rest).resolve())
    return url


# ---------------------------------------------------------------- finding and loading


def find_config(explicit: Path | None) -> Path:
    """The config file to use, by the documented lookup order."""
    found = locate(explicit)
    if found is None:
        raise ConfigError(
            _(
                "no {name} found (looked for ./{name} and {user}); "
                "run `crosspost init` to create one, or pass --config PATH"
            ).format(name=CONFIG_NAME, user=user_config_path())
        )
    origin, path = found
    if origin == "option" and not path.exists():
        raise ConfigError(_("the config file {path} does not exist").format(path=path))
    if origin == "environment" and not path.exists():
        raise ConfigError(
            _("${variable} points to {path}, which does not exist").format(
                variable=ENV_CONFIG, path=path
            )
        )
    return path


def load_settings(explicit: Path | None) -> Settings:
    path = find_config(explicit)
    settings = parse_settings(path.read_bytes(), path)
    # A secrets file others can read is refused before anything runs, even when the
    # environment holds every value: the file's secrets are exposed all the same.
    settings.secrets()
    return settings


def parse_settings(content: bytes, path: Path) -> Settings:
    """Validate the text of a crosspost.toml read from `path`."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    # The file's own language says what its refusals are written in (durations, slots).
    chosen = data.get("language") if isinstance(data, dict) else None
    with using(chosen if chosen in ("fr", "en") else from_environment()):
        try:
            raw = FileSettings.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path)) from None
        channels = _validate_channels(raw, path)
        _check_routes(raw, channels, path)
        _check_sequences(raw, channels, path)
        settings = Settings(path.resolve(), raw, channels)
        _check_policy(settings)
    return settings


def _validate_channels(raw: FileSettings, path: Path) -> dict[str, ChannelSettings]:
    from channels.registry import settings_class

    channels: dict[str, ChannelSettings] = {}
    for name, table in raw.channels.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: channels.{name}: expected a table [channels.{name}]")
        type_name = table.get("type")
        if not type_name:
            raise ConfigError(f'{path}: channels.{name}.type: missing; e.g. type = "static-blog"')
        try:
            model = settings_class(str(type_name))
        except ConfigError as exc:
            raise ConfigError(f"{path}: channels.{name}.type: {exc}") from None
        try:
            channels[name] = model.model_validate(
                table, context={"base_dir": path.resolve().parent}
            )
        except ValidationError as exc:
            raise ConfigError(
                describe_validation_error(exc, path, prefix=("channels", name))
            ) from None
    return channels


def _check_routes(raw: FileSettings, channels: dict[str, ChannelSettings], path: Path) -> None:
    kinds = set(BUILTIN_KINDS) | set(raw.kinds)
    known_channels = ", ".join(sorted(channels)) or "none declared"
    for number, route in enumerate(raw.routes, start=1):
        where = f"{path}: routes[{number}]"
        for kind in route.kinds:
            if kind != "*" and kind not in kinds:
                raise ConfigError(
                    f"{where}.kind: unknown kind {kind!r}; expected one of "
                    f"{', '.join(sorted(kinds))} (declare new ones in `kinds = [...]`)"
                )
        if not route.to:
            raise ConfigError(f"{where}.to: expected at least one channel")
        for key, names in (("to", route.to), ("announce", route.announce)):
            for name in names:
                if name not in channels:
                    raise ConfigError(
                        f"{where}.{key}: no channel named {name!r}; declared: {known_channels}"
                    )
        overlap = set(route.to) & set(route.announce)
        if overlap:
            raise ConfigError(
                f"{where}: {', '.join(sorted(overlap))} is both in `to` and in `announce`; "
                "an item goes to a channel once"
            )
        if route.announce_from is not None and route.announce_from not in route.to:
            raise ConfigError(
                f"{where}.announce_from: expected one of the `to` channels ({', '.join(route.to)})"
            )
        _check_kinds_taken(route, channels, where)
        _check_announced_address(route, channels, path, where)


def _check_sequences(raw: FileSettings, channels: dict[str, ChannelSettings], path: Path) -> None:
    kinds = set(BUILTIN_KINDS) | set(raw.kinds)
    known = ", ".join(sorted(channels)) or "none declared"
    for kind, sequence in raw.sequences.items():
        where = f"{path}: sequences.{kind}"
        if kind not in kinds:
            raise ConfigError(
                f"{where}: unknown kind {kind!r}; expected one of {', '.join(sorted(kinds))}"
            )
        for name in sequence.channels:
            if name not in channels:
                raise ConfigError(
                    f"{where}.channels.{name}: no channel named {name!r}; declared: {known}"
                )
        if sequence.recap and not sequence.recap_to:
            raise ConfigError(
                f"{where}.recap_to: missing; the recap is a note to the officer, "
                'say on which channel, e.g. recap_to = "officer"'
            )
        if sequence.recap_to and sequence.recap_to not in channels:
            raise ConfigError(
                f"{where}.recap_to: no channel named {sequence.recap_to!r}; declared: {known}"
            )


def _check_kinds_taken(route: Route, channels: dict[str, ChannelSettings], where: str) -> None:
    """A channel that publishes some kinds only (Mobilizon: events) is routed no others."""
    from channels.registry import only_kinds

    for name in (*route.to, *route.announce):
        only = only_kinds(channels[name].type)
        others = [k for k in route.kinds if only and k not in only]
        if others:
            raise ConfigError(
                f"{where}.kind: {name} publishes {' and '.join(only)} items only, and this "
                f'route sends it {", ".join(repr(k) for k in others)} ("*" is every kind); '
                f'give {name} a route of its own with kind = "{only[0]}"'
            )


def _check_announced_address(
    route: Route, channels: dict[str, ChannelSettings], path: Path, where: str
) -> None:
    """A live channel must not announce a post whose address is a file of this computer.

    A static blog without `site_url` links its posts as file:// URLs: right for the
    demo and for dry runs, but once posted on X or Facebook nobody can open them.
    """
    source = route.announce_from or route.to[0]
    settings = channels[source]
    address = getattr(settings, "site_url", None)
    if not isinstance(address, str) or not address.startswith("file:"):
        return
    live = [name for name in route.announce if channels[name].mode == "live"]
    if not live:
        return
    problem = (
        f"is {address}, a file on this computer"
        if "site_url" in settings.model_fields_set
        else "required"
    )
    raise ConfigError(
        f"{path}: channels.{source}.site_url: {problem}, but live channels "
        f"({', '.join(live)}) announce this blog's posts ({where.rsplit(': ', 1)[-1]}); "
        'set the address the site is served at, e.g. site_url = "https://www.example.org/"'
    )


def _check_policy(settings: Settings) -> None:
    from crosspost.policy.rules import validate_policy

    validate_policy(settings)


def describe_validation_error(
    exc: ValidationError, path: Path, prefix: tuple[str | int, ...] = ()
) -> str:
    """pydantic's errors as 'file: key: what was expected (got ...)' lines, in words."""
    from crosspost.validation_messages import lines

    return f"{path}: " + "\n  ".join(lines(exc, prefix=prefix, dotted=_dotted))


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out or _("(top level)")
