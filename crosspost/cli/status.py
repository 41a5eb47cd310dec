"""How `crosspost status` reads: the status report as lines for a person, or stable JSON."""

from __future__ import annotations

from typing import Any

from crosspost import attention
from crosspost.attention import StatusReport
from crosspost.cli.output import delivery_line
from crosspost.domain import Delivery
from crosspost.i18n import _
from crosspost.wording import show_local


def status_json(report: StatusReport) -> dict[str, Any]:
    """The `status --json` shape (docs/json.md): keys are only ever added."""
    from crosspost.shapes import delivery_json, instant

    zone = report.zone

    def deliveries(rows: tuple[Delivery, ...]) -> list[dict[str, Any]]:
        return [delivery_json(d, zone, with_item=True) for d in rows]

    needs = report.attention
    return {
        "publishers": [
            {
                "id": p.info.id,
                "mode": p.info.mode,
                "host": p.info.hostname,
                "pid": p.info.pid,
                "started_at": instant(p.info.started_at),
                "heartbeat_at": instant(p.info.heartbeat_at),
                "alive": p.alive,
            }
            for p in report.publishers
        ],
        "counts": report.counts,
        "next": deliveries(report.upcoming),
        "attention": deliveries(needs.troubled),
        "held": deliveries(needs.held),
        "stuck": deliveries(needs.stuck),
        "overdue": deliveries(needs.overdue),
        "paused_channels": [
            {"channel": p.channel, "reason": p.reason, "since": instant(p.since)}
            for p in needs.paused
        ],
    }


def status_lines(report: StatusReport) -> list[str]:
    """The report as the officer reads it in the terminal."""
    zone = report.zone
    needs = report.attention

    def listed(rows: tuple[Delivery, ...]) -> list[str]:
        return [f"{delivery_line(d, zone)}  #{d.item.id} «{d.item.title}»" for d in rows]

    lines = [
        _("Publisher {mode} on {host} (pid {pid}) since {started}, last seen {seen}").format(
            mode=p.info.mode,
            host=p.info.hostname,
            pid=p.info.pid,
            started=show_local(p.info.started_at, zone),
            seen=show_local(p.info.heartbeat_at, zone),
        )
        for p in report.running
    ] or [_(attention.NO_PUBLISHER)]
    queued = ", ".join(f"{n} {s}" for s, n in sorted(report.counts.items())) or _("empty")
    lines.append(_("Queue: {queued}").format(queued=queued))
    if report.upcoming:
        lines += [_("Next:"), *listed(report.upcoming)]
    for pause in needs.paused:
        lines += attention.paused_lines(pause)
    if needs.overdue:
        lines.append(attention.overdue_heading(len(needs.overdue), running=bool(report.running)))
        lines += listed(needs.overdue[:5])
    for title, rows in (
        (attention.TROUBLED_HEADING, needs.troubled),
        (attention.HELD_HEADING, needs.held),
        (attention.STUCK_HEADING, needs.stuck),
    ):
        if rows:
            lines += [_("{heading}:").format(heading=_(title)), *listed(rows)]
    if report.holds:
        lines.append(_(attention.NOTHING))
    return lines
