#!/bin/sh
# The French catalog: extract the messages from the code and the --help texts, merge them into the .po,
# compile the .mo that ships in the wheel. Run after changing any _() text, then fill
# the new msgstr in crosspost/locale/fr/LC_MESSAGES/crosspost.po and run it again.
#   scripts/i18n.sh            extract + update + compile
#   scripts/i18n.sh compile    compile only (after editing the .po)
set -eu
cd "$(dirname "$0")/.."
locale=crosspost/locale
pot=$locale/crosspost.pot
mkdir -p "$locale"
if [ "${1:-}" != compile ]; then
    python scripts/i18n_pot.py "$pot"
    # No fuzzy matching: a guessed translation of a changed sentence is worse than none
    # (tests/test_i18n.py then names the sentence still to translate). Width 90: the
    # catalog's own wrapping, so a run changes only the entries that changed.
    pybabel -q update -D crosspost -i "$pot" -d "$locale" -l fr --init-missing \
        --no-fuzzy-matching --ignore-obsolete --width 90
fi
pybabel -q compile -D crosspost -d "$locale" -l fr --statistics
