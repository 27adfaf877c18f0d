#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing. Tests never download a
# browser of their own (playwright-core uses /usr/bin/chromium).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing chromium from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
