#!/usr/bin/env bash
# Sets up a fresh Debian machine for uigate: the system browsers Playwright drives here
# (Debian's chromium, and firefox-esr over WebDriver BiDi), zip and unzip for the tests, then the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
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
fi

npm ci --no-audit --no-fund
