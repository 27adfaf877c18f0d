#!/usr/bin/env bash
# Installs what the browser tests need from Debian's packages when it is missing: Chromium
# (tests never download a browser of their own; playwright-core uses /usr/bin/chromium) and
# poppler-utils (the print test reads the PDFs Chromium makes with pdfinfo, pdftotext and
# pdftoppm).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
