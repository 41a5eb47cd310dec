"""Every sentence an officer reads, in their language: gettext catalogs under crosspost/locale.

The English text is the message id; the French lives in
crosspost/locale/fr/LC_MESSAGES/crosspost.po, compiled to crosspost.mo (scripts/i18n.sh,
Babel). The language is asked of `crosspost.language.current()` at each call, not at
import, so the CLI (once crosspost.toml is read) and tests can switch it at run time.

Placeholders are named (`_("{shown} has already passed").format(shown=...)`) so a
translation may put them in another order.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from crosspost.language import Language, current

DOMAIN = "crosspost"
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(language: Language) -> gettext.NullTranslations:
    """The catalog of `language` (English is the message ids themselves)."""
    if language == "en":
        return gettext.NullTranslations()
    # No fallback: a wheel without its compiled catalog is a packaging mistake, and
    # tests/test_i18n.py must see it rather than get English quietly.
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])


def _(message: str) -> str:
    """`message` in the language in force."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` in the language in force (French: 0 and 1 are singular)."""
    return translations(current()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` where the same English says different things ('May' the month, 'May' cut short)."""
    return translations(current()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for extraction where it cannot be translated yet (a module constant);
    it is passed through `_()` where it is shown."""
    return message


__all__ = ["DOMAIN", "LOCALE_DIR", "N_", "_", "ngettext", "pgettext", "translations"]
