"""The one protocol every channel follows, its settings, its receipts and its errors.

An adapter is small: render, validate, publish, find_existing, check. It raises
only the error classes below, so the engine can decide what happens next
without knowing the platform.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo

from crosspost.domain import Delivery, Item
from crosspost.secrets import SecretSource


class ChannelSettings(BaseModel):
    """What every `[channels.NAME]` table may say; adapters extend it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    #: dry-run records the exact request that would be sent, with no network.
    mode: Literal["live", "dry-run"] = "live"
    #: How the channel is named to people ("Facebook", "Blog"); defaults to the adapter's.
    label: str | None = None
    #: Publication limits, respected by deferring (never by failing).
    per_15min: int | None = Field(default=None, ge=1)
    per_day: int | None = Field(default=None, ge=1)
    #: Seconds to wait for the platform's answer.
    timeout: float = Field(default=30.0, gt=0)
    #: After an unclear outcome, seconds to wait before looking for the post
    #: (default: the adapter's own settling delay).
    settling: float | None = Field(default=None, ge=0)


#: What names a variable (in the environment or the secrets file).
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def env_name(field: str, value: str, example: str) -> str:
    """`value` if it can name a variable, else a ValueError saying what `field` expects."""
    if not ENV_NAME.fullmatch(value):
        raise ValueError(f"{field} must be a variable name like {example}, got {value!r}")
    return value


def beside_config(value: Path, info: ValidationInfo) -> Path:
    """A path setting as meant: ~ expanded, and a relative one taken from the folder of
    crosspost.toml (the validation context's base_dir; else the current folder)."""
    context = info.context if isinstance(info.context, dict) else {}
    base = Path(context.get("base_dir") or Path.cwd())
    value = value.expanduser()
    return value if value.is_absolute() else base / value


# ---------------------------------------------------------------- what flows


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs beyond the item itself."""

    timezone: ZoneInfo
    #: For an announcement: the URL of the post it announces (None until published).
    announced_url: str | None = None
    role: str = "post"
    organisation: str | None = None
    #: "fr": French spacing, times and dates (crosspost.typography); "none": as typed.
    typography: str = "none"
    #: Only checking what would be sent (`crosspost add`, `import`): what the request
    #: shows for a preview alone may be left out (Bluesky's rich-text facets, whose
    #: library took 0.6 s to import in `add`); the text and its parts are the same.
    checking: bool = False


@dataclass(frozen=True)
class Rendered:
    """Exactly what a channel would publish, for preview, dry-run and publish alike."""

    channel: str
    #: Human-readable form, as it will appear (a thread's parts joined by blank lines).
    text: str
    #: The posts that make it up (several for a thread).
    parts: tuple[str, ...]
    #: The exact request body (or bodies) the platform will receive.
    request: dict[str, Any]
    #: Length in the platform's own measure, and its limit, where it has one.
    length: int | None = None
    limit: int | None = None
    unit: str = "characters"
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A limit a rendered post breaks. 'error' stops publication; 'warning' informs."""

    level: Literal["error", "warning"]
    message: str


@dataclass(frozen=True)
class Receipt:
    """Proof of publication: where the post lives now."""

    remote_id: str
    url: str | None
    published_at: datetime
    dry_run: bool = False
    #: The request sent (kept for dry-run; never holds secrets).
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class Charge:
    """What one request cost on a platform that charges per use (X): "post", "post with a
    link", "read"; `units` posts created or read, `amount` in dollars."""

    what: str
    units: int
    amount: Decimal


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str


@dataclass
class PublishJob:
    """One attempt at one delivery, as the engine hands it to a channel."""

    delivery: Delivery
    rendered: Rendered
    #: Stable for every attempt of this delivery: platforms that accept one dedupe on it.
    idempotency_key: str
    #: Saves resume state (e.g. thread parts already posted) in the ledger at once.
    save_progress: Callable[[dict[str, Any]], None] = field(default=lambda _progress: None)
    #: Records what the platform charged, as it answers (a paying platform only).
    charge: Callable[[Charge], None] = field(default=lambda _charge: None)
    #: Both at once for a part that went out (its resume state and its charge), in one
    #: write of the ledger (the last part's: with the receipt); None: save_progress,
    #: then charge.
    save_posted: Callable[[dict[str, Any], Charge, bool], None] | None = None

    def posted(self, progress: dict[str, Any], bill: Charge, *, last: bool = False) -> None:
        """A part is online: save its resume state and record what it cost, before the
        next part is sent. `last`: no part follows; the engine may keep both for the
        transaction that records the receipt."""
        if self.save_posted is None:
            self.save_progress(progress)
            self.charge(bill)
        else:
            self.save_posted(progress, bill, last)


