"""The French catalog: complete, in step with the code, compiled as shipped, switchable."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from crosspost.i18n import LOCALE_DIR, _, ngettext
from crosspost.language import using

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n_pot  # noqa: E402  (scripts/ is not a package)

PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "crosspost.po"
MO = PO.with_suffix(".mo")


def _catalog() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="fr")


def _ids(message: Message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def test_every_message_of_the_catalog_has_its_french() -> None:
    untranslated = [
        _ids(m)[0]
        for m in _catalog()
        if m.id
        and (not m.string or (not isinstance(m.string, str) and not all(m.string)) or m.fuzzy)
    ]
    assert untranslated == [], "translate in crosspost.po, then scripts/i18n.sh compile"


def test_every_sentence_of_the_code_is_in_the_catalog() -> None:
    # The same template as scripts/i18n.sh: the code's _() texts and the --help texts.
    in_code = {_ids(m) for m in i18n_pot.catalog() if m.id}
    in_catalog = {_ids(m) for m in _catalog() if m.id}
    assert ("Print the version and exit.",) in in_code, "the --help texts were not collected"
    assert ("{count} post", "{count} posts") in in_code
    missing = sorted(in_code - in_catalog)
    assert missing == [], "run scripts/i18n.sh and translate the new messages"


def test_the_shipped_mo_is_the_compiled_po() -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog())
    assert MO.read_bytes() == compiled.getvalue(), "run scripts/i18n.sh compile"


def test_the_catalog_counts_in_french_zero_and_one_are_singular() -> None:
    catalog = _catalog()
    assert catalog.num_plurals == 2
    assert catalog.plural_expr == "(n > 1)"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "« 3x » n'est pas un jour"),
        ("en", "'3x' is not a day"),
    ],
)
def test_the_language_is_chosen_at_each_call(language: str, expected: str) -> None:
    with using(language):  # type: ignore[arg-type]
        sentence = _("{part!r} is not a day; expected {days}").format(part="3x", days="…")
    assert sentence.startswith(expected)


def test_french_plurals_follow_french_rules() -> None:
    def posts(n: int) -> str:
        return ngettext("{count} post", "{count} posts", n).format(count=n)

    with using("fr"):
        french = [posts(n) for n in (0, 1, 2)]
    with using("en"):
        english = [posts(n) for n in (0, 1, 2)]
    assert french == ["0 publication", "1 publication", "2 publications"]
    assert english == ["0 posts", "1 post", "2 posts"]


def test_no_translated_literal_hides_inside_an_f_string() -> None:
    # pybabel does not look inside f-string fields: f"{_('event')}" would never reach the
    # catalog and stay English; such a text goes in a variable first.
    import re

    hidden = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("crosspost", "channels", "schedules")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"""\{(?:_|ngettext|pgettext)\(\s*['"]""", line)
    ]
    assert hidden == []


def test_help_of_the_main_commands_is_french_from_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import Cli

    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    out = " ".join(Cli()("health", "--help").out.split())
    assert "Par canal : les publications face aux objectifs de la ligne éditoriale" in out
    assert "Semaines passées à regarder (semaines complètes)." in out
    monkeypatch.setenv("LANG", "C.UTF-8")
    out = " ".join(Cli()("health", "--help").out.split())
    assert "Per channel: posts against the policy's targets" in out
