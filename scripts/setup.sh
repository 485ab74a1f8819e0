#!/usr/bin/env bash
# Sets up a fresh Debian machine for uigate: the system browsers Playwright drives here
# (Debian's chromium, and firefox-esr over WebDriver BiDi), zip and unzip for the tests, then the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
# Playwright 1.64 drives Firefox over WebDriver BiDi with commands ESR 140 does not know
# (network.addDataCollector): an older one already installed is upgraded, not kept.
if command -v firefox-esr >/dev/null 2>&1; then
  esr=$(firefox-esr --version 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\)\..*/\1/p')
  if [ -n "$esr" ] && [ "$esr" -lt 153 ]; then
    echo "setup: firefox-esr $esr is too old for Playwright 1.64 (needs 153 or later): upgrading it"
    need+=(firefox-esr)
  fi
fi
# Info-ZIP: the tests open the zips uigate uploads to Lambda with an implementation not ours, and
# run the Test stage's zip of a function's folder.
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v zip >/dev/null 2>&1 || need+=(zip)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]} from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  esr=$(firefox-esr --version 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\)\..*/\1/p')
  if [ -n "$esr" ] && [ "$esr" -lt 153 ]; then
    echo "setup: Debian offers firefox-esr $esr only: enable its security updates (deb http://security.debian.org/debian-security <release>-security main); until then uigate reports Firefox tests errored" >&2
  fi
fi

npm ci --no-audit --no-fund
