"""`crosspost init`: a commented starter configuration, its database, and an example item."""

from __future__ import annotations

from pathlib import Path

import typer

from crosspost.cli.context import say
from crosspost.i18n import _
from crosspost.language import Language

app = typer.Typer()


#: What `init --example` writes beside crosspost.toml: the README tour's article and photo.
EXAMPLE_FILES = ("article.md", "photo.jpg")


def example_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "example"


def starter_config(timezone: str, language: Language | None = None) -> str:
    """The starter crosspost.toml, its comments in `language` (default: the one in force);
    both files hold the same settings (tests/cli/test_setup.py)."""
    from crosspost.language import current

    name = "starter.fr.toml" if (language or current()) == "fr" else "starter.toml"
    template = (Path(__file__).resolve().parent.parent / name).read_text("utf-8")
    return template.replace("{timezone}", timezone)


@app.command("init")
def init(
    directory: Path = typer.Argument(
        Path("."), help="Where to create crosspost.toml (default: here).", file_okay=False
    ),
    timezone: str = typer.Option(
        "Europe/Paris", "--timezone", help="Your time zone, e.g. Europe/Paris, America/Montreal."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing crosspost.toml."),
    example: bool = typer.Option(
        False,
        "--example",
        help="Also write article.md and photo.jpg, an article to try `crosspost add` with.",
    ),
) -> None:
    """Write a starter crosspost.toml (a static blog, four networks in dry-run) and the database."""
    from crosspost.config import parse_settings
    from crosspost.config_file import CONFIG_NAME
    from crosspost.errors import ConfigError
    from crosspost.store import Store

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_NAME
    if path.exists() and not force:
        raise ConfigError(
            _("{path} already exists; edit it, or run init --force to replace it").format(path=path)
        )
    if example:
        taken = [name for name in EXAMPLE_FILES if (directory / name).exists()]
        if taken:
            raise ConfigError(
                _(
                    "{files} already in {directory}: nothing was written; "
                    "move them away, or run init without --example"
                ).format(files=", ".join(taken), directory=directory)
            )
    text = starter_config(timezone)
    settings = parse_settings(text.encode("utf-8"), path)  # refuse a bad --timezone early
    path.write_text(text, encoding="utf-8")
    Store.open(settings.database_url).close()
    database = settings.database_url.removeprefix("sqlite:///")
    say(_("Created {path} and the database {database}.").format(path=path, database=database))
    if example:
        import shutil

        for name in EXAMPLE_FILES:
            shutil.copyfile(example_dir() / name, directory / name)
        article = directory / "article.md"
        say(_("Example: {article} (an article with its photo.jpg).").format(article=article))
        say(_("Next: crosspost add article.md   (then: crosspost list, crosspost preview ID)"))
        return
    say(_("Next: crosspost add --kind scoop --title 'Hello' --at +1h   (then: crosspost list)"))
