"""Dry-run mode for any channel: the exact request is recorded, nothing is sent."""

from __future__ import annotations

from datetime import UTC, datetime

from channels.base import (
    Channel,
    CheckResult,
    Problem,
    PublishJob,
    Receipt,
    RenderContext,
    Rendered,
)
from crosspost.domain import Item
from crosspost.i18n import _

#: Reserved top-level domain (RFC 2606): a link that can never reach a real site.
DRY_RUN_HOST = "https://dry-run.invalid"


class DryRun(Channel):
    """Wraps a real adapter: renders and validates with it, publishes nowhere."""

    supports_lookup = True

    def __init__(self, inner: Channel) -> None:
        super().__init__(inner.name, inner.settings, inner.secrets)
        self.inner = inner

    @property
    def label(self) -> str:
        return self.inner.label

    def render(self, item: Item, context: RenderContext) -> Rendered:
        return self.inner.render(item, context)

    def validate(self, rendered: Rendered) -> list[Problem]:
        return self.inner.validate(rendered)

    def publish(self, job: PublishJob) -> Receipt:
        key = job.idempotency_key
        return Receipt(
            remote_id=f"dry-run-{key}",
            url=f"{DRY_RUN_HOST}/{self.name}/{key}",
            published_at=datetime.now(UTC),
            dry_run=True,
            detail={"would_send": job.rendered.request},
        )

    def find_existing(self, job: PublishJob) -> Receipt | None:
        # Nothing leaves the machine, so an interrupted dry-run simply never happened.
        return None

    def check(self) -> CheckResult:
        return CheckResult(
            True, _("dry-run: nothing is sent to {platform}").format(platform=self.inner.label)
        )
