#!/usr/bin/env bash
# System tools some tests drive for real: tmux (the installed binary in a terminal) and headless
# Chromium (the app served as a web page). Installed only when missing; where they can't be
# installed, those tests skip and say why.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v tmux >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tmux >/dev/null
fi
bash scripts/install-chromium.sh >/dev/null || echo "install-test-tools: chromium not installed; the browser test will skip" >&2
exit 0
