#!/usr/bin/env bash
# Install what the browser tests need, from Debian's packages, when it is missing: Chromium
# (Playwright drives it; no browser is downloaded from anywhere else) and strace (the test that
# proves Chromium sends nothing off the machine traces it). Only the packages and what they depend
# on: no recommended packages (they would bring daemons such as avahi-daemon), but the one font
# package Chromium recommends (fonts-liberation: pages lay out with the metrics they expect). Idempotent.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
command -v strace >/dev/null 2>&1 || missing+=(strace)
if [ "${#missing[@]}" = 0 ]; then exit 0; fi
echo "chromium.sh: installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
