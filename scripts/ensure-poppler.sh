#!/usr/bin/env bash
# The letter tests render each template's first page to PNG with pdftoppm (Debian's
# poppler-utils) for docs/letters/. Install it when it is missing and apt-get can, as
# ensure-chromium.sh does for the browser tests; say clearly what is missing otherwise.
# `./ssp test` stops on that failure (a CI run must not pass without the PNG check); a bare
# pytest run without pdftoppm skips the PNG test, or fails it when CI is set.
set -euo pipefail
if command -v pdftoppm >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo -n"; else sudo_cmd="false"; fi
  fi
  echo "ensure-poppler: installing poppler-utils (pdftoppm) for the letters' PNG previews" >&2
  if $sudo_cmd apt-get install -y --no-install-recommends poppler-utils >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update >/dev/null 2>&1 &&
      $sudo_cmd apt-get install -y --no-install-recommends poppler-utils >/dev/null 2>&1; }; then
    exit 0
  fi
fi
echo "ensure-poppler: pdftoppm is missing and could not be installed; install poppler-utils." >&2
exit 1
