#!/usr/bin/env bash
# Installs the Debian packages keytime needs to build and test, only those
# missing; with arguments, those packages instead (the make targets outside
# the normal test path: valgrind, fuzz). Safe to run repeatedly; does nothing
# when everything is present.
set -euo pipefail
packages=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
          liblua5.4-dev lua5.4 lua-cjson lua-argparse lua-filesystem libreadline-dev libcmocka-dev
          make gcc man-db bsdextrautils
          tmux)   # tests: the REPL at a pseudo-terminal
[ $# -gt 0 ] && packages=("$@")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
