"""Mobilizon: events in a group, against the fake Mobilizon (tests/support/fakeplatform).

What an officer would notice: the event's page has the right dates, place, picture and
text; an item that is not an event is refused before anything is sent; a lost answer
never makes two events; the session survives cron runs and the 15-minute token; the
password and tokens never show.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from channels import registry
from channels.base import (
    Ambiguous,
    AuthExpired,
    Channel,
    Permanent,
    PublishJob,
    RenderContext,
    Rendered,
)
from channels.mobilizon import MobilizonChannel, MobilizonSettings
from channels.mobilizon.channel import address
from crosspost.config import load_settings
from crosspost.domain import Attempt, Delivery, Item
from crosspost.errors import ConfigError
from crosspost.redact import redact
from crosspost.secrets import SecretSource
from tests.support.fakeplatform import FakePlatformServer
from tests.support.fakeplatform.media import tiny_png
from tests.support.fakeplatform.mobilizon import Mobilizon, mobilizon_of

PARIS = ZoneInfo("Europe/Paris")
EMAIL = "communication@asso-exemple.fr"
PASSWORD = "mot de passe sûr"
GROUP = "asso_exemple"
UTM = "https://asso.example.org/fete?utm_source=mobilizon&utm_medium=agenda&utm_campaign=fete_2026"
FETE = Item(
    id=7,
    kind="event",
    title="Fête de quartier : jeux, musique & buffet 🎉",
    body="Venez **nombreux** !\n\n<script>alert('x')</script>\n\n- jeux\n- musique",
    link=UTM,
    tags=("quartier", "fête", "Quartier"),
    event_start=datetime(2026, 6, 13, 12, 0, tzinfo=UTC),
    event_end=datetime(2026, 6, 13, 16, 30, tzinfo=UTC),
    location="Salle des fêtes, 12 rue de l'Église, 69001 Lyon",
)


@pytest.fixture
def fake() -> Iterator[FakePlatformServer]:
    with FakePlatformServer(seed=11) as server:
        yield server


@pytest.fixture
def instance(fake: FakePlatformServer) -> Mobilizon:
    return mobilizon_of(fake)


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOBILIZON_EMAIL", EMAIL)
    monkeypatch.setenv("MOBILIZON_PASSWORD", PASSWORD)


def build(fake: FakePlatformServer, base: Path, name: str = "agenda", **table: Any) -> Channel:
    settings = MobilizonSettings.model_validate(
        {"type": "mobilizon", "instance_url": fake.url, "group": GROUP, **table},
        context={"base_dir": base},
    )
    return registry.build(name, settings, SecretSource(None))


def render(channel: Channel, item: Item = FETE, **context: Any) -> Rendered:
    return channel.render(item, RenderContext(timezone=PARIS, **context))


def job(
    rendered: Rendered,
    item: Item = FETE,
    key: str = "delivery-key-1",
    *,
    due: datetime | None = None,
    progress: dict[str, Any] | None = None,
    saved: dict[str, Any] | None = None,
) -> PublishJob:
    delivery = Delivery(
        id=item.id,
        key=key,
        item=item,
        channel=rendered.channel,
        role="post",
        due_at=due or datetime.now(UTC),
        state="sending",
        progress=progress,
    )
    keep = saved.update if saved is not None else (lambda _p: None)
    return PublishJob(delivery, rendered, idempotency_key=key, save_progress=keep)


def test_the_type_is_registered_as_built_ins_are() -> None:
    assert registry.adapter_class("mobilizon") is MobilizonChannel


def test_an_event_becomes_a_group_event_with_its_dates_place_picture_and_safe_html(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    picture = tmp_path / "affiche.png"
    picture.write_bytes(tiny_png(8, 6))
    item = replace(FETE, image_path=str(picture), image_alt="Affiche de la fête")
    channel = build(fake, tmp_path)
    rendered = render(channel, item)
    assert channel.validate(rendered) == []

    receipt = channel.publish(job(rendered, item))

    (event,) = instance.events()
    assert receipt.url == event["url"] == f"{fake.url}/events/{receipt.remote_id}"
    assert requests.get(receipt.url, timeout=5).status_code == 200
    assert event["title"] == item.title
    assert event["beginsOn"] == datetime(2026, 6, 13, 12, 0, tzinfo=UTC)
    assert event["endsOn"] == datetime(2026, 6, 13, 16, 30, tzinfo=UTC)
    assert event["options"]["timezone"] == "Europe/Paris"
    assert event["attributedTo"]["preferredUsername"] == GROUP
    assert event["picture"]["alt"] == "Affiche de la fête"
    place = event["physicalAddress"]
    assert (place["locality"], place["postalCode"]) == ("Lyon", "69001")
    assert place["street"] == "12 rue de l'Église"
    assert place["description"] == item.location
    html = event["description"]
    assert "<strong>nombreux</strong>" in html
    assert "<script" not in html
    assert "utm_medium=agenda&amp;utm_campaign=fete_2026" in html
    assert [t["title"] for t in event["tags"]] == ["quartier", "fête"]
    assert event["visibility"] == "PUBLIC"
    assert event["draft"] is False


def test_the_rendered_text_says_when_and_where_in_local_time(
    fake: FakePlatformServer, tmp_path: Path
) -> None:
    text = render(build(fake, tmp_path)).text
    assert "Samedi 13 juin 2026 de 14h00 à 18h30" in text
    assert "69001 Lyon" in text
    assert UTM in text


def test_an_item_that_is_not_an_event_is_refused_before_sending(
    fake: FakePlatformServer, tmp_path: Path
) -> None:
    channel = build(fake, tmp_path)
    scoop = replace(FETE, kind="scoop", event_start=None, event_end=None)
    rendered = render(channel, scoop)

    errors = [p.message for p in channel.validate(rendered) if p.level == "error"]

    assert any("events only" in m and "scoop" in m for m in errors)
    assert any("event_start" in m for m in errors)
    with pytest.raises(Permanent):
        channel.publish(job(rendered, scoop))
    assert fake.requests == []


def test_a_route_sending_other_kinds_to_mobilizon_is_refused_by_the_config(
    tmp_path: Path,
) -> None:
    config = tmp_path / "crosspost.toml"
    config.write_text(
        '[channels.agenda]\ntype = "mobilizon"\ninstance_url = "https://mobilizon.fr"\n'
        'group = "asso_exemple"\n\n[[routes]]\nkind = ["event", "scoop"]\nto = ["agenda"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as refused:
        load_settings(config)
    assert "agenda" in str(refused.value)
    assert "scoop" in str(refused.value)
    assert "event" in str(refused.value)


def test_an_announcement_links_the_announced_page(fake: FakePlatformServer, tmp_path: Path) -> None:
    announced = "https://blog.asso.example.org/2026/fete"
    rendered = render(build(fake, tmp_path), role="announce", announced_url=announced)
    assert f'<a href="{announced}">' in rendered.request["event"]["description"]


def test_a_lost_answer_is_ambiguous_and_the_next_try_finds_the_event(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    channel = build(fake, tmp_path)
    saved: dict[str, Any] = {}
    fake.inject("lost_answer", platform="mobilizon")
    with pytest.raises(Ambiguous):
        channel.publish(job(render(channel), saved=saved))
    assert "sent_at" in saved

    again = channel.publish(job(render(channel), progress=saved))

    assert len(instance.events()) == 1
    assert again.remote_id == fake.creates[0].post_id


def test_find_existing_reads_back_past_many_newer_events_to_the_due_time(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    channel = build(fake, tmp_path)
    due = datetime.now(UTC) - timedelta(hours=3)
    ours = channel.publish(job(render(channel), due=due))
    for n in range(130):  # published by other tools since: newer than ours
        instance.add_event(GROUP, f"Atelier n°{n}", FETE.event_start or due)

    found = channel.find_existing(job(render(channel), due=due))

    assert found is not None
    assert found.remote_id == ours.remote_id
    assert channel.find_existing(job(render(channel), key="jamais-envoyee", due=due)) is None


def test_find_existing_cannot_tell_when_the_list_is_longer_than_it_reads(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    channel = build(fake, tmp_path)
    due = datetime.now(UTC) - timedelta(days=2)
    start = FETE.event_start or due
    for n in range(1001):
        instance.add_event(GROUP, f"Événement n°{n}", start)

    with pytest.raises(Permanent) as cannot:
        channel.find_existing(job(render(channel), due=due))
    assert "cannot tell" in cannot.value.message


def test_find_existing_stops_at_events_older_than_the_first_attempt(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    channel = build(fake, tmp_path)
    now = datetime.now(UTC)
    for n in range(200):
        old = now - timedelta(days=30, hours=n)
        instance.add_event(GROUP, f"Ancien n°{n}", old, inserted_at=old)
    attempt = Attempt(1, now - timedelta(minutes=5), None, "ambiguous", None, None, None)
    delivery_job = job(render(channel), due=now)
    delivery = replace(delivery_job.delivery, attempt_history=(attempt,))
    listed_before = len(fake.requests)

    assert channel.find_existing(replace(delivery_job, delivery=delivery)) is None
    pages = [r for r in fake.requests[listed_before:] if r.path == "/api"]
    assert len(pages) <= 5  # login, group, profiles, one page of events


def test_private_events_cannot_be_looked_up_when_the_default_profile_is_not_a_member(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    account = next(iter(instance.accounts.values()))
    other = instance.add_account("autre@asso-exemple.fr", "x", "benevole")
    account.person_ids.insert(0, other.id)  # the default profile is now not in the group
    channel = build(fake, tmp_path, visibility="private", identity="chargee_com")

    with pytest.raises(Permanent) as cannot:
        channel.find_existing(job(render(channel)))
    assert "cannot tell" in cannot.value.message


def test_the_session_is_kept_mode_600_and_reused_by_the_next_run(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    build(fake, tmp_path).check()
    session = tmp_path / "mobilizon-agenda.session"
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert PASSWORD not in session.read_text(encoding="utf-8")

    result = build(fake, tmp_path).check()  # a new process, as cron starts one

    assert result.ok
    assert instance.logins == 1


def test_an_expired_access_token_is_refreshed_not_logged_in_again(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    build(fake, tmp_path).check()
    instance.advance(16 * 60)

    channel = build(fake, tmp_path)
    channel.publish(job(render(channel)))

    assert (instance.logins, instance.refreshes) == (1, 1)
    assert len(instance.events()) == 1


def test_a_refused_token_and_a_used_refresh_token_end_in_a_new_login(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    build(fake, tmp_path).check()
    instance.revoke_sessions()

    channel = build(fake, tmp_path)
    receipt = channel.publish(job(render(channel)))

    assert instance.logins == 2
    assert receipt.url


def test_a_wrong_password_pauses_the_channel_naming_the_variables_not_the_value(
    fake: FakePlatformServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOBILIZON_PASSWORD", "mauvais-mot-de-passe-SECRET")
    channel = build(fake, tmp_path)

    with pytest.raises(AuthExpired) as paused:
        channel.publish(job(render(channel)))

    shown = redact(paused.value.message)
    assert "MOBILIZON_PASSWORD" in shown
    assert "MOBILIZON_EMAIL" in shown
    assert "mauvais-mot-de-passe-SECRET" not in shown


def test_tokens_are_redacted_from_what_is_shown(fake: FakePlatformServer, tmp_path: Path) -> None:
    build(fake, tmp_path).check()
    saved = (tmp_path / "mobilizon-agenda.session").read_text(encoding="utf-8")
    import json

    tokens = json.loads(saved)
    message = f"refused {tokens['access_token']} and {tokens['refresh_token']}"
    assert tokens["access_token"] not in redact(message)
    assert tokens["refresh_token"] not in redact(message)


def test_check_names_the_group_and_says_when_the_profile_cannot_create_events(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    ok = build(fake, tmp_path).check()
    assert ok.ok
    assert "Association Exemple" in ok.message

    group = next(iter(instance.groups.values()))
    group.members = dict.fromkeys(group.members, "MEMBER")
    refused = build(fake, tmp_path / "other").check()

    assert not refused.ok
    assert "moderator" in refused.message


def test_an_unknown_identity_lists_the_profiles(fake: FakePlatformServer, tmp_path: Path) -> None:
    with pytest.raises(Permanent) as unknown:
        build(fake, tmp_path, identity="tresorier").check()
    assert "@tresorier" in unknown.value.message
    assert "@chargee_com" in unknown.value.message


def test_the_picture_is_uploaded_once_across_tries(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    picture = tmp_path / "affiche.png"
    picture.write_bytes(tiny_png(4, 4))
    item = replace(FETE, image_path=str(picture), image_alt="Affiche")
    channel = build(fake, tmp_path)
    saved: dict[str, Any] = {}
    fake.inject("5xx", platform="mobilizon")
    with pytest.raises(Ambiguous):
        channel.publish(job(render(channel, item), item, saved=saved))

    channel.publish(job(render(channel, item), item, progress=saved))

    (media,) = instance.media()
    assert len(instance.events()) == 1
    assert instance.events()[0]["picture"]["id"] == media.id == saved["picture"]["media_id"]


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Place du Marché, Lyon", {"description": "Place du Marché, Lyon", "locality": "Lyon"}),
        ("En ligne", {"description": "En ligne"}),
        (
            "MJC, 3 allée des Tilleuls, 75011 Paris",
            {
                "description": "MJC, 3 allée des Tilleuls, 75011 Paris",
                "street": "3 allée des Tilleuls",
                "postalCode": "75011",
                "locality": "Paris",
            },
        ),
    ],
)
def test_the_place_becomes_a_mobilizon_address(place: str, expected: dict[str, str]) -> None:
    assert address(place) == expected


def test_settings_accept_the_group_as_its_address_shows_it(tmp_path: Path) -> None:
    settings = MobilizonSettings.model_validate(
        {
            "type": "mobilizon",
            "instance_url": "https://mobilizon.fr/",
            "group": "@asso@mobilizon.fr",
        },
        context={"base_dir": tmp_path},
    )
    assert settings.group == "asso"
    assert settings.instance_url == "https://mobilizon.fr"
    assert settings.session_file == tmp_path / "mobilizon-{channel}.session"
    with pytest.raises(ValueError, match="username"):
        MobilizonSettings.model_validate(
            {"type": "mobilizon", "instance_url": "https://mobilizon.fr", "group": "Asso Exemple"}
        )


def test_a_picture_is_known_by_its_bytes_not_its_name(
    fake: FakePlatformServer, instance: Mobilizon, tmp_path: Path
) -> None:
    png_named_jpeg = tmp_path / "Affiche été.jpg"
    png_named_jpeg.write_bytes(tiny_png(4, 4))
    not_a_picture = tmp_path / "affiche.png"
    not_a_picture.write_text("Fête de quartier : samedi", encoding="utf-8")
    channel = build(fake, tmp_path)

    refused = channel.validate(
        render(channel, replace(FETE, image_path=str(not_a_picture), image_alt="Affiche"))
    )
    item = replace(FETE, image_path=str(png_named_jpeg), image_alt="Affiche")
    rendered = render(channel, item)
    problems = channel.validate(rendered)
    channel.publish(job(rendered, item))

    assert [p.level for p in refused] == ["error"]
    assert "affiche.png" in refused[0].message
    assert "WebP" in refused[0].message
    assert problems == []
    (media,) = instance.media()
    assert (media.content_type, media.name) == ("image/png", "affiche-ete.png")


def test_a_variable_setting_holding_the_secret_itself_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="password_env must be a variable name") as refused:
        MobilizonSettings.model_validate(
            {
                "type": "mobilizon",
                "instance_url": "https://mobilizon.fr",
                "group": "asso",
                "password_env": "mot de passe à moi",
            }
        )
    assert "MOBILIZON_PASSWORD" in str(refused.value)


def test_a_picture_over_the_limit_is_refused_with_numbers_that_show_it(
    fake: FakePlatformServer, tmp_path: Path
) -> None:
    channel = build(fake, tmp_path)
    limit = 10 * 1024 * 1024  # max_picture_bytes, as shipped

    def refused(size: int) -> list[str]:
        picture = tmp_path / f"affiche-{size}.png"
        picture.write_bytes(tiny_png(4, 4).ljust(size, b"\0"))
        item = replace(FETE, image_path=str(picture), image_alt="Affiche")
        return [p.message for p in channel.validate(render(channel, item)) if p.level == "error"]

    assert refused(limit) == []
    assert refused(limit + 1) == [
        "image is 10,485,761 bytes; Mobilizon accepts up to 10,485,760 bytes (max_picture_bytes)"
    ]
    assert refused(int(12.5 * 1024 * 1024)) == [
        "image is 12.5 MB; Mobilizon accepts up to 10 MB (max_picture_bytes)"
    ]
