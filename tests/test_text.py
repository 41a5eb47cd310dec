"""Markdown as the plain text of social posts: what the officer typed, marks aside."""

from __future__ import annotations

import pytest

from crosspost.text import lead_of, markdown_to_plain

UTM = "https://amis-du-quartier.example.org/agenda?utm_source=x&utm_medium=social&region=ara"
WIKI = "https://fr.wikipedia.org/wiki/Économie_sociale_et_solidaire"


@pytest.mark.parametrize(
    "typed",
    [
        UTM,
        WIKI,
        "https://fr.wikipedia.org/wiki/ESS_(économie)",
        "https://example.org/_brouillon_/page*2*.html",
        "https://example.org/?a[]=1&b_c_=2&copy=3",
        "www.amis-du-quartier.example.org/repair_cafe_",
        "#hashtag_avec_underscore",
        "#ESS_2026",
        "@asso_du_quartier",
        "@repair_cafe@mastodon.example.social",
        "jean_dupont_@amis-du-quartier.example.org",
    ],
)
def test_links_hashtags_mentions_and_addresses_pass_byte_for_byte(typed: str) -> None:
    text = f"Infos : {typed} 👨‍👩‍👧 merci !"

    assert markdown_to_plain(text) == text


def test_a_french_paragraph_keeps_every_character() -> None:
    text = (
        "Rendez-vous à 14h : l'ESS, c'est « nous » ! Inscription sur "
        f"{UTM} ou {WIKI} & co. &region, &reg sans point-virgule 🎉"
    )

    assert markdown_to_plain(text) == text


def test_link_inside_emphasis_loses_the_marks_not_the_link() -> None:
    text = f"**{UTM}** et _{WIKI}_ puis *voir {UTM}*."

    assert markdown_to_plain(text) == f"{UTM} et {WIKI} puis voir {UTM}."


def test_trailing_punctuation_and_brackets_are_not_part_of_the_link() -> None:
    text = f"(voir {WIKI}), ou {UTM}. Et https://fr.wikipedia.org/wiki/ESS_(économie) ?"

    assert markdown_to_plain(text) == text


def test_emphasis_headings_quotes_and_lists_lose_their_marks() -> None:
    text = (
        "# Repair café : **samedi**\n\n"
        "> On répare _ensemble_, ~~vite~~ bien.\n\n"
        "- un grille-pain\n"
        "- une lampe\n"
        "  - et son abat-jour\n\n"
        "1. venir\n"
        "2. réparer\n\n"
        "`code_inline_` reste"
    )

    assert markdown_to_plain(text) == (
        "Repair café : samedi\n\n"
        "On répare ensemble, vite bien.\n\n"
        "• un grille-pain\n"
        "• une lampe\n"
        "  • et son abat-jour\n\n"
        "1. venir\n"
        "2. réparer\n\n"
        "code_inline_ reste"
    )


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        (f"[le programme]({UTM})", f"le programme ({UTM})"),
        (f"[*Lire* l'article]({WIKI})", f"Lire l'article ({WIKI})"),
        (f"[{UTM}]({UTM})", UTM),
        ("[contact@asso.example.org](mailto:contact@asso.example.org)", "contact@asso.example.org"),
        (f"<{UTM}>", UTM),
        ("![Affiche : repair café](affiche.jpg) Venez !", "Affiche : repair café Venez !"),
        (f"[le lien][agenda]\n\n[agenda]: {UTM}", f"le lien ({UTM})"),
    ],
)
def test_markdown_links_and_images(typed: str, plain: str) -> None:
    assert markdown_to_plain(typed) == plain


def test_only_complete_entities_are_decoded() -> None:
    assert markdown_to_plain("Tom &amp; Léa &eacute;t&eacute; &reg x") == "Tom & Léa été &reg x"


def test_raw_html_is_kept_as_typed() -> None:
    assert markdown_to_plain("On vous <3 et <b>merci</b>") == "On vous <3 et <b>merci</b>"


def test_paragraphs_keep_their_lines_and_blank_lines_collapse() -> None:
    text = "Première ligne\ndeuxième ligne\n\n\n\nNouveau paragraphe #ESS"

    assert markdown_to_plain(text) == "Première ligne\ndeuxième ligne\n\nNouveau paragraphe #ESS"


def test_entity_numbers_are_not_hashtags() -> None:
    assert markdown_to_plain("l&#39;ESS et l&#x27;ESS") == "l'ESS et l'ESS"


def test_a_long_body_is_converted_in_linear_time() -> None:
    paragraph = f"Le conseil a voté **le budget** {UTM} _ici_ #ESS_2026 @asso.\n\n"

    plain = markdown_to_plain(paragraph * 3000)

    assert plain.count(UTM) == 3000
    assert plain.count("#ESS_2026") == 3000


def test_lead_is_the_first_paragraph_after_any_heading() -> None:
    text = "# Bilan\n\nOn a réparé **312 objets** : merci !\n\nLa suite, longue."

    assert lead_of(text) == "On a réparé 312 objets : merci !"


def test_lead_keeps_whole_sentences_when_the_paragraph_is_long() -> None:
    text = "M. le maire est venu. " + "On a réparé des lampes et des vélos cette année. " * 8

    lead = lead_of(text)

    assert lead == "M. le maire est venu. " + " ".join(
        ["On a réparé des lampes et des vélos cette année."] * 3
    )


def test_lead_without_a_sentence_end_is_cut_between_words() -> None:
    text = "réparation " * 40

    assert lead_of(text) == " ".join(["réparation"] * 18) + "…"
    assert len(lead_of(text)) <= 200
