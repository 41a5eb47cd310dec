"""crosspost.toml: where it is found, and errors that name the file, the key and the fix."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from crosspost.config import Settings, load_settings, parse_settings
from crosspost.errors import ConfigError
from crosspost.secrets import SecretSource
from tests.conftest import CONFIG, Cli


def _parse(text: str, tmp_path: Path) -> object:
    return parse_settings(text.encode(), tmp_path / "crosspost.toml")


def _error(text: str, tmp_path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        _parse(text, tmp_path)
    return str(caught.value)


def test_the_example_configuration_loads(tmp_path: Path) -> None:
    settings = parse_settings(CONFIG.encode(), tmp_path / "crosspost.toml")
    assert settings.zone.key == "Europe/Paris"
    assert set(settings.channels) == {"blog", "twitter", "facebook"}
    assert settings.database_url == f"sqlite:///{(tmp_path / 'crosspost.db').resolve()}"
    assert settings.routes[2].announce == ["twitter", "facebook"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('timezone = "Europe/Pari"', "timezone: unknown time zone 'Europe/Pari'"),
        ('timezon = "UTC"', "timezon: unknown key"),
        ('[channels.x]\ntype = "myspace"', "channels.x.type: unknown channel type 'myspace'"),
        ('[channels.x]\nmode = "live"', "channels.x.type: missing"),
        ('[channels.x]\ntype = "fake"\nmode = "sandbox"', "channels.x.mode: expected one of"),
        ('[channels.x]\ntype = "fake"\ncolour = "red"', "channels.x.colour: unknown key"),
        ('[[routes]]\nkind = "event"\nto = ["nowhere"]', "routes[1].to: no channel named"),
        ('[[routes]]\nkind = "fête"\nto = []', "routes[1].kind: unknown kind 'fête'"),
        ('[[routes]]\nkind = "event"\nto = []', "routes[1].to: expected at least one channel"),
        ('max_lateness = "soon"', "max_lateness: 'soon' is not a duration"),
        # A bare number could be minutes, hours or days: refused, never guessed.
        ("max_lateness = 6", 'max_lateness: 6 has no unit; expected a quoted duration like "30m"'),
        ('max_lateness = "6"', "max_lateness: '6' is not a duration"),
        ("[publisher]\nlease = 5", "publisher.lease: 5 has no unit; expected a quoted duration"),
        (
            '[[routes]]\nkind = "article"\nto = ["blog"]\nannounce_offset = 30',
            "routes[1].announce_offset: 30 has no unit",
        ),
        ("timezone = ", "not valid TOML"),
    ],
)
def test_errors_name_the_key_and_what_was_expected(
    tmp_path: Path, text: str, expected: str
) -> None:
    message = _error(text, tmp_path)
    assert message.startswith(str(tmp_path / "crosspost.toml"))
    assert expected in message


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('timezone = "Asia/Tokyo"')
    from_env = tmp_path / "env.toml"
    from_env.write_text('timezone = "America/Montreal"')
    here = tmp_path / "here"
    here.mkdir()
    (here / "crosspost.toml").write_text('timezone = "Europe/Brussels"')
    user = Path(os.environ["XDG_CONFIG_HOME"]) / "crosspost"
    user.mkdir(parents=True)
    (user / "crosspost.toml").write_text('timezone = "Africa/Dakar"')

    monkeypatch.chdir(tmp_path)
    assert load_settings(None).zone.key == "Africa/Dakar"
    monkeypatch.chdir(here)
    assert load_settings(None).zone.key == "Europe/Brussels"
    monkeypatch.setenv("CROSSPOST_CONFIG", str(from_env))
    assert load_settings(None).zone.key == "America/Montreal"
    assert load_settings(explicit).zone.key == "Asia/Tokyo"


def test_database_url_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSPOST_DATABASE_URL", "postgresql+psycopg://u:secret@db/crosspost")
    settings = parse_settings(b"", tmp_path / "crosspost.toml")
    assert settings.database_url == "postgresql+psycopg://u:secret@db/crosspost"


def test_secrets_file_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = tmp_path / "secrets.env"
    secrets.write_text("X_API_KEY=from-file\n# comment\nexport FB_PAGE_TOKEN='tok'\n")
    secrets.chmod(0o644)
    with pytest.raises(
        ConfigError, match=r"can be read by other users \(mode 644\); run: chmod 600"
    ):
        SecretSource(secrets).get("X_API_KEY")
    secrets.chmod(0o600)
    source = SecretSource(secrets)
    assert source.get("X_API_KEY") == "from-file"
    assert source.get("FB_PAGE_TOKEN") == "tok"
    monkeypatch.setenv("X_API_KEY", "from-env")
    assert source.get("X_API_KEY") == "from-env"


def test_missing_secret_names_the_variable_never_a_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        SecretSource(None).get("X_ACCESS_TOKEN")
    assert "the secret X_ACCESS_TOKEN is not set" in str(caught.value)


def test_durations_with_their_unit_and_zero_are_read(tmp_path: Path) -> None:
    text = 'max_lateness = "90m"\n' + CONFIG + '\n[publisher]\nlease = "2h"\nsweep = 0\n'
    settings = parse_settings(text.encode(), tmp_path / "crosspost.toml")
    assert settings.max_lateness == timedelta(minutes=90)
    assert settings.publisher.lease == timedelta(hours=2)
    assert settings.publisher.sweep == timedelta(0)


BLOG_ANNOUNCED = """\
[channels.blog]
type = "static-blog"
path = "site"
{site_url}

