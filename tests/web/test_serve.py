"""`crosspost serve`: the calendar feeds over real HTTP (uvicorn on loopback), behind tokens."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from tests.conftest import Cli


def token_for(cli: Cli, scope: str = "calendar", name: str = "Thunderbird du bureau") -> str:
    out = cli("tokens", "create", "--for", scope, "--name", name).out
    match = re.search(r"held by «[^»]+»: (\S+)", out)
    assert match, out
    return match.group(1)


def queue_examples(cli: Cli) -> None:
    cli("add", "--kind", "event", "--title", "Repair café : vélos & grille-pain 🔧",
        "--event-start", "2026-12-12 14:00", "--event-end", "2026-12-12 18:00",
        "--location", "Salle des fêtes, Fontaine", "--at", "2026-12-05 10:00")  # fmt: skip
    cli("add", "--kind", "scoop", "--title", "Nous recrutons !", "--at", "2026-12-01 12:30")


def test_a_calendar_token_subscribes_and_an_unchanged_feed_answers_304(
    served: str, cli: Cli
) -> None:
    queue_examples(cli)
    token = token_for(cli)
    url = f"{served}/t/{token}/calendar.ics"
    first = requests.get(url, timeout=10)
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/calendar; charset=utf-8"
    text = first.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR")
    assert "Repair café : vélos & grille-pain 🔧" in text
    assert "Nous recrutons !" in text
    etag = first.headers["etag"]
    again = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304
    assert again.content == b""
    since = requests.get(
        url, headers={"If-Modified-Since": first.headers["last-modified"]}, timeout=10
    )
    assert since.status_code == 304
    cli("add", "--kind", "scoop", "--title", "Assemblée générale : l'ordre du jour",
        "--at", "2026-12-02 09:00")  # fmt: skip
    changed = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert "Assemblée générale" in changed.content.decode("utf-8")
    only = requests.get(url, params={"channel": "twitter"}, timeout=10).content.decode()
    assert "Nous recrutons !" in only
    assert "Repair café" not in only
    bad = requests.get(url, params={"channel": "instagram"}, timeout=10)
    assert bad.status_code == 400
    assert "channel: no channel named 'instagram'" in bad.text


def test_the_agenda_lists_public_events_at_their_dates_and_never_a_draft(
    served: str, cli: Cli
) -> None:
    queue_examples(cli)
    cli("add", "--draft", "--kind", "event", "--title", "Brouillon : pas encore validé",
        "--event-start", "2026-12-19 10:00", "--at", "now")  # fmt: skip
    token = token_for(cli)
    agenda = requests.get(f"{served}/t/{token}/agenda.ics", timeout=10)
    assert agenda.status_code == 200
    text = agenda.content.decode("utf-8")
    assert "SUMMARY:Repair café : vélos & grille-pain 🔧" in text
    assert "DTSTART;TZID=Europe/Paris:20261212T140000" in text
    assert "Salle des fêtes\\, Fontaine" in text
    assert "Brouillon" not in text
    assert "Nous recrutons" not in text  # not an event


def test_every_wrong_token_answers_404_and_says_nothing_more(served: str, cli: Cli) -> None:
    queue_examples(cli)
    calendar = token_for(cli)
    propose = token_for(cli, "propose", "Jardin partagé")
    revoked = token_for(cli, name="Ancien téléphone")
    cli("tokens", "revoke", "3")
    answers = {
        "no token": requests.get(f"{served}/calendar.ics", timeout=10),
        "empty": requests.get(f"{served}/t//calendar.ics", timeout=10),
        "wrong": requests.get(f"{served}/t/{calendar[:-1]}x/calendar.ics", timeout=10),
        "other scope": requests.get(f"{served}/t/{propose}/calendar.ics", timeout=10),
        "revoked": requests.get(f"{served}/t/{revoked}/agenda.ics", timeout=10),
        "unknown page": requests.get(f"{served}/t/{calendar}/admin", timeout=10),
    }
    for what, answer in answers.items():
        assert answer.status_code == 404, what
        assert answer.text == "Not Found", what
        assert "Repair" not in answer.text
    assert requests.get(f"{served}/t/{calendar}/calendar.ics", timeout=10).status_code == 200
    listed = cli("tokens", "list").out
    assert "Thunderbird du bureau" in listed
    assert "revoked" in listed
    for secret in (calendar, propose, revoked):
        assert secret not in listed


def test_tokens_are_kept_hashed_and_bad_requests_write_nothing(
    workspace: Path, cli: Cli, db_url: str
) -> None:
    secret = token_for(cli)
    if db_url.startswith("sqlite:///"):
        from sqlalchemy import create_engine

        engine = create_engine(db_url)
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        assert secret.encode() not in Path(db_url.removeprefix("sqlite:///")).read_bytes()
    refused = cli("tokens", "create", "--for", "admin", "--name", "  ", ok=False)
    assert refused.code == 1
    assert "for: expected one of calendar, propose (got 'admin')" in refused.err
    assert "name: expected 1 to 200 characters" in refused.err
    listed = cli("tokens", "list", "--json").json()
    assert isinstance(listed, list)
    assert [t["name"] for t in listed] == ["Thunderbird du bureau"]
    missing = cli("tokens", "revoke", "7", ok=False)
    assert "there is no token 7" in missing.err


def test_the_live_html_calendar_is_the_export_s_page_behind_the_same_token(
    served: str, cli: Cli
) -> None:
    queue_examples(cli)
    token = token_for(cli)
    page = requests.get(f"{served}/t/{token}/calendar.html", timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    exported = cli("calendar", "--format", "html").out
    # The same renderer: the same month grid and list, both items in it.
    for text in ("Repair café : vélos &amp; grille-pain 🔧", "Nous recrutons !"):
        assert text in page.text
        assert text in exported
    assert page.text.split("<body", 1)[1].count("<table") == exported.split("<body", 1)[1].count(
        "<table"
    )
    assert requests.get(f"{served}/t/nope/calendar.html", timeout=10).status_code == 404