# ---------------------------------------------------------------- errors


class ChannelError(Exception):
    """Base of what adapters raise; the message is shown to the officer as is."""

    #: Short name stored in the attempt history.
    outcome: ClassVar[str] = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Transient(ChannelError):
    """Nothing was published and trying again later may work (refused connection, 503 before
    processing)."""

    outcome = "transient"


class RateLimited(ChannelError):
    """The platform asks us to wait until `retry_at`; not a failure."""

    outcome = "rate_limited"

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class Permanent(ChannelError):
    """The platform refused this post; sending it again would fail the same way."""

    outcome = "permanent"


class Duplicate(Permanent):
    """The platform says this exact post already exists (perhaps ours): never resent blindly."""

    outcome = "duplicate"


class AuthExpired(ChannelError):
    """Credentials are missing, revoked or expired: the channel pauses until renewed."""

    outcome = "auth_expired"


class Ambiguous(ChannelError):
    """The request may have reached the platform; whether it was published is unknown."""

    outcome = "ambiguous"


# ---------------------------------------------------------------- the protocol


class Channel(ABC):
    """A destination: render an item, check it fits, publish it, find it again."""

    #: The settings model of `[channels.NAME]` for this type.
    Settings: ClassVar[type[ChannelSettings]] = ChannelSettings
    #: How people name the platform.
    default_label: ClassVar[str] = "Channel"
    #: Whether find_existing can really look (else ambiguous outcomes go to the officer).
    #: An adapter that cannot look must say so here or raise from find_existing: a
    #: None from find_existing means "not there", and the engine then sends again.
    supports_lookup: bool = False
    #: Whether update() can change a post already out (a job offer closed, an event
    #: cancelled): the blog's post says so itself instead of a new post saying it.
    supports_update: ClassVar[bool] = False
    #: How long after an ambiguous attempt a post can still appear in find_existing.
    settling_delay: ClassVar[timedelta] = timedelta(minutes=2)

    def __init__(self, name: str, settings: ChannelSettings, secrets: SecretSource) -> None:
        self.name = name
        self.settings = settings
        self.secrets = secrets

    @property
    def label(self) -> str:
        return self.settings.label or self.default_label

    @property
    def settle(self) -> timedelta:
        """How long a post may take to show up on the platform after an unclear outcome."""
        if self.settings.settling is not None:
            return timedelta(seconds=self.settings.settling)
        return self.settling_delay

    #: Whether the platform charges per use (X): add, preview and status then show costs.
    paid: ClassVar[bool] = False

    @property
    def budget_per_month(self) -> Decimal | None:
        """The most this channel may spend in a calendar month; None when it costs nothing."""
        return None

    def cost(self, rendered: Rendered) -> Decimal:
        """What publishing `rendered` would cost (nothing, on a platform that is free)."""
        return Decimal(0)

    @abstractmethod
    def render(self, item: Item, context: RenderContext) -> Rendered:
        """The exact post this channel would publish for `item`."""

    def validate(self, rendered: Rendered) -> list[Problem]:
        """Limits the rendered post breaks, with a message the officer can act on."""
        return [Problem("warning", w) for w in rendered.warnings]

    def update(self, job: PublishJob) -> Receipt:
        """Rewrite the post `job.delivery` updates (`announced_key`, `announced_remote_id`)
        with `job.rendered`; idempotent, so a retry after an unclear answer is harmless."""
        raise Permanent(f"{self.label} cannot change a post already published")

    @abstractmethod
    def publish(self, job: PublishJob) -> Receipt:
        """Send it. Raises only the ChannelError classes above."""

    def find_existing(self, job: PublishJob) -> Receipt | None:
        """The post an earlier attempt of this delivery made, if the platform shows it."""
        return None

    @abstractmethod
    def check(self) -> CheckResult:
        """Verify credentials and permissions without publishing anything."""
