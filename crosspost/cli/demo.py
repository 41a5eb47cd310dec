"""`crosspost demo`: the whole journey in a throw-away workspace, in under a minute."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from crosspost.cli.context import now, say
from crosspost.i18n import _
from crosspost.states import State

if TYPE_CHECKING:
    from crosspost.config import Settings
    from crosspost.store import Store

app = typer.Typer()

SAMPLES: tuple[dict[str, object], ...] = (
    {
        "kind": "event",
        "title": "Repair café de décembre",
        "body": "Venez avec vos objets cassés : nos bénévoles vous aident à les réparer.",
        "location": "Maison des associations, 12 rue de la Paix",
        "link": "https://www.example.org/repair-cafe",
    },
    {
        "kind": "scoop",
        "title": "Nous recrutons un·e coordinateur·rice bénévole !",
        "body": "Deux heures par semaine, dans une équipe joyeuse.",
    },
    {
        "kind": "article",
        "title": "Notre bilan 2026 : 1 200 objets sauvés de la benne",
        "body": "## Une année record\n\nGrâce à **vous**, 1 200 objets ont retrouvé une vie.\n\n"
        "Merci aux 45 bénévoles et aux 12 associations partenaires.",
        "tags": ["bilan", "réemploi"],
    },
)


@app.command("demo")
def demo(
    directory: Path | None = typer.Option(
        None, "--dir", help="Where to create the demo workspace (default: a new temp folder)."
    ),
    timeout: float = typer.Option(90.0, "--timeout", help="Give up after this many seconds."),
) -> None:
    """Queue an event, a scoop and an article, publish them, then show the calendar."""
    from crosspost.cli.setup import starter_config
    from crosspost.config import parse_settings
    from crosspost.config_file import CONFIG_NAME
    from crosspost.intake import accept
    from crosspost.store import Store
    from schedules.daemon import Daemon
    from schedules.log import EventLog

    root = directory or Path(tempfile.mkdtemp(prefix="crosspost-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_NAME
    config.write_text(starter_config("Europe/Paris"), encoding="utf-8")
    settings = parse_settings(config.read_bytes(), config)
    store = Store.open(settings.database_url)
    say(_("Demo workspace: {root}").format(root=root))
    say(
        _(
            "Channels: a static blog (files on disk); X, Facebook, Mastodon and Bluesky in dry-run "
            "(nothing is sent)."
        )
    )
    say("")
    start = now()
    batch = []
    for number, sample in enumerate(SAMPLES):
        fields: dict[str, object] = dict(sample)
        fields["at"] = f"+{5 + 5 * number}s"
        if fields["kind"] == "event":
            saturday = (start + timedelta(days=(5 - start.weekday()) % 7 or 7)).astimezone(
                settings.zone
            )
            fields["event_start"] = saturday.strftime("%Y-%m-%d 14:00")
            fields["event_end"] = saturday.strftime("%Y-%m-%d 18:00")
        batch.append(accept(fields, settings, now=start, base_dir=root))
    store.add_items([(a.item, a.plan.deliveries) for a in batch])
    for accepted in batch:
        channels = ", ".join(p.channel for p in accepted.plan.deliveries)
        say(
            _("Queued {kind} «{title}» -> {channels}").format(
                kind=f"{accepted.item.kind:<8}", title=accepted.item.title, channels=channels
            )
        )
    total = sum(len(a.plan.deliveries) for a in batch)
    say(
        "\n"
        + _("Starting the publisher; {total} publications are due within 15 seconds:").format(
            total=total
        )
        + "\n"
    )

    daemon = Daemon(settings, store, EventLog(settings.zone))
    daemon.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            counts = store.count_by_state()
            if counts.get(State.PUBLISHED, 0) + counts.get(State.FAILED, 0) >= total:
                break
            time.sleep(0.25)
    finally:
        daemon.stop()
    say("")
    _show_calendar(settings, store)
    blog = settings.channels["blog"]
    site = getattr(blog, "path", root / "site")
    say("\n" + _("The blog, to open in a browser: {page}").format(page=f"{site}/index.html"))
    say(
        _("  its Hugo posts: {posts}   its Atom feed: {feed}").format(
            posts=f"{site}/content/posts", feed=f"{site}/feed.xml"
        )
    )
    say(_("Try: cd {root} && crosspost list && crosspost show 3").format(root=root))
    counts = store.count_by_state()
    store.close()
    if counts.get(State.PUBLISHED, 0) < total:
        say(
            _("Only {published} of {total} were published in {seconds} s.").format(
                published=counts.get(State.PUBLISHED, 0), total=total, seconds=f"{timeout:.0f}"
            )
        )
        raise typer.Exit(1)


def _show_calendar(settings: Settings, store: Store) -> None:
    """The same agenda `crosspost calendar` prints, for the weeks the demo touched."""
    from crosspost.calendar.rows import Query, default_range, iter_rows
    from crosspost.calendar.table import write_table

    start, end = default_range(now(), settings.zone)
    say(_("Editorial calendar (crosspost calendar):"))
    write_table(iter_rows(store, settings, Query(start, end)), say)
