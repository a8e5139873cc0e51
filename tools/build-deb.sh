#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/build-deb.sh [OUTDIR]: builds keytime's Debian package from this
# checkout's tracked files as they are in the working tree, with
# `dpkg-buildpackage -us -uc -b` in a copy (the checkout gets no build
# products), then runs lintian on it and fails on any error lintian reports.
# Leaves keytime_<version>_<arch>.deb and lintian.txt in OUTDIR (default
# build-deb/). Installs the packaging tools and build dependencies first
# when they are missing (as root).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-$TOP/build-deb}" && cd "${1:-$TOP/build-deb}" && pwd)
say() { echo "build-deb: $*" >&2; }
die() { say "$*"; exit 1; }

bash "$TOP/tools/install-deps.sh" dpkg-dev debhelper lintian fakeroot
bash "$TOP/tools/install-deps.sh"      # the build dependencies (debian/control's too)

version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
[ -n "$version" ] || die "no version on the first line of debian/changelog"
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/keytime-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SRC=$WORK/keytime-$version
mkdir "$SRC"
git -c safe.directory="$TOP" -C "$TOP" ls-files -z |
    while IFS= read -r -d '' f; do
        [ -e "$TOP/$f" ] && printf '%s\0' "$f"
    done |
    tar -C "$TOP" --null --no-recursion -T - -cf - | tar -C "$SRC" -xpf -

say "dpkg-buildpackage -us -uc -b (keytime $version)"
if ! (cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1; then
    tail -n 30 "$OUT/build.log" >&2
    die "dpkg-buildpackage failed (whole log: $OUT/build.log)"
fi
deb=$(ls "$WORK"/keytime_"$version"_*.deb)
rm -f "$OUT"/keytime_*.deb
cp "$deb" "$OUT/"
deb=$OUT/${deb##*/}

# lintian exits non-zero on errors; its warnings are kept in the file.
lintian --info "$WORK"/keytime_"$version"_*.changes >"$OUT/lintian.txt" 2>&1 && rc=0 || rc=$?
errors=$(grep -c '^E: ' "$OUT/lintian.txt" || true)
warnings=$(grep -c '^W: ' "$OUT/lintian.txt" || true)
say "lintian: $errors errors, $warnings warnings ($OUT/lintian.txt)"
if [ "$errors" -ne 0 ] || [ $rc -ne 0 ]; then
    grep '^E: ' "$OUT/lintian.txt" >&2 || tail -n 20 "$OUT/lintian.txt" >&2
    die "lintian reported errors"
fi
say "$deb ($(du -k "$deb" | cut -f1) KB)"

# The probes for arm64 too (a cross build of the BPF object only): the same
# programs as the package's own architecture.
sections() { llvm-objdump -h "$1" | awk '$2 ~ /^(tp_btf|tracepoint|raw_tp)\// { print $2 }' | sort; }
make -s -C "$SRC" bpf-object BPF_ARCH=arm64 B="$WORK/bpf" >/dev/null
make -s -C "$SRC" bpf-object B="$WORK/bpf" >/dev/null
native=$(ls -d "$WORK"/bpf/*/ | grep -v /arm64/ | head -n1)
[ -n "$(sections "$WORK/bpf/arm64/keytime.bpf.o")" ] &&
    [ "$(sections "$WORK/bpf/arm64/keytime.bpf.o")" = "$(sections "$native/keytime.bpf.o")" ] ||
    die "the arm64 BPF object does not have the programs of the ${native%/} one"
say "arm64 BPF object: $(sections "$WORK/bpf/arm64/keytime.bpf.o" | wc -l) programs, as on $(basename "$native")"
