#!/usr/bin/env bash
# The browser tests (tests/browser, marker `browser`) drive Debian's Chromium headless through
# chromedriver. Install both when they are missing, as ensure-postgres.sh does for PostgreSQL;
# say clearly what is missing when that is not possible (the browser tests then fail).
set -euo pipefail
chromium="${SSP_CHROMIUM:-/usr/bin/chromium}"
driver="${SSP_CHROMEDRIVER:-/usr/bin/chromedriver}"
if [ -x "$chromium" ] && [ -x "$driver" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
  echo "ensure-chromium: installing chromium and chromium-driver with apt-get" >&2
  if $sudo apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >&2; then
    exit 0
  fi
fi
echo "ensure-chromium: no $chromium and $driver; the browser-marked tests will fail." >&2
echo "  install them (apt-get install chromium chromium-driver) or set SSP_CHROMIUM/SSP_CHROMEDRIVER." >&2
exit 1
