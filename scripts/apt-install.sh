#!/usr/bin/env bash
# Installs Debian packages for `make windows` / `make windows-test`, with sudo when
# not root.
set -euo pipefail
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get install -y -q "$@" || { run apt-get update -q && run apt-get install -y -q "$@"; }
