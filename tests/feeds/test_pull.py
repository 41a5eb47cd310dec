"""`crosspost feeds`: members' RSS, Atom and ICS feeds, pulled over real HTTP, become
drafts once, follow their source's changes, and never repeat."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.conftest import Cli
from tests.feeds.conftest import ATOM, ICS, RSS, payload
from tests.support.fakechannel import fake_platform
from tests.support.feedserver import FeedServer

pytestmark = pytest.mark.usefixtures("clock")


def _show(cli: Cli, item_id: int) -> dict[str, Any]:
    shown = cli("show", str(item_id), "--json").json()
    assert isinstance(shown, dict)
    return shown


def _drafts(cli: Cli) -> list[dict[str, Any]]:
    listed = cli("review", "--json").json()
    assert isinstance(listed, dict)
    return list(listed["items"])


def _announce_events_14_days_before(workspace: Path) -> None:
    """The workspace's events get a sequence: announced 14 days before they start."""
    config = workspace / "crosspost.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[sequences.event]\nannounce = "-14d"\n',
        encoding="utf-8",
    )


def _ids(out: str) -> list[int]:
    return [int(n) for n in re.findall(r"#(\d+)", out)]


def test_a_wordpress_feed_becomes_drafts_credited_to_the_member(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    url = server.serve("/feed/", payload("wordpress_rss2.xml"), RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article", "--label", "Repair Café de Fontaine")
    out = cli("feeds", "pull").out
    assert "fontaine: 2 new drafts" in out
    assert "1 entry too old to relay" in out  # September's post: remembered, not drafted
    drafts = _drafts(cli)
    assert [d["title"] for d in drafts] == [
        "Bilan 2026 : 412 objets réparés & 1,2 tonne de déchets évités",
        "Nous recrutons : un·e service civique pour l\u2019atelier vélo",
    ]
    bilan = drafts[0]
    assert bilan["source"] == "Repair Café de Fontaine"
    assert bilan["kind"] == "article"
    assert bilan["status"] == "draft"
    assert bilan["link"] == "https://repaircafe-fontaine.fr/2026/11/28/bilan-2026/"
    assert bilan["tags"] == ["Actualités", "Bilan"]
    # The member's HTML became Markdown; their script did not come along.
    assert "**merci aux 38 bénévoles** ! 🎉" in bilan["body"]
    assert "- 1,2 tonne de déchets évités" in bilan["body"]
    assert (
        "(https://repaircafe-fontaine.fr/bilan?utm_source=rss&utm_medium=feed_wp)"
        in (bilan["body"])
    )
    assert "alert" not in bilan["body"]
    assert _show(cli, bilan["id"])["deliveries"] == []
    cli("run", "--once")
    assert fake_platform("blog").count == 0


def test_re_pulls_add_nothing_whether_the_server_answers_304_or_the_whole_feed(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    url = server.serve("/feed/", payload("wordpress_rss2.xml"), RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article")
    cli("feeds", "pull")
    first = server.hits("/feed/")[0]
    assert "if-none-match" not in first.headers
    assert "Crosspost/" in first.headers["user-agent"]
    assert "fontaine: unchanged since the last pull" in cli("feeds", "pull").out
    again = server.hits("/feed/")[1]
    assert again.status == 304
    assert again.headers["if-none-match"].startswith('"')
    assert "if-modified-since" in again.headers
    # A server that sends no validators: the whole feed again, and still no repeat.
    server.serve("/feed/", payload("wordpress_rss2.xml"), RSS, validators=False)
    assert "fontaine: nothing new" in cli("feeds", "pull").out
    assert len(_drafts(cli)) == 2
    assert "fontaine: nothing new" not in cli("feeds", "pull", "--quiet").out


def test_items_out_of_date_order_produce_no_repeats(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    """RSS automations that remember 'the newest date seen' post again, or miss, entries
    that come out of order; the GUID is what counts here."""
    text = payload("wordpress_rss2.xml")
    url = server.serve("/feed/", text, RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article")
    cli("feeds", "pull")
    items = re.findall(r"\t<item>.*?</item>\n", text, re.S)
    late_entry = (
        items[1]
        .replace("?p=405", "?p=399")
        .replace("service-civique-velo", "braderie")
        .replace("Nous recrutons : un·e service civique pour l&#8217;atelier vélo", "Braderie")
        .replace("Fri, 20 Nov 2026 08:30:00", "Thu, 19 Nov 2026 18:00:00")
    )
    # Oldest first, and an entry dated before the newest one already seen.
    head, tail = text.split("\t<item>", 1)[0], "\t</channel>\n</rss>\n"
    shuffled = head + items[2] + items[0] + late_entry + items[1] + tail
    server.serve("/feed/", shuffled, RSS)
    out = cli("feeds", "pull").out
    assert "fontaine: 1 new draft" in out
    assert [d["title"] for d in _drafts(cli)][-1] == "Braderie"
    assert len(_drafts(cli)) == 3
    server.serve("/feed/", head + late_entry + items[1] + items[0] + tail, RSS)
    assert "fontaine: nothing new" in cli("feeds", "pull").out


def test_a_member_entry_is_approved_published_and_never_comes_back(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    url = server.serve("/feed/", payload("wordpress_rss2.xml"), RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article", "--label", "Repair Café de Fontaine")
    cli("feeds", "pull")
    bilan = _drafts(cli)[0]["id"]
    too_long = cli("approve", str(bilan), "--at", "now", ok=False)
    assert "twitter: post is 391/280 characters" in too_long.err  # the announcement
    cli("approve", str(bilan), "--at", "now", "--channel", "blog")
    cli("run", "--once")
    [post] = fake_platform("blog").posts
    assert post.detail is not None
    assert "feed_wp).\n\nvia Repair Café de Fontaine\n" in str(post.detail["text"])
    server.serve("/feed/", payload("wordpress_rss2.xml"), RSS, validators=False)
    assert "fontaine: nothing new" in cli("feeds", "pull").out
    cli("run", "--once")
    assert fake_platform("blog").count == 1


def test_a_changed_entry_updates_its_draft_then_its_pending_posts_then_is_left(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    text = payload("wordpress_rss2.xml")
    url = server.serve("/feed/", text, RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article")
    cli("feeds", "pull")
    bilan = _drafts(cli)[0]["id"]
    v2 = text.replace("412 objets réparés &#038;", "415 objets réparés &#038;")
    server.serve("/feed/", v2, RSS)
    assert f"fontaine: 1 updated (#{bilan})" in cli("feeds", "pull").out
    assert _show(cli, bilan)["item"]["title"].startswith("Bilan 2026 : 415 objets")
    assert _show(cli, bilan)["item"]["status"] == "draft"
    cli("approve", str(bilan), "--at", "+1d", "--channel", "blog")
    server.serve("/feed/", v2.replace("merci aux 38", "merci aux 40"), RSS)
    assert f"1 updated (#{bilan})" in cli("feeds", "pull").out
    shown = _show(cli, bilan)
    assert "merci aux 40 bénévoles" in shown["item"]["body"]
    assert shown["item"]["body"].endswith("via fontaine")  # still credited
    assert {d["state"] for d in shown["deliveries"]} == {"pending"}
    cli("publish", str(bilan))
    server.serve("/feed/", v2.replace("merci aux 38", "merci aux 41"), RSS)
    out = cli("feeds", "pull").out
    assert f"item {bilan}: it changed at its source, but its posts are already out" in out
    assert "merci aux 40" in _show(cli, bilan)["item"]["body"]


def test_a_draft_the_officer_deleted_does_not_come_back_when_the_member_edits_it(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    text = payload("wordpress_rss2.xml")
    url = server.serve("/feed/", text, RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article")
    cli("feeds", "pull")
    bilan, recrutons = (d["id"] for d in _drafts(cli))
    cli("delete", str(bilan), "--yes")
    # The member corrects a figure, then again: the officer said no once, that holds.
    for figure in ("415", "416"):
        edited = text.replace("412 objets réparés &#038;", f"{figure} objets réparés &#038;")
        server.serve("/feed/", edited, RSS)
        assert "fontaine: nothing new" in cli("feeds", "pull").out
    assert [d["id"] for d in _drafts(cli)] == [recrutons]
    cli("delete", str(recrutons), "--yes")  # deleted with the entry unchanged since
    server.serve("/feed/", edited.replace("un·e service civique", "deux services civiques"), RSS)
    assert "fontaine: nothing new" in cli("feeds", "pull").out
    assert _drafts(cli) == []


def test_a_feed_removed_then_added_again_brings_only_what_is_new(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    text = payload("wordpress_rss2.xml")
    url = server.serve("/feed/", text, RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article")
    cli("feeds", "pull")
    bilan, _recrutons = (d["id"] for d in _drafts(cli))
    cli("approve", str(bilan), "--at", "now", "--channel", "blog")
    cli("run", "--once")
    assert "its 2 items stay" in cli("feeds", "remove", "fontaine").out
    assert "No feed followed" in cli("feeds", "list").out
    # Meanwhile the member posts a new article; the officer follows the feed again,
    # under another name.
    newer = text.replace("?p=405</guid>", "?p=430</guid>").replace(
        "Nous recrutons : un·e service civique", "Nous recrutons : deux services civiques"
    )
    server.serve("/feed/", newer, RSS)
    added = cli("feeds", "add", "Repair Café", url, "--kind", "article").out
    assert "followed before: the 3 entries seen then are not queued again" in added
    out = cli("feeds", "pull").out
    assert "Repair Café: 1 new draft" in out, out
    assert [d["title"] for d in _drafts(cli)] == [
        "Nous recrutons : un·e service civique pour l\u2019atelier vélo",
        "Nous recrutons : deux services civiques pour l\u2019atelier vélo",
    ]
    cli("run", "--once")
    assert fake_platform("blog").count == 1
    # The name it had is free again, for another feed.
    cli("feeds", "add", "fontaine", "https://example.org/other.ics", "--kind", "event")
    listed = cli("feeds", "list").out
    assert "Repair Café" in listed
    assert "fontaine" in listed


def test_a_mobilizon_group_calendar_gives_event_drafts_at_their_own_dates(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    url = server.serve("/@repaircafe_fontaine/feed/ics", payload("mobilizon_group.ics"), ICS)
    cli("feeds", "add", "Repair Café de Fontaine", url, "--kind", "event")
    assert "2 new drafts" in cli("feeds", "pull").out  # November's workshop is over
    atelier, assemblee = _drafts(cli)
    assert atelier["title"] == "Atelier réparation : vélos & petit électroménager 🔧"
    assert atelier["event_start"] == "2026-12-12T13:00:00Z"
    assert atelier["event_end"] == "2026-12-12T17:00:00Z"
    assert atelier["location"] == "Salle des fêtes, 12 rue de la Liberté, 38600 Fontaine, France"
    assert atelier["tags"] == ["réparation", "vélo"]
    assert atelier["link"] == "https://mobilizon.fr/events/0d7f5c1e-9b6a-4f0e-8a52-3c1d2e4f5a6b"
    assert "utm_source=ics&utm_medium=feed_mobilizon" in atelier["body"]
    assert atelier["source"] == "Repair Café de Fontaine"
    assert assemblee["event_start"] == "2027-01-16T09:00:00Z"
    review = cli("review").out
    assert "Saturday 12 December at 14:00" in review
    # Approved, it is announced on the event route's channel before the event.
    cli("approve", str(atelier["id"]), "--at", "now")
    cli("run", "--once")
    [post] = fake_platform("facebook").posts
    assert post.detail is not None
    assert "via Repair Café de Fontaine" in str(post.detail["text"])
    server.serve("/@repaircafe_fontaine/feed/ics", payload("mobilizon_group.ics"), ICS,
                 validators=False)  # fmt: skip
    assert "nothing new" in cli("feeds", "pull").out


def test_a_cancelled_event_cancels_its_draft_or_its_pending_posts(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    text = payload("mobilizon_group.ics")
    url = server.serve("/ics", text, ICS)
    cli("feeds", "add", "fontaine", url, "--kind", "event")
    cli("feeds", "pull")
    atelier, assemblee = (d["id"] for d in _drafts(cli))
    cli("approve", str(assemblee), "--at", "+1d")
    cancelled = text.replace(
        "UID:0d7f5c1e-9b6a-4f0e-8a52-3c1d2e4f5a6b\n",
        "UID:0d7f5c1e-9b6a-4f0e-8a52-3c1d2e4f5a6b\nSTATUS:CANCELLED\n",
    ).replace(
        "UID:5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n",
        "UID:5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\nSTATUS:CANCELLED\n",
    )
    server.serve("/ics", cancelled, ICS)
    assert f"2 cancelled (#{atelier}, #{assemblee})" in cli("feeds", "pull").out
    draft = _show(cli, atelier)["item"]
    assert draft["status"] == "rejected"
    assert draft["review_note"] == "cancelled by its source"
    routed = _show(cli, assemblee)
    assert routed["item"]["status"] == "cancelled"
    assert {d["state"] for d in routed["deliveries"]} == {"cancelled"}
    cli("run", "--once")
    assert fake_platform("facebook").count == 0


def test_an_event_cancelled_at_its_source_after_its_announcement_says_so_where_it_went_out(
    workspace: Path, cli: Cli, server: FeedServer, clock: time_machine.Coordinates
) -> None:
    # The officer's `cancel` posts a notice where the event was announced; a member
    # cancelling it in their calendar must do the same, or the Page keeps inviting people.
    _announce_events_14_days_before(workspace)
    text = payload("mobilizon_group.ics")
    url = server.serve("/ics", text, ICS)
    cli("feeds", "add", "fontaine", url, "--kind", "event")
    cli("feeds", "pull")
    atelier = next(d["id"] for d in _drafts(cli) if d["title"].startswith("Atelier réparation :"))
    cli("approve", str(atelier))  # its announcement (D-14) is already due: it goes now
    cli("run", "--once")
    assert [p.detail["text"].split("\n")[0] for p in fake_platform("facebook").posts] == [
        "Atelier réparation : vélos & petit électroménager 🔧"
    ]
    server.serve(
        "/ics",
        text.replace(
            "UID:0d7f5c1e-9b6a-4f0e-8a52-3c1d2e4f5a6b\n",
            "UID:0d7f5c1e-9b6a-4f0e-8a52-3c1d2e4f5a6b\nSTATUS:CANCELLED\n",
        ),
        ICS,
    )
    out = cli("feeds", "pull").out
    assert f"1 cancelled (#{atelier})" in out
    assert f"item {atelier}: a cancellation notice goes out on facebook" in out
    assert _show(cli, atelier)["item"]["status"] == "cancelled"
    cli("run", "--once")
    texts = [p.detail["text"].split("\n")[0] for p in fake_platform("facebook").posts]
    assert texts[-1] == "Annulé : Atelier réparation : vélos & petit électroménager 🔧"
    assert len(texts) == 2
    cli("feeds", "pull")  # seen again, still cancelled: no second notice
    cli("run", "--once")
    assert len(fake_platform("facebook").posts) == 2


def test_an_auto_approved_event_goes_out_at_its_sequence_s_time_not_the_next_slot(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    _announce_events_14_days_before(workspace)
    url = server.serve("/ics", payload("mobilizon_group.ics"), ICS)
    cli("feeds", "add", "fontaine", url, "--kind", "event", "--auto")
    out = cli("feeds", "pull").out
    assert "2 items routed" in out
    by_title = {shown["item"]["title"]: shown for shown in (_show(cli, i) for i in _ids(out))}
    assemblee = by_title["Assemblée générale 2027"]
    # 16 January's general assembly is announced 14 days before, as `add` would do it.
    assert [d["due_at_local"][:10] for d in assemblee["deliveries"]] == ["2027-01-02"]


def test_a_future_event_removed_from_the_calendar_is_cancelled_a_past_one_is_not(
    workspace: Path, cli: Cli, server: FeedServer, clock: time_machine.Coordinates
) -> None:
    text = payload("nextcloud_calendar.ics")
    url = server.serve("/remote.php/dav/public-calendars/jardin?export", text, ICS)
    cli("feeds", "add", "jardin", url, "--kind", "event", "--auto")
    out = cli("feeds", "pull").out
    # A weekly series (4 Saturdays, one EXDATE) and an all-day event: 4 occurrences.
    assert "4 items routed" in out
    items = _ids(out)
    shown = [_show(cli, i) for i in items]
    assert [s["item"]["event_start"] for s in shown] == [
        "2026-12-05T09:00:00Z",
        "2026-12-12T09:00:00Z",
        "2026-12-19T09:00:00Z",
        "2026-12-12T23:00:00Z",  # 13 December, all day, Paris time
    ]
    assert all(s["item"]["status"] == "active" and s["deliveries"] for s in shown)
    # The member deletes the seed swap; a week later the first Saturday is over.
    without = re.sub(r"BEGIN:VEVENT\nCREATED:20261102.*?END:VEVENT\n", "", text, flags=re.S)
    server.serve("/remote.php/dav/public-calendars/jardin", without, ICS)
    clock.move_to("2026-12-07T09:00:00Z")
    out = cli("feeds", "pull").out
    assert f"1 cancelled (#{items[3]})" in out
    assert _show(cli, items[3])["item"]["status"] == "cancelled"
    assert _show(cli, items[0])["item"]["status"] == "active"  # over, not removed


def test_an_empty_calendar_cancels_nothing(workspace: Path, cli: Cli, server: FeedServer) -> None:
    url = server.serve("/ics", payload("mobilizon_group.ics"), ICS)
    cli("feeds", "add", "fontaine", url, "--kind", "event")
    cli("feeds", "pull")
    server.serve("/ics", "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nEND:VCALENDAR\n", ICS)
    out = cli("feeds", "pull").out
    assert "the calendar came back empty: nothing was cancelled" in out
    assert len(_drafts(cli)) == 2


def test_a_mobilizon_atom_feed_relays_articles_and_refuses_dateless_events_once(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    url = server.serve("/@repaircafe_fontaine/feed/atom", payload("mobilizon_group.atom"), ATOM)
    cli("feeds", "add", "fontaine-news", url, "--kind", "article")
    cli("feeds", "add", "fontaine-events", url, "--kind", "event")
    out = cli("feeds", "pull").out
    assert "fontaine-news: 2 new drafts" in out
    assert "fontaine-events: nothing new" in out
    assert "refused «Nos horaires d'hiver»: event_start: an event needs its date" in out
    assert "add the member's ICS calendar with --kind event" in out
    news = [d["title"] for d in _drafts(cli)]
    assert news == ["Atelier réparation : vélos & petit électroménager 🔧", "Nos horaires d'hiver"]
    server.serve("/@repaircafe_fontaine/feed/atom", payload("mobilizon_group.atom"), ATOM,
                 validators=False)  # fmt: skip
    again = cli("feeds", "pull").out
    assert "refused" not in again  # said once, remembered
    listed = cli("feeds", "list", "--json").json()
    assert isinstance(listed, list)
    by_name = {f["name"]: f for f in listed}
    assert by_name["fontaine-events"]["entries"] == {"refused": 2}
    assert by_name["fontaine-news"]["entries"] == {"item": 2}


def test_one_broken_feed_is_reported_and_the_others_are_pulled(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    good = server.serve("/good", payload("wordpress_rss2.xml"), RSS)
    broken = {
        "garbage": server.serve("/garbage", "<html><body>Site en maintenance", "text/html"),
        "missing": server.url + "/nowhere",
        "loop": server.serve("/loop", b"", "text/plain", status=302, location="/loop"),
        "slow": server.serve("/slow", payload("wordpress_rss2.xml"), RSS, delay=3.0),
        "huge": server.serve("/huge", b"<rss>" + b" " * 200_000 + b"</rss>", RSS),
        "calendar": server.serve("/bad.ics", "BEGIN:VCALENDAR\nDTSTART:banana\n", ICS),
        "closed": "http://127.0.0.1:9/feed",
    }
    config = workspace / "crosspost.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[feeds]\ntimeout = "1s"\nmax_bytes = 100000\n',
        encoding="utf-8",
    )
    for name, url in broken.items():
        cli("feeds", "add", name, url, "--kind", "article")
    cli("feeds", "add", "zz-good", good, "--kind", "article")
    result = cli("feeds", "pull", ok=False)
    assert result.code == 4
    assert "zz-good: 2 new drafts" in result.out
    errors = result.err
    assert "garbage: could not be read: not an RSS or Atom feed, nor an ICS calendar" in errors
    assert "missing: could not be read: the server answered 404 Not Found" in errors
    assert "loop: could not be read: more than 5 redirects" in errors
    assert "slow: could not be read: no answer within 1 s" in errors
    assert "huge: could not be read: the feed is 200,011 bytes, over the 100,000 allowed" in errors
    assert "calendar: could not be read: not a valid ICS calendar" in errors
    assert "closed: could not be read: cannot connect" in errors
    assert "Traceback" not in errors
    listed = cli("feeds", "list").out
    assert "FAILED: the server answered 404 Not Found" in listed
    # Fixed at the source: the next pull works, and the failure is forgotten.
    server.serve("/nowhere", payload("mobilizon_group.atom"), ATOM)
    result = cli("feeds", "pull", "missing")
    assert "missing: 2 new drafts" in result.out
    listed = cli("feeds", "list").out.splitlines()
    assert "FAILED" not in next(line for line in listed if line.startswith("missing"))


def test_feeds_add_refuses_bad_input_and_writes_nothing(workspace: Path, cli: Cli) -> None:
    result = cli("feeds", "add", "x", "ftp://example.org/feed", "--kind", "concert", ok=False)
    assert result.code == 1
    assert "url: expected a web address starting with http:// or https://" in result.err
    assert "kind: expected one of event, scoop, article, job, announcement" in result.err
    assert "No feed followed" in cli("feeds", "list").out
    cli("feeds", "add", "Jardin", "https://example.org/cal.ics", "--kind", "event")
    dup = cli("feeds", "add", "Jardin", "https://example.org/other.ics", "--kind", "event",
              ok=False)  # fmt: skip
    assert "name: there is already a feed named 'Jardin'" in dup.err
    gone = cli("feeds", "remove", "Potager", ok=False)
    assert "no feed named 'Potager'" in gone.err
    assert "No longer following Jardin; its 0 items stay" in cli("feeds", "remove", "Jardin").out


def test_an_auto_feed_routes_entries_and_they_are_published(
    workspace: Path, cli: Cli, server: FeedServer, clock: time_machine.Coordinates
) -> None:
    url = server.serve("/feed/", payload("wordpress_rss2.xml"), RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article", "--auto")
    out = cli("feeds", "pull").out
    # The long report would be announced on X over its 280 characters: a person decides.
    assert "fontaine: 1 new draft (#1), 1 item routed (#2)" in out
    assert "item 1 waits for review: not routed: twitter: post is 376/280 characters" in out
    assert [d["id"] for d in _drafts(cli)] == [1]
    # Routed like `add --at next`: the next posting time, 09:00 tomorrow (no slots set).
    [blog] = [d for d in _show(cli, 2)["deliveries"] if d["channel"] == "blog"]
    assert blog["due_at"] == "2026-12-01T08:00:00Z"
    clock.move_to("2026-12-01T08:01:00Z")
    cli("run", "--once")
    assert fake_platform("blog").count == 1
    server.serve("/feed/", payload("wordpress_rss2.xml"), RSS, validators=False)
    assert "nothing new" in cli("feeds", "pull").out
    cli("run", "--once")
    assert fake_platform("blog").count == 1


def test_an_auto_entry_that_cannot_be_routed_waits_for_review(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    url = server.serve("/feed/", payload("wordpress_rss2.xml"), RSS)
    cli("feeds", "add", "emplois", url, "--kind", "job", "--auto")  # no route for jobs
    assert "emplois: 2 new drafts" in cli("feeds", "pull").out
    refused = cli("approve", str(_drafts(cli)[0]["id"]), ok=False)
    assert "kind: no route sends 'job' items anywhere" in refused.err


def test_an_entry_refused_for_our_config_is_taken_once_the_config_is_fixed(
    workspace: Path, cli: Cli, server: FeedServer
) -> None:
    config = workspace / "crosspost.toml"
    original = config.read_text(encoding="utf-8")
    config.write_text('kinds = ["atelier"]\n' + original, encoding="utf-8")
    url = server.serve("/feed/", payload("wordpress_rss2.xml"), RSS, validators=False)
    cli("feeds", "add", "fontaine", url, "--kind", "atelier")
    config.write_text(original, encoding="utf-8")  # someone tidies the kinds away
    out = cli("feeds", "pull").out
    assert out.count("refused «") == 2
    assert "kind: expected one of" in out
    assert "refused" not in cli("feeds", "pull").out  # the same reason is said once
    config.write_text('kinds = ["atelier"]\n' + original, encoding="utf-8")
    assert "fontaine: 2 new drafts" in cli("feeds", "pull").out
    assert [d["kind"] for d in _drafts(cli)] == ["atelier", "atelier"]


def test_a_pull_reports_in_french_for_a_french_officer(
    workspace: Path, cli: Cli, server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    url = server.serve("/feed/", payload("wordpress_rss2.xml"), RSS)
    cli("feeds", "add", "fontaine", url, "--kind", "article")
    out = cli("feeds", "pull").out
    assert "fontaine : 2 nouveaux brouillons (#1, #2)" in out
    assert "1 entrée trop ancienne pour être relayée" in out
    assert "fontaine : inchangé depuis le dernier relevé" in cli("feeds", "pull").out
