#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests when it is missing (Playwright drives it; no
# browser is downloaded from anywhere else). Idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "chromium.sh: installing chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2
