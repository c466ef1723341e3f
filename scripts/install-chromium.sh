#!/usr/bin/env bash
# Installs headless Chromium (Debian's `chromium` package) for tests/test_serve_browser.py,
# only when it is missing. Needs root (or sudo) and apt; elsewhere it says what to do and the
# browser test skips with that reason.
set -euo pipefail

for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then
    echo "install-chromium: $(command -v "$candidate") already installed"
    exit 0
  fi
done

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get here; install Chromium yourself (the browser test skips without it)" >&2
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "install-chromium: not root and no sudo; the browser test will skip" >&2
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# fonts-dejavu-core: xterm.js measures a monospace glyph to size the terminal; without recommends
# it is still pulled in by fontconfig, named here so that never depends on an alternative.
$sudo apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
command -v chromium
