"""French typography: the spacing rules, what they never touch, and event dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crosspost.text import event_when, markdown_to_html, markdown_to_plain
from crosspost.typography import NARROW_NBSP, NBSP, Style, polish, polish_markdown, styled

PARIS = ZoneInfo("Europe/Paris")
N = NARROW_NBSP


def shown(text: str) -> str:
    """The invisible spaces made visible: ⍽ narrow no-break, · no-break."""
    return text.replace(NARROW_NBSP, "⍽").replace(NBSP, "·")


@pytest.mark.parametrize(
    ("typed", "set_"),
    [
        ("Nous recrutons !", "Nous recrutons⍽!"),
        ("Nous recrutons!", "Nous recrutons⍽!"),
        ("Affiche: repair café", "Affiche⍽: repair café"),
        ("Affiche : repair café", "Affiche⍽: repair café"),
        ("Oui ; non", "Oui⍽; non"),
        ("Vraiment?!", "Vraiment⍽?!"),
        ("« Bonjour »", "«⍽Bonjour⍽»"),
        ("«Bonjour»", "«⍽Bonjour⍽»"),
        ("Note:", "Note⍽:"),
        ('Il a dit "oui"!', 'Il a dit "oui"⍽!'),
        # Times the French way; a time written 14:30 keeps its colon tight.
        ("Rendez-vous à 14h", "Rendez-vous à 14·h"),
        ("de 9h30 à 18h", "de 9·h·30 à 18·h"),
        ("à 14 h 30", "à 14·h·30"),
        ("Ouverture : 14:30", "Ouverture⍽: 14:30"),
        # Left exactly as typed.
        ("https://ex.org/?a=1&utm_source=x_y&utm_medium=a:b", None),
        ("Voir https://ex.org/a?b=1!", "Voir https://ex.org/a?b=1⍽!"),
        ("Bravo :tada::fr:", None),
        ("#ZéroDéchet #Repair_Café", None),
        ("@asso@mastodon.social", None),
        ("contact@asso.fr", None),
        ("24h/24, 7j/7, 1h30min, H2O, 3x4h", None),
        ("Déjà fait\u202f!", "Déjà fait⍽!"),
    ],
)
def test_spacing(typed: str, set_: str | None) -> None:
    assert shown(polish(typed)) == (set_ or typed)


def test_setting_twice_changes_nothing() -> None:
    once = polish("Affiche: « repair café » à 14h30 !")
    assert polish(once) == once


MARKDOWN = """\
**Attention**: venez nombreux! [le site](https://ex.org/a?b=1&utm_source=x "Titre : ok").

Code `a: b!` et ``x ? y``; fin?

```
python: print("x !")
```

    indented: code !

[ref]: https://ex.org/ref

![Affiche : café](affiche.png)! Un \\! échappé, &amp; et <https://ex.org/?q=1>.
"""


def test_markdown_keeps_its_code_links_and_syntax() -> None:
    assert shown(polish_markdown(MARKDOWN)) == (
        "**Attention**⍽: venez nombreux⍽! "
        '[le site](https://ex.org/a?b=1&utm_source=x "Titre : ok").\n'
        "\n"
        "Code `a: b!` et ``x ? y``⍽; fin⍽?\n"
        "\n"
        "```\n"
        'python: print("x !")\n'
        "```\n"
        "\n"
        "    indented: code !\n"
        "\n"
        "[ref]: https://ex.org/ref\n"
        "\n"
        "![Affiche⍽: café](affiche.png)⍽! Un \\! échappé, &amp; et <https://ex.org/?q=1>.\n"
    )


def test_markdown_renders_to_the_same_structure() -> None:
    """Links, images, code and reference definitions still work once the text is set."""
    html = markdown_to_html(polish_markdown(MARKDOWN))
    assert '<a href="https://ex.org/a?b=1&amp;utm_source=x" title="Titre : ok"' in html
    assert "<code>a: b!</code>" in html
    assert '<pre><code>python: print("x !")' in html
    assert f'<img alt="Affiche{N}: café" src="affiche.png">' in html
    plain = markdown_to_plain(polish_markdown(MARKDOWN))
    assert "le site (https://ex.org/a?b=1&utm_source=x)" in plain
    assert "Un ! échappé, & et https://ex.org/?q=1." in plain


# ---------------------------------------------------------------- event dates


@pytest.fixture
def french() -> Iterator[None]:
    with styled(Style("fr", 2026)):
        yield


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.usefixtures("french")
@pytest.mark.parametrize(
    ("start", "end", "written"),
    [
        (paris(2026, 12, 12, 14), None, "samedi 12 décembre à 14·h"),
        (paris(2026, 12, 12, 14, 30), None, "samedi 12 décembre à 14·h·30"),
        (paris(2027, 1, 9, 10), None, "samedi 9 janvier 2027 à 10·h"),  # not this year
        (paris(2026, 12, 1, 9, 5), None, "mardi 1er décembre à 9·h·05"),
        (paris(2026, 12, 12, 14), paris(2026, 12, 12, 18), "samedi 12 décembre de 14·h à 18·h"),
        (paris(2026, 12, 12, 20), paris(2026, 12, 13, 1), "samedi 12 décembre de 20·h jusqu'à 1·h"),
        (paris(2026, 12, 31, 20), paris(2027, 1, 1), "jeudi 31 décembre de 20·h à minuit"),
        (paris(2026, 7, 3), paris(2026, 7, 5), "du vendredi 3 au samedi 4 juillet"),
        (paris(2026, 7, 4), paris(2026, 7, 6), "du samedi 4 au dimanche 5 juillet"),
        (paris(2026, 7, 4, 10), paris(2026, 7, 5, 18),
         "du samedi 4 à 10·h au dimanche 5 juillet à 18·h"),
        (paris(2026, 11, 30, 10), paris(2026, 12, 1, 18),
         "du lundi 30 novembre à 10·h au mardi 1er décembre à 18·h"),
        (paris(2026, 12, 30), paris(2027, 1, 3),
         "du mercredi 30 décembre au samedi 2 janvier 2027"),
    ],
)  # fmt: skip
def test_event_dates(start: datetime, end: datetime | None, written: str) -> None:
    assert shown(event_when(start, end, PARIS)) == written


def test_event_dates_as_typed_without_french_typography() -> None:
    assert event_when(paris(2026, 12, 12, 14), paris(2026, 12, 12, 18), PARIS) == (
        "samedi 12 décembre 2026 de 14h00 à 18h00"
    )


@pytest.mark.parametrize(
    ("typed", "set_"),
    [
        ("a !\n\n~~~~\ncode !\n~~~\nstill code !\n~~~~~\nb !",
         "a⍽!\n\n~~~~\ncode !\n~~~\nstill code !\n~~~~~\nb⍽!"),
        ("x !\n\n```\nnever closed, code to the end !",
         "x⍽!\n\n```\nnever closed, code to the end !"),
        ("a !\n\n    code !\n    code2 !\nb !", "a⍽!\n\n    code !\n    code2 !\nb⍽!"),
        ("para !\n    not code: it goes on the paragraph !",
         "para⍽!\n    not code⍽: it goes on the paragraph⍽!"),
        ("Un `code\n\nlong` ! ", "Un `code\n\nlong`⍽! "),  # a code span stops at a blank line
    ],
)  # fmt: skip
def test_code_blocks_are_found_as_commonmark_finds_them(typed: str, set_: str) -> None:
    assert shown(polish_markdown(typed)) == set_


@pytest.mark.parametrize(
    "text",
    ["`" * 5000 + "x" * 5000, "a" * 50_000 + "@", ":" + "a" * 50_000, "` " * 20_000,
     ("```" + "x" * 50 + "\n") * 2000, "~" * 20_000 + "\n" + "a" * 20_000],
)  # fmt: skip
def test_a_long_or_odd_text_is_set_in_linear_time(text: str) -> None:
    """Before the runs were read possessively, the first of these took 25 s."""
    import time

    started = time.perf_counter()
    polish_markdown(text)
    polish(text)
    assert time.perf_counter() - started < 5
