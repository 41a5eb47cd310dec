#!/usr/bin/env bash
# Hugo and Jekyll for the static blog's build tests (tests/channels/test_static_site_generators.py).
#
#   bash scripts/static-site-generators.sh && CROSSPOST_REQUIRE_GENERATORS=1 pytest -m generators
#
# For Debian 12, as root (CI runs it on a clean machine). Idempotent and quiet: it
# installs only what is missing (Debian's `hugo`, `jekyll` and `faketime` packages), refreshing the
# package lists only when the first attempt fails, then prints nothing on success.
set -euo pipefail

missing=()
command -v hugo >/dev/null || missing+=(hugo)
command -v jekyll >/dev/null || missing+=(jekyll)
# Runs a build "in the same second" as a post is written (a Jekyll quirk's test).
command -v faketime >/dev/null || missing+=(faketime)
if [ ${#missing[@]} -gt 0 ]; then
    apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
    apt_install 2>/dev/null || { apt-get update -q >/dev/null && apt_install; }
fi
hugo version >/dev/null
jekyll --version >/dev/null
