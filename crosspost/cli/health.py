"""`crosspost health`: is the editorial policy kept? Plain sentences, exit 3 when it is not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from crosspost.cli.context import app_context, emit_json, now, say

if TYPE_CHECKING:
    from crosspost.policy import HealthReport

app = typer.Typer()

#: Exit status when the policy falls short, so a cron job can mail the report.
EXIT_SHORT = 3


@app.command("health")
def health(
    ctx: typer.Context,
    weeks: int = typer.Option(
        4, "--weeks", "-w", min=1, max=260, help="Weeks to look back on (complete weeks)."
    ),
    ahead: int = typer.Option(
        2,
        "--ahead",
        min=0,
        max=52,
        help="Weeks to look ahead, this one included (0: only look back).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (stable keys)."),
) -> None:
    """Per channel: posts against the policy's targets, gaps, clashes, failures. Exit 3 if short."""
    from crosspost.cli.costs import spend_json, spend_lines, spend_report
    from crosspost.policy import health_report

    context = app_context(ctx)
    report = health_report(context.settings, context.store, now=now(), weeks=weeks, ahead=ahead)
    spend = spend_report(context)
    if as_json:
        emit_json(report_json(report) | ({"spend": spend_json(spend)} if spend else {}))
    else:
        for line in report_lines(report):
            say(line)
        for line in spend_lines(spend, context.settings.channel_label):
            say(line)
    if not report.holds:
        raise typer.Exit(EXIT_SHORT)


def report_json(report: HealthReport) -> dict[str, Any]:
    """The stable `health --json` shape: keys are only ever added (see SCHEMA_VERSION)."""
    from crosspost.shapes import SCHEMA_VERSION, instant

    return {
        "schema": SCHEMA_VERSION,
        "generated_at": instant(report.generated_at),
        "timezone": report.zone.key,
        "weeks": report.weeks,
        "ahead": report.ahead,
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "holds": report.holds,
        "channels": [
            {
                "channel": c.channel,
                "label": c.label,
                "targets": {
                    "min_per_week": c.policy.min_per_week,
                    "min_per_month": c.policy.min_per_month,
                    "max_per_day": c.policy.max_per_day,
                    "slots": [s.text for s in c.policy.slots],
                    "quiet": [q.text for q in c.policy.quiet],
                },
                "last_published_at": instant(c.last_published_at),
                "days_since_last": c.days_since_last,
                "published_in_window": c.published_in_window,
                "periods": [
                    {
                        "unit": p.unit,
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "when": p.when,
                        "target": p.target,
                        "published": p.published,
                        "planned": p.planned,
                        "ok": p.ok,
                    }
                    for p in c.periods
                ],
                "notes": list(c.notes),
                "holds": not c.findings,
            }
            for c in report.channels
        ],
        "events": {
            "upcoming": report.events.upcoming,
            "not_announced": [
                {
                    "item_id": e.item_id,
                    "title": e.title,
                    "starts_at": instant(e.starts_at),
                    "announce_due": instant(e.announce_due),
                }
                for e in report.events.not_announced
            ],
        },
        "findings": [
            {
                "check": f.check,
                "channel": f.channel,
                "sentence": f.sentence,
                "item_ids": list(f.item_ids),
            }
            for f in report.findings
        ],
    }


def report_lines(report: HealthReport) -> list[str]:
    """The report as a volunteer reads it (and as a cron job mails it)."""
    from crosspost.i18n import _, ngettext
    from crosspost.wording import show_day_time

    moment = report.generated_at
    zone = report.zone
    back = ngettext("the last {count} week", "the last {count} weeks", report.weeks)
    ahead = ngettext("the {count} week ahead", "the {count} weeks ahead", report.ahead)
    lines = [
        _("Editorial health on {moment} ({zone}): {back} and {ahead}.").format(
            moment=show_day_time(moment, zone, now=moment),
            zone=zone.key,
            back=back.format(count=report.weeks),
            ahead=ahead.format(count=report.ahead),
        )
    ]
    for channel in report.channels:
        target = channel.policy.targets_text()
        lines.append("")
        lines.append(
            f"{channel.label} ({channel.channel})"
            + (_(": {targets}").format(targets=target) if target else "")
        )
        lines += [f"  {note}" for note in channel.notes]
        lines += [f"  ✗ {finding.sentence}" for finding in channel.findings]
        if not channel.findings:
            lines.append(_("  ✓ Nothing to fix."))
    from crosspost.policy.events import events_lines

    events = events_lines(report.events, report.zone, moment)
    if events:
        lines += ["", *events]
    lines += [f"  ✗ {f.sentence}" for f in report.findings if f.check == "unannounced"]
    lines.append("")
    count = len(report.findings)
    if report.holds:
        lines.append(_("The editorial policy holds."))
    else:
        lines.append(
            ngettext(
                "The editorial policy falls short: {count} thing to fix.",
                "The editorial policy falls short: {count} things to fix.",
                count,
            ).format(count=count)
        )
    return lines
