"""The reconciler: settles `unknown` deliveries by asking each platform whether the post exists.

An unknown delivery is never sent again blindly. After its channel's settling
delay, the reconciler looks it up: found, it is published; absent, it is safe to
send again (or, after too many attempts, it fails); and when the lookup itself
cannot be made, the delivery stays unknown, to be looked at later or by the officer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from channels.base import (
    AuthExpired,
    Channel,
    ChannelError,
    PublishJob,
    RateLimited,
    RenderContext,
    Rendered,
    Transient,
)
from crosspost import typography
from crosspost.config import Settings
from crosspost.domain import Delivery
from crosspost.errors import ConfigError, CrosspostError
from crosspost.i18n import _
from crosspost.states import State
from crosspost.store import Store
from crosspost.variants import as_posted
from schedules.log import EventLog
from schedules.pauses import Pauses
from schedules.retry import describe
from schedules.spending import charger

if TYPE_CHECKING:
    from schedules.engine import Tally

#: Lookup errors worth another try after the settling delay; any other goes to the officer.
LOOK_AGAIN = (Transient, RateLimited)


class Reconciler:
    """Looks up unknown deliveries on their platforms and records what it finds."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        log: EventLog,
        *,
        clock: Callable[[], datetime],
        tally: Tally,
        pauses: Pauses,
        stopping: threading.Event,
    ) -> None:
        self.settings = settings
        self.store = store
        self.log = log
        self.clock = clock
        self.tally = tally
        self.pauses = pauses
        self._stopping = stopping

    def run(self) -> int:
        """Look up every unknown delivery whose settling delay has passed; how many settled."""
        settled = 0
        for delivery in self.store.unknown_to_reconcile(self.clock()):
            if self._stopping.is_set():
                break
            if delivery.channel in self.pauses:
                continue  # its credentials do not work: looked up once it resumes
            settled += self._one(delivery)
        return settled

    def _one(self, delivery: Delivery) -> int:
        now = self.clock()
        try:
            channel = self.settings.adapter(delivery.channel)
            rendered = render(self.settings, channel, delivery)
        except (ChannelError, CrosspostError) as error:
            if is_setup_problem(self.settings, delivery.channel, error):
                settle = settling_delay(self.settings, delivery.channel)
                return self._look_after_setup(delivery, error, now, settle)
            self.store.reconcile_later(delivery.id, None, f"cannot check: {error}")
            self._hand_to_officer(delivery)
            return 0
        if not channel.supports_lookup:
            self.store.reconcile_later(
                delivery.id,
                None,
                f"{channel.label} offers no way to look the post up; check it by hand",
            )
            self._hand_to_officer(delivery)
            return 0
        job = PublishJob(
            delivery,
            rendered,
            idempotency_key=delivery.key,
            save_progress=lambda progress: self.store.save_progress(delivery.id, None, progress),
            charge=charger(self.store, delivery, self.clock),
        )
        try:
            found = channel.find_existing(job)
        except (ConfigError, AuthExpired) as error:
            # Nothing could be asked: once the credentials work, look again.
            return self._look_after_setup(delivery, error, now, channel.settle)
        except Exception as error:
            when = now + channel.settle if isinstance(error, LOOK_AGAIN) else None
            self.store.reconcile_later(
                delivery.id, when, f"could not look on {channel.label}: {describe(error)}"
            )
            if when is None:
                self._hand_to_officer(delivery)
            else:
                self.tally.unknown += 1
            return 0
        if found is not None:
            if self.store.reconcile_found(
                delivery.id,
                now,
                remote_id=found.remote_id,
                url=found.url,
                published_at=found.published_at,
            ):
                self.store.confirm_spend(delivery.id)  # the lost answer's post is billed
                self.tally.published += 1
                self.log.reconciled(delivery, found.url or found.remote_id)
                return 1
            return 0
        if delivery.attempts >= self.settings.publisher.max_attempts:
            self.store.move(
                delivery.id,
                State.UNKNOWN,
                State.FAILED,
                next_attempt_at=None,
                last_error=f"not on {channel.label} after {delivery.attempts} attempts: "
                f"{delivery.last_error}",
            )
            self.store.release_spend([delivery.id])
            self.tally.failed += 1
            self.log.failed(delivery, _("gave up: never confirmed and not found on the platform"))
            return 1
        if self.store.reconcile_absent(
            delivery.id, now, f"not found on {channel.label} after {delivery.last_error}; retrying"
        ):
            self.store.release_spend([delivery.id])  # not created: its resend reserves again
            self.log.retrying(delivery, now, _("not found on the platform: sending again"))
            return 1
        return 0

    def _hand_to_officer(self, delivery: Delivery) -> None:
        self.tally.attention += 1
        self.log.needs_officer(delivery)

    def _look_after_setup(
        self, delivery: Delivery, error: Exception, now: datetime, settle: timedelta
    ) -> int:
        """The lookup could not be made for want of credentials: pause, keep it unknown."""
        message = describe(error)
        self.store.reconcile_later(
            delivery.id, now + settle, f"could not look for the post yet: {message}"
        )
        self.tally.unknown += 1
        if isinstance(error, AuthExpired):
            self.pauses.credentials_expired(delivery.channel, message, now)
        else:
            self.pauses.setup_problem(delivery.channel, message, now)
        return 0


# ---------------------------------------------------------------- shared with the publisher


def render(settings: Settings, channel: Channel, delivery: Delivery) -> Rendered:
    """The delivery's item as `channel` posts it (an announcement links the announced post)."""
    if delivery.role == "announce" and not delivery.announced_url:
        raise CrosspostError(
            f"the announced {delivery.waits_for_channel} post has no address to link to"
        )
    context = RenderContext(
        timezone=settings.zone,
        announced_url=delivery.announced_url,
        role=delivery.role,
        organisation=settings.organisation,
        typography=settings.typography,
    )
    # A step of a sequence ("-1d", "morning") is the item in that step's wording; the
    # item's own post, the officer's text for this channel when there is one.
    item = as_posted(settings, delivery.item, delivery.channel, delivery.step)
    # The publisher and the reconciler render alike, so a lookup compares the same text.
    return typography.render(channel, item, context)


def is_setup_problem(settings: Settings, name: str, error: Exception) -> bool:
    """A config or credential problem of a channel still configured (a vanished one fails)."""
    return isinstance(error, ConfigError) and name in settings.channels


def settling_delay(settings: Settings, name: str) -> timedelta:
    """The channel's settling delay; the default one if its adapter cannot be built."""
    try:
        return settings.adapter(name).settle
    except (ChannelError, CrosspostError):
        return Channel.settling_delay
