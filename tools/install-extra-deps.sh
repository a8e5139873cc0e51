#!/usr/bin/env bash
# Installs the Debian packages named as arguments, only those missing. For
# the make targets outside the normal test path (valgrind, fuzz), so the
# normal build does not need them.
set -euo pipefail
missing=()
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-extra-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
fi
echo "install-extra-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
