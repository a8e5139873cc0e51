#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/fresh-machine.sh [MAKE-TARGET...]: checks that the README's set-up
# works on a fresh machine. Runs `make test` (or the targets given) as root in
# a chroot holding a minimal Debian 12 (debootstrap --variant=minbase
# bookworm, plus make and nothing else) and a copy of this checkout's tracked
# files as they are in the working tree (uncommitted edits included).
# Prints the suite's output, the time each phase took and the suite's last
# line; exits 0 only if every target succeeded. `make fresh-check` runs it.
# With --deb FILE instead: installs that keytime package in the root with
# apt-get and runs tests/package/check-installed.sh there (`make deb-check`).
#
# The minimal root is built once and kept as a tarball in $KEYTIME_FRESH_CACHE
# (default /var/cache/keytime-fresh), rebuilt when older than
# $KEYTIME_FRESH_MAX_DAYS (30) or with KEYTIME_FRESH_REFRESH=1. The .deb files
# that apt-get downloads inside the root are kept there too (apt-archives/),
# so later runs install the same packages without downloading them again.
# KEYTIME_FRESH_MIRROR picks the Debian mirror.
#
# Mounted in the root: /proc, /sys (recursively: cgroups, BTF; keytime mounts
# tracefs and bpffs itself when they are missing), /dev (with /dev/pts, for
# tmux), and the host's /tmp/keytime-tests.lock, so that the root's
# integration tests never run at the same time as another checkout's. Every
# mount is undone on exit, also on failure or Ctrl-C.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${KEYTIME_FRESH_CACHE:-/var/cache/keytime-fresh}
MIRROR=${KEYTIME_FRESH_MIRROR:-http://deb.debian.org/debian}
MAX_DAYS=${KEYTIME_FRESH_MAX_DAYS:-30}
SUITE=bookworm
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
TARBALL=$CACHE/$SUITE-minbase-make-$ARCH.tar.gz
LOCK=/tmp/keytime-tests.lock
SRC=/root/keytime          # where the checkout goes inside the root
DEB=
if [ "${1:-}" = --deb ]; then
    DEB=$(realpath "${2:?--deb needs a .deb file}")
    shift 2
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(test)

say() { echo "fresh-machine: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, mount)"

phases=()
phase_start=0
begin() { phase_name=$1; phase_start=$(date +%s.%N); say "== $1"; }
end() {
    local t
    t=$(awk -v a="$phase_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    phases+=("$(printf '%-28s %8s s' "$phase_name" "$t")")
}

WORK=
ROOT=
BUILD=
# Processes whose root directory is inside $1 (a chroot's, or debootstrap's).
# One find, no process per pid: the pids may be many thousands.
pids_under() {
    find /proc/[0-9]*/root -maxdepth 0 \( -lname "$1" -o -lname "$1/*" \) 2>/dev/null |
        awk -F/ '{ print $3 }'
    return 0
}
# Mount points inside $1, deepest first.
mounts_under() {
    findmnt -rn -o TARGET 2>/dev/null | awk -v r="$1" 'index($0, r "/") == 1 || $0 == r' | sort -r
}
# Ends what runs in folder $1 (TERM first, so that tracers remove their
# probes and pins, then KILL), unmounts everything inside it and removes it;
# leaves it in place, and fails, if something stays mounted.
tear_down() {
    local dir=$1 i pids m left
    for i in $(seq 50); do
        pids=$(pids_under "$dir")
        [ -z "$pids" ] && break
        if [ "$i" -eq 1 ]; then kill -TERM $pids 2>/dev/null || true
        elif [ "$i" -ge 40 ]; then kill -KILL $pids 2>/dev/null || true
        fi
        sleep 0.2
    done
    for m in $(mounts_under "$dir"); do
        umount -R "$m" 2>/dev/null || true
    done
    for m in $(mounts_under "$dir"); do
        umount -R -l "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    left=$(mounts_under "$dir")
    if [ -n "$left" ]; then
        say "could not unmount, leaving $dir in place: $left"
        return 1
    fi
    rm -rf --one-file-system "$dir"
}
cleanup() {
    local rc=$?
    trap '' INT TERM
    if [ -n "$BUILD" ]; then tear_down "$BUILD" || rc=1; fi
    if [ -n "$WORK" ]; then tear_down "$WORK" || rc=1; fi
    exit $rc
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# ---- phase: host tools ---------------------------------------------------------
begin "host tools"
command -v debootstrap >/dev/null || bash "$TOP/tools/install-deps.sh" debootstrap
command -v git >/dev/null || bash "$TOP/tools/install-deps.sh" git
end

# ---- phase: the minimal root ---------------------------------------------------
mkdir -p "$CACHE/apt-archives/partial"
# The cached tarball: built under a lock (two runs at once build it once),
# written to a temporary name and renamed, so it is never seen half written.
fresh_tarball() {
    [ -s "$TARBALL" ] && [ "${KEYTIME_FRESH_REFRESH:-0}" != 1 ] &&
        [ -n "$(find "$TARBALL" -mtime -"$MAX_DAYS" 2>/dev/null)" ]
}
begin "minimal root (cached)"
if ! fresh_tarball; then
    exec 8>"$CACHE/.lock"
    flock 8
    if ! fresh_tarball; then
        phase_name="minimal root (debootstrap)"
        BUILD=$(mktemp -d "$CACHE/.build.XXXXXX")
        say "debootstrap --variant=minbase --include=make $SUITE ($MIRROR)"
        if ! debootstrap --variant=minbase --include=make "$SUITE" "$BUILD/root" "$MIRROR" \
                >"$BUILD/debootstrap.log" 2>&1; then
            tail -n 20 "$BUILD/debootstrap.log" >&2
            die "debootstrap failed"
        fi
        rm -f "$BUILD"/root/var/cache/apt/archives/*.deb
        tar --numeric-owner --xattrs --xattrs-include='*' -C "$BUILD/root" -czf "$BUILD/root.tar.gz" .
        mv -f "$BUILD/root.tar.gz" "$TARBALL"
        tear_down "$BUILD"
        BUILD=
    fi
    exec 8>&-
fi
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/keytime-fresh.XXXXXX")
ROOT=$WORK/root
mkdir "$ROOT"
tar --numeric-owner --xattrs --xattrs-include='*' -C "$ROOT" -xpzf "$TARBALL"
end

# ---- phase: the checkout (or the package) --------------------------------------
if [ -n "$DEB" ]; then
    begin "copy of the package"
    cp "$DEB" "$TOP/tests/package/check-installed.sh" "$ROOT/root/"
    end
else
begin "copy of the checkout"
mkdir -p "$ROOT$SRC"
# Tracked files as they are in the working tree; a tracked file deleted there
# is left out, as a commit of the working tree would.
git -c safe.directory="$TOP" -C "$TOP" ls-files -z |
    while IFS= read -r -d '' f; do
        [ -e "$TOP/$f" ] || [ -L "$TOP/$f" ] && printf '%s\0' "$f"
    done |
    tar -C "$TOP" --null --no-recursion -T - -cf - | tar -C "$ROOT$SRC" -xpf -
# A git repository, as a clone is (script_safety.sh clones it), whose one
# commit is that working tree. Made with the host's git: the root has no git
# until `make test` installs it.
git -C "$ROOT$SRC" -c init.defaultBranch=main init -q
git -C "$ROOT$SRC" add -f -A
git -C "$ROOT$SRC" -c user.name=fresh-machine -c user.email=fresh-machine@localhost \
    commit -q -m "working tree of $(git -c safe.directory="$TOP" -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)"
say "$(git -C "$ROOT$SRC" ls-files | wc -l) files in $SRC"
end
fi

# ---- phase: mounts -------------------------------------------------------------
begin "mounts"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --make-rslave "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
mount --make-rslave "$ROOT/dev"
mount --bind "$CACHE/apt-archives" "$ROOT/var/cache/apt/archives"
[ -e "$LOCK" ] || : >>"$LOCK"
: >"$ROOT$LOCK"
mount --bind "$LOCK" "$ROOT$LOCK"
end

# ---- phase: the README's commands -----------------------------------------------
envs=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
      TERM="${TERM:-dumb}")
for v in http_proxy https_proxy no_proxy; do
    [ -n "${!v:-}" ] && envs+=("$v=${!v}")
done
LOG=$WORK/make.log
rc=0
if [ -n "$DEB" ]; then
    begin "install the package and check it"
    (
        chroot "$ROOT" /usr/bin/env -i --default-signal "${envs[@]}" \
            /bin/bash /root/check-installed.sh "/root/${DEB##*/}" 2>&1 | tee -a "$LOG"
        exit "${PIPESTATUS[0]}"
    ) &
    wait $! || { rc=$?; say "the installed package failed its check (exit status $rc)"; }
    end
    targets=()
fi
for t in "${targets[@]}"; do
    begin "make $t"
    # In the background, so that a signal to this script runs its trap at
    # once; env --default-signal undoes the SIGINT and SIGQUIT that a
    # background job of a script starts ignoring.
    (
        chroot "$ROOT" /usr/bin/env -i --default-signal "${envs[@]}" \
            /bin/bash -c 'cd "$1" && exec make "$2"' bash "$SRC" "$t" 2>&1 | tee -a "$LOG"
        exit "${PIPESTATUS[0]}"
    ) &
    wait $! || { rc=$?; say "make $t: exit status $rc"; }
    end
    [ $rc -eq 0 ] || break
done

echo
say "time per phase:"
printf '    %s\n' "${phases[@]}" >&2
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG" | tail -n1 || true)
if [ -n "$DEB" ] || [[ " ${targets[*]} " == *" test "* ]]; then
    [ -n "$summary" ] || { say "the suite printed no 'N passed, N failed, N skipped' line"; rc=1; }
    say "suite: ${summary:-none}"
fi
exit $rc