[channels.twitter]
type = "twitter"
mode = "{twitter_mode}"

[channels.facebook]
type = "facebook"
mode = "dry-run"
page_id = "1234567890"

[[routes]]
kind = "event"
to = ["facebook"]

[[routes]]
kind = "article"
to = ["blog"]
announce = ["twitter", "facebook"]
"""


def test_a_live_channel_cannot_announce_a_blog_without_its_address(tmp_path: Path) -> None:
    text = BLOG_ANNOUNCED.format(site_url="", twitter_mode="live")
    message = _error(text, tmp_path)
    assert message.startswith(f"{tmp_path / 'crosspost.toml'}: channels.blog.site_url: required")
    assert "live channels (twitter) announce this blog's posts (routes[2])" in message
    assert 'site_url = "https://www.example.org/"' in message

    explicit = BLOG_ANNOUNCED.format(site_url='site_url = "file:///srv/site"', twitter_mode="live")
    assert "channels.blog.site_url: is file:///srv/site/, a file on this computer" in _error(
        explicit, tmp_path
    )


@pytest.mark.parametrize(
    ("site_url", "twitter_mode"),
    [
        ("", "dry-run"),  # the demo: a dry run may show the file:// link
        ('site_url = "https://www.assoc-belleville.fr/"', "live"),
    ],
)
def test_a_blog_announced_in_dry_run_or_with_its_address_loads(
    tmp_path: Path, site_url: str, twitter_mode: str
) -> None:
    settings = _parse(BLOG_ANNOUNCED.format(site_url=site_url, twitter_mode=twitter_mode), tmp_path)
    assert isinstance(settings, Settings)
    assert set(settings.channels) == {"blog", "twitter", "facebook"}


def test_the_starter_loads_and_says_live_announcers_need_the_blog_address(
    tmp_path: Path,
) -> None:
    from crosspost.cli.setup import starter_config

    starter = starter_config("Europe/Paris")
    assert isinstance(_parse(starter, tmp_path), Settings)
    live = starter.replace('type = "twitter"\nmode = "dry-run"', 'type = "twitter"\nmode = "live"')
    assert live != starter
    assert "channels.blog.site_url: required" in _error(live, tmp_path)


def test_channels_check_names_the_missing_site_url(workspace: Path, cli: Cli) -> None:
    (workspace / "crosspost.toml").write_text(
        BLOG_ANNOUNCED.format(site_url="", twitter_mode="live"), encoding="utf-8"
    )
    result = cli("channels", "check", ok=False)
    assert result.code != 0
    assert "channels.blog.site_url: required" in result.err
    assert "Traceback" not in result.out + result.err
    assert not (workspace / "site").exists()  # nothing written
