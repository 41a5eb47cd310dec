"""The proposal form over real HTTP: a member's event lands as a draft under their name;
every refusal is tried, and none writes anything."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import Any

import requests

from tests.conftest import Cli
from tests.web.test_serve import token_for


def _png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG, made here (the type is checked from the bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x2a\x7f\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


EVENT = {
    "kind": "event",
    "title": "Troc de graines <b>au jardin</b> : venez nombreux 🌱",
    "body": "Apportez vos graines & vos boutures.\n<script>alert(1)</script>Inscription : "
    "https://jardin.example.org/troc?utm_source=form&utm_medium=crosspost_relay",
    "event_start": "2026-12-13T14:00",
    "event_end": "2026-12-13T17:00",
    "location": "Jardin partagé, rue des Alpes, Grenoble",
    "link": "https://jardin.example.org/troc",
    "alt": "Des sachets de graines sur une table",
}


def _open(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200
    match = re.search(r'name=csrf value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def _send(
    session: requests.Session, url: str, csrf: str | None, fields: dict[str, str], **files: Any
) -> requests.Response:
    data = dict(fields)
    if csrf is not None:
        data["csrf"] = csrf
    return session.post(url, data=data, files=files or {"none": ("", b"")}, timeout=10,
                        allow_redirects=False)  # fmt: skip


def _drafts(cli: Cli) -> list[dict[str, Any]]:
    listed = cli("review", "--json").json()
    assert isinstance(listed, dict)
    return list(listed["items"])


def test_a_member_proposes_an_event_and_it_waits_for_review_under_their_name(
    served: str, cli: Cli, workspace: Path
) -> None:
    url = f"{served}/t/{token_for(cli, 'propose', 'Jardin partagé des Alpes')}/propose"
    session = requests.Session()
    csrf = _open(session, url)
    sent = _send(session, url, csrf, EVENT, picture=("graines.png", _png(), "image/png"))
    assert sent.status_code == 303, sent.text
    thanks = session.get(url + "?" + sent.headers["location"].split("?")[1], timeout=10)
    assert "Thank you: your proposal (no. 1) was received" in thanks.text
    [draft] = _drafts(cli)
    assert draft["source"] == "Jardin partagé des Alpes"
    assert draft["kind"] == "event"
    assert draft["title"] == "Troc de graines au jardin : venez nombreux 🌱"
    assert "<script>" not in draft["body"]
    assert "alert" not in draft["body"]
    assert "graines & vos boutures" in draft["body"]
    assert "utm_source=form&utm_medium=crosspost_relay" in draft["body"]
    assert draft["event_start"] == "2026-12-13T13:00:00Z"
    assert draft["image"].startswith(str(workspace / "media"))
    assert Path(draft["image"]).read_bytes() == _png()
    assert draft["alt"] == "Des sachets de graines sur une table"
    # Approved and published like any draft.
    cli("approve", "1", "--at", "now")
    cli("run", "--once")
    shown = cli("show", "1", "--json").json()
    assert isinstance(shown, dict)
    assert {d["state"] for d in shown["deliveries"]} == {"published"}


def test_every_refusal_writes_nothing(served: str, cli: Cli) -> None:
    propose = token_for(cli, "propose", "Jardin partagé")
    calendar = token_for(cli, "calendar", "Agenda")
    url = f"{served}/t/{propose}/propose"
    session = requests.Session()

    def send(fields: dict[str, str], target: str = url, **files: Any) -> requests.Response:
        # Each page shown carries a new CSRF token (and cookie): open the form each time.
        return _send(session, target, _open(session, url), fields, **files)

    stale = _open(session, url)
    _open(session, url)  # the form opened again in another tab: the first token is stale
    fake_picture = ("graines.png", b"<?php echo 'not a picture'; ?>" * 10, "image/png")
    big = ("big.png", _png() + b"\0" * (7 * 1024 * 1024), "image/png")
    refusals = {
        "no csrf": (_send(session, url, None, EVENT), 403),
        "forged csrf": (_send(session, url, "abc.def", EVENT), 403),
        "stale csrf": (_send(session, url, stale, EVENT), 403),
        "no cookie": (_send(requests.Session(), url, _open(session, url), EVENT), 403),
        "wrong token": (send(EVENT, f"{served}/t/nope/propose"), 404),
        "calendar token": (send(EVENT, f"{served}/t/{calendar}/propose"), 404),
        "not a picture": (send(EVENT, picture=fake_picture), 400),
        "too big": (send(EVENT, picture=big), 413),
        "past event": (send(EVENT | {"event_start": "2026-11-01T10:00", "event_end": ""}), 400),
        "bad link": (send(EVENT | {"link": "javascript:alert(1)"}), 400),
        "no kind": (send(EVENT | {"kind": "petition"}), 400),
    }
    for what, (answer, status) in refusals.items():
        assert answer.status_code == status, (what, answer.status_code, answer.text[:300])
    assert "expected a JPEG, PNG, GIF or WebP picture" in refusals["not a picture"][0].text
    past = refusals["past event"][0].text
    assert "event_start:" in past
    assert "already passed" in past
    assert "link: expected a web address" in refusals["bad link"][0].text
    # What was typed comes back in the form, escaped, so nothing is lost.
    assert "Troc de graines &lt;b&gt;au jardin&lt;/b&gt;" in refusals["bad link"][0].text
    assert _drafts(cli) == []
    listed = cli("list", "--json").json()
    assert listed == []


def test_a_member_sending_too_many_proposals_is_slowed_down(served: str, cli: Cli) -> None:
    url = f"{served}/t/{token_for(cli, 'propose', 'Bavard')}/propose"
    session = requests.Session()
    codes = []
    for n in range(11):
        csrf = _open(session, url)
        codes.append(_send(session, url, csrf, EVENT | {"title": f"Proposition {n}"}).status_code)
    assert codes == [303] * 10 + [429]
    assert len(_drafts(cli)) == 10
