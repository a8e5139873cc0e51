#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages keytime needs to build and test, only those
# missing; with arguments, those packages instead (the make targets outside
# the normal test path: valgrind, fuzz). Safe to run repeatedly; does nothing
# when everything is present.
set -euo pipefail
# Every command the build, the demo and the tests run, by package (checked on
# debootstrap --variant=minbase bookworm plus make: tools/fresh-machine.sh).
packages=(
    # build: keytime-run, keytime-ctl, the BPF object and its skeleton
    make gcc libc6-dev clang llvm bpftool pkg-config
    libbpf-dev libelf-dev zlib1g-dev liblua5.4-dev libreadline-dev
    libdw-dev           # user stacks: symbols by build-id (elfutils' libdwfl)
    libmicrohttpd-dev   # --metrics: the /metrics endpoint
    libzstd-dev         # --record: zstd-compressed recordings
    # scripts and tests: the Lua interpreter and the modules scripts require
    lua5.4 lua-cjson lua-argparse lua-filesystem
    libcmocka-dev   # unit tests
    procps          # tests: pgrep, ps
    util-linux      # tests: flock (the test lock), setpriv (runs as nobody)
    mawk            # tests and the bash completion: awk
    man-db          # tests: man -l renders the installed pages
    bsdextrautils   # tests: col -b
    tmux            # tests: the REPL at a pseudo-terminal
    git             # tests: script_safety.sh clones the checkout
    prometheus      # tests: a real Prometheus scrapes exporter.lua (promtool too)
    podman runc     # tests: a real container for --container (cgroup_podman.sh)
)
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
# One of ours at a time: CI runs two make vmtest side by side, and apt's lock
# on its lists makes a second `apt-get update` fail, not wait (the timeout
# below is for dpkg's lock only, against other installers).
exec 8>/tmp/keytime-apt.lock
flock 8
lock_wait=(-o DPkg::Lock::Timeout=900)
apt-get "${lock_wait[@]}" update -qq
apt-get "${lock_wait[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
