"""Where crosspost.toml is, by the documented lookup order, and the language it declares.

Kept light (no pydantic, no channels) because `--help` asks it before anything else:
the help follows `language = "fr"` of the file without the file being validated.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from crosspost.language import LANGUAGES, Language

CONFIG_NAME = "crosspost.toml"
ENV_CONFIG = "CROSSPOST_CONFIG"

#: How the file was found: --config, $CROSSPOST_CONFIG, the current folder, the user's.
Origin = Literal["option", "environment", "here", "user"]


def user_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("crosspost")) / CONFIG_NAME


def locate(explicit: Path | None) -> tuple[Origin, Path] | None:
    """The file the lookup order points to (--config and $CROSSPOST_CONFIG even when it
    does not exist: they are what the officer asked for), None when there is none."""
    if explicit is not None:
        return "option", explicit
    from_env = os.environ.get(ENV_CONFIG)
    if from_env:
        return "environment", Path(from_env).expanduser()
    local = Path.cwd() / CONFIG_NAME
    if local.exists():
        return "here", local
    user = user_config_path()
    if user.exists():
        return "user", user
    return None


def declared_language(explicit: Path | None) -> Language | None:
    """The `language` of the config file, None when there is no file, no such key or the
    file cannot be read (the command itself then says what is wrong)."""
    found = locate(explicit)
    if found is None:
        return None
    try:
        data = tomllib.loads(found[1].read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    chosen = data.get("language")
    return chosen if chosen in LANGUAGES else None
