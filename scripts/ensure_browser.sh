#!/usr/bin/env bash
# The set-up the browser tests (tests/e2e/) need, run by `make test`:
# Chromium and a Japanese font, so screenshots in test-artifacts/ are legible.
#   1. Chromium there (CHROMIUM_PATH, else `chromium` on PATH, else
#      /usr/bin/chromium): nothing to do (as root, the font is added if missing).
#   2. Root (as .ci/run runs): Debian's chromium + fonts-noto-cjk with apt-get.
#   3. Otherwise: Playwright's own browser (`playwright install chromium`).
#   4. Neither worked: say so; the browser tests then skip with that reason.
# Never fails: a missing browser must not stop the rest of the suite.
# APT_GET, PLAYWRIGHT and ENSURE_BROWSER_UID exist so tests can exercise each
# branch without touching this machine's packages.
set -uo pipefail

APT_GET=${APT_GET:-apt-get}
PLAYWRIGHT=${PLAYWRIGHT:-.venv/bin/playwright}
uid=${ENSURE_BROWSER_UID:-$(id -u)}

chromium_path() {
  if [[ -n "${CHROMIUM_PATH:-}" ]]; then
    [[ -x "$CHROMIUM_PATH" ]] && echo "$CHROMIUM_PATH"
  else
    command -v chromium 2>/dev/null || { [[ -x /usr/bin/chromium ]] && echo /usr/bin/chromium; }
  fi
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive "$APT_GET" update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive "$APT_GET" install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

if path=$(chromium_path) && [[ -n "$path" ]]; then
  if [[ "$uid" == 0 ]] && command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
    echo "ensure_browser: adding the Japanese font (fonts-noto-cjk)"
    apt_install fonts-noto-cjk || echo "ensure_browser: could not install fonts-noto-cjk" >&2
  fi
  echo "ensure_browser: Chromium at $path"
  exit 0
fi

if [[ "$uid" == 0 ]]; then
  echo "ensure_browser: Chromium missing; installing Debian's chromium and fonts-noto-cjk"
  if apt_install chromium fonts-noto-cjk && path=$(chromium_path) && [[ -n "$path" ]]; then
    echo "ensure_browser: Chromium at $path"
    exit 0
  fi
  echo "ensure_browser: apt-get could not install chromium" >&2
fi

echo "ensure_browser: trying Playwright's own Chromium (playwright install chromium)"
if "$PLAYWRIGHT" install chromium >/dev/null 2>&1; then
  echo "ensure_browser: Playwright's Chromium installed"
  exit 0
fi

echo "ensure_browser: no Chromium could be installed; the browser tests will be skipped" >&2
exit 0
