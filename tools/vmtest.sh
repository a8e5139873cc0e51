#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make vmtest KERNEL=...: the whole test suite in another kernel, under qemu.
# make vmbench KERNEL=...: bench/run.sh there instead (VMTEST_MAKE=bench).
#
#   tools/vmtest.sh KERNEL
#     KERNEL: a Debian kernel package (linux-image-6.1.0-57-amd64,
#             linux-image-6.12.117+deb12-amd64, ...), a shorthand X.Y for the
#             newest Debian 12 package of that series (6.1, 6.12), or the path
#             of a vmlinuz (its modules are looked for in /lib/modules/VERSION
#             or ../lib/modules/VERSION beside it; without them the kernel must
#             have virtio_pci, virtio_blk and ext4 built in).
#
# The guest boots a Debian 12 root (debootstrap minbase plus exactly the
# packages tools/install-deps.sh installs), cached in $VMTEST_CACHE and keyed
# by a hash of tools/install-deps.sh; the working tree's tracked files are
# copied to a second disk, built there by the guest (the probes load there
# with the guest kernel's BTF) and tested with `make test`. The suite's output comes on the
# serial console; the last line printed is the suite's "N passed, N failed,
# N skipped". Exit status 0 only when the suite passed in the guest.
#
# With VMTEST_MAKE=bench the guest runs bench/run.sh instead (make all, then
# the bench; the BENCH_* variables are passed on) on a root of its own that
# also holds the tools compared with (bpfcc-tools, bpftrace, libbpf-tools,
# curl) and linux-headers-RELEASE of the booted kernel, which BCC compiles
# against; that root is keyed by the kernel release too. The bench's table
# is left in VMTEST_WORK/RESULTS.md. Its two vCPUs share one host thread
# (single-threaded TCG), as the suite's do: with two host threads (multi) a
# 6.1 guest hung at the bench's first keytime row, and runs of the same
# command disagreed by up to 0.8x (bench/RESULTS.md, 2026-12-01).
#
# Environment:
#   VMTEST_CACHE     cache folder (default /var/cache/keytime-vmtest)
#   VMTEST_TIMEOUT   seconds before the guest is killed (default 3600: a whole
#                    6.1 run, root built, took 2325 s beside a 6.12 one; room
#                    for one test that hangs to its 480 s limit, twice)
#   VMTEST_WORK      where the logs are left (default build-vm/NAME)
#   VMTEST_ONLY      run only the tests whose name contains this, or one of A,B,... (tests/run.sh ARG)
#   VMTEST_UNTRACKED 1: copy untracked (not ignored) files too
#   VMTEST_HEAD      1: test the last commit (git archive HEAD), not the working tree
#   VMTEST_KEEP      1: keep the project disk image (in VMTEST_WORK)
#   VMTEST_MIRROR    Debian mirror (default http://deb.debian.org/debian)
#   VMTEST_MAKE      test (default) or bench
#   VMTEST_TCG       qemu's TCG threads: single (the default: multi once
#                    locked a 6.1 guest up during the suite, and once hung
#                    one in the bench) or multi
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

CACHE=${VMTEST_CACHE:-/var/cache/keytime-vmtest}
MAKE_WHAT=${VMTEST_MAKE:-test}
case $MAKE_WHAT in
test) TIMEOUT=${VMTEST_TIMEOUT:-3600}; TCG=${VMTEST_TCG:-single} ;;
bench) TIMEOUT=${VMTEST_TIMEOUT:-5400}; TCG=${VMTEST_TCG:-single} ;;
*) echo "vmtest: VMTEST_MAKE=$MAKE_WHAT: test or bench" >&2; exit 1 ;;
esac
case $TCG in single|multi) ;; *) echo "vmtest: VMTEST_TCG=$TCG: single or multi" >&2; exit 1 ;; esac
MIRROR=${VMTEST_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# Bump when the way the root is made changes (the hash of install-deps.sh is
# the other part of its key).
ROOT_RECIPE=1

log() { echo "vmtest: $*" >&2; }
# apt's lists are not ours alone: the other vmtest of a CI run may be updating
# them (tools/install-deps.sh takes the same lock).
apt_locked() { flock /tmp/keytime-apt.lock "$@"; }
die() { echo "vmtest: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

[ $# -eq 1 ] && [ -n "$1" ] ||
    die "usage: make vmtest KERNEL=<6.1|6.12|linux-image-...-amd64|/path/to/vmlinuz>"
KERNEL=$1
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"

bash tools/install-deps.sh qemu-system-x86 debootstrap busybox-static cpio e2fsprogs \
    kmod zstd xz-utils util-linux ||
    die "cannot install the host's packages"
mkdir -p "$CACHE"

# Everything written to the cache goes to a temporary name first and is renamed
# when complete; builds hold a lock so parallel runs do not build twice.
exec 9> "$CACHE/.lock"
lock() { flock 9; }
unlock() { flock -u 9; }

tmpdirs=()
cleanup() {
    local d
    for d in "${tmpdirs[@]}"; do
        # Never follow into a mount (the chroot's were in a private namespace).
        [ -d "$d" ] && rm -rf --one-file-system "$d"
    done
    return 0
}
trap cleanup EXIT
qpid=
trap '[ -n "$qpid" ] && kill "$qpid" 2>/dev/null; exit 143' TERM INT HUP
mktmp() {   # VAR: a new temporary folder in the cache (same file system: mv renames)
    local d
    d=$(mktemp -d "$CACHE/tmp.XXXXXX")
    tmpdirs+=("$d")
    printf -v "$1" '%s' "$d"
}
# Left by runs that were killed.
find "$CACHE" -maxdepth 1 -name 'tmp.*' -mmin +360 -exec rm -rf --one-file-system {} + 2>/dev/null || true

# ---- the kernel ----------------------------------------------------------------
newest_package() {   # X.Y -> newest linux-image-X.Y... Debian 12 amd64 package
    local re="^linux-image-${1//./\\.}(\\.0-[0-9]+|\\.[0-9]+\\+deb12)-amd64\$"
    apt-cache search --names-only "$re" | awk '{print $1}' | sort -V | tail -n1
}

# initramfs KVER MODDIR OUT: busybox, the init script and the modules (and
# their dependencies) needed to mount the root disks, those not built in.
make_initramfs() {
    local kver=$1 moddir=$2 outfile=$3 st m line ko name
    mktmp st
    mkdir -p "$st/bin" "$st/modules" "$st/proc" "$st/sys" "$st/dev" "$st/newroot"
    cp /bin/busybox "$st/bin/busybox"
    for a in sh mount umount insmod mkdir sleep switch_root poweroff ls tr cat sync; do
        ln -s busybox "$st/bin/$a"
    done
    install -m 755 tools/vm/initramfs-init "$st/init"
    : > "$st/modules.list"
    if [ -n "$moddir" ] && [ -d "$moddir/lib/modules/$kver" ]; then
        depmod -b "$moddir" "$kver" 2>/dev/null || true
        for m in virtio_pci virtio_blk crc32c_generic crc32c_intel ext4; do
            modprobe -d "$moddir" -S "$kver" --show-depends "$m" 2>/dev/null || true
        done | while read -r what ko _; do
            [ "$what" = insmod ] || continue
            name=$(basename "$ko"); name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
            grep -qxF "$name" "$st/modules.list" && continue
            case $ko in
                *.xz) xz -dc "$ko" ;;
                *.zst) zstd -qdc "$ko" ;;
                *.gz) gzip -dc "$ko" ;;
                *) cat "$ko" ;;
            esac > "$st/modules/$name"
            echo "$name" >> "$st/modules.list"
        done
    fi
    log "initramfs for $kver: modules: $(tr '\n' ' ' < "$st/modules.list")"
    (cd "$st" && find . | cpio -o -H newc --quiet) | gzip -1 > "$outfile.tmp"
    mv -f "$outfile.tmp" "$outfile"
}

# Sets vmlinuz, initrd, kname, krelease.
resolve_kernel() {
    local pkg dir t kver d
    if [ -f "$KERNEL" ]; then
        vmlinuz=$(realpath "$KERNEL")
        kver=$(basename "$vmlinuz"); kver=${kver#vmlinuz-}
        kname=path-$kver
        d=""
        for cand in "" "$(dirname "$vmlinuz")/.."; do
            if [ -d "${cand:-/}/lib/modules/$kver" ]; then d=${cand:-/}; break; fi
        done
        [ -n "$d" ] || log "no modules for $kver found: assuming virtio and ext4 are built in"
        initrd=$run/initrd.gz
        krelease=$kver
        make_initramfs "$kver" "$d" "$initrd"
        return
    fi
    pkg=$KERNEL
    if [[ $pkg =~ ^[0-9]+\.[0-9]+$ ]]; then
        pkg=$(newest_package "$KERNEL")
        if [ -z "$pkg" ]; then apt_locked apt-get update -qq; pkg=$(newest_package "$KERNEL"); fi
        [ -n "$pkg" ] || die "no Debian 12 kernel package for $KERNEL"
        log "KERNEL=$KERNEL: $pkg"
    fi
    [[ $pkg == linux-image-* ]] || die "KERNEL=$KERNEL: neither a file, nor X.Y, nor linux-image-..."
    kname=$pkg
    dir=$CACHE/kernels/$pkg
    if [ ! -f "$dir/done" ]; then
        lock
        if [ ! -f "$dir/done" ]; then
            mktmp t
            log "downloading $pkg"
            (cd "$t" && apt_locked apt-get download "$pkg" >/dev/null 2>&1) ||
                { apt_locked apt-get update -qq; (cd "$t" && apt_locked apt-get download "$pkg" >/dev/null); } ||
                die "apt-get download $pkg failed"
            dpkg-deb -x "$t"/*.deb "$t/x"
            mkdir -p "$t/k"
            kver=$(cd "$t/x/boot" && ls vmlinuz-* | head -n1); kver=${kver#vmlinuz-}
            [ -n "$kver" ] || die "$pkg has no boot/vmlinuz-*"
            cp "$t/x/boot/vmlinuz-$kver" "$t/k/vmlinuz"
            cp "$t/x/boot/config-$kver" "$t/k/config" 2>/dev/null || true
            if [ ! -d "$t/x/lib/modules" ] && [ -d "$t/x/usr/lib/modules" ]; then
                mkdir -p "$t/x/lib" && ln -s ../usr/lib/modules "$t/x/lib/modules"
            fi
            make_initramfs "$kver" "$t/x" "$t/k/initrd.gz"
            echo "$kver" > "$t/k/release"
            touch "$t/k/done"
            mkdir -p "$CACHE/kernels"
            rm -rf "$dir"
            mv "$t/k" "$dir"
        fi
        unlock
    fi
    vmlinuz=$dir/vmlinuz
    initrd=$dir/initrd.gz
    krelease=$(cat "$dir/release")
}

# ---- the root file system --------------------------------------------------------
debootstrap_tar=$CACHE/debootstrap-$SUITE-minbase.tar.zst
ensure_debootstrap() {
    [ -f "$debootstrap_tar" ] && return
    local t
    mktmp t
    log "debootstrap --variant=minbase $SUITE (once; cached as $debootstrap_tar)"
    debootstrap --variant=minbase "$SUITE" "$t/root" "$MIRROR" > "$t/debootstrap.log" 2>&1 ||
        { tail -n 20 "$t/debootstrap.log" >&2; die "debootstrap failed"; }
    tar -C "$t/root" --numeric-owner -cf - . | zstd -q -T0 -o "$t/root.tar.zst"
    mv -f "$t/root.tar.zst" "$debootstrap_tar"
}

# The package list of the tree under test (HEAD's with VMTEST_HEAD=1).
deps_file=$repo/tools/install-deps.sh
if [ "${VMTEST_HEAD:-0}" = 1 ]; then
    mktmp deps_dir
    git show HEAD:tools/install-deps.sh > "$deps_dir/install-deps.sh"
    deps_file=$deps_dir/install-deps.sh
fi
# The bench's root adds what it compares with and the booted kernel's headers
# (BCC compiles against /lib/modules/RELEASE/build); set_root once the kernel
# is known.
extra_packages=()
set_root() {
    local what=""
    if [ "$MAKE_WHAT" = bench ]; then
        extra_packages=(bpfcc-tools bpftrace libbpf-tools curl "linux-headers-$krelease")
        what=bench-
    fi
    root_key=$( { echo "recipe $ROOT_RECIPE $SUITE $MIRROR"; cat "$deps_file"
                  [ -z "$what" ] || echo "${extra_packages[*]}"; } |
                sha256sum | cut -c1-16)
    root_img=$CACHE/root-$what$root_key.ext4
}
ensure_root() {
    [ -f "$root_img" ] && return
    lock
    if [ -f "$root_img" ]; then unlock; return; fi
    ensure_debootstrap
    local t r mb
    mktmp t
    r=$t/root
    mkdir "$r"
    log "root file system: $SUITE minbase + tools/install-deps.sh ${extra_packages[*]} (cached as $root_img)"
    zstd -qdc "$debootstrap_tar" | tar -C "$r" --numeric-owner -xf -
    cat > "$r/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
EOF
    cp -L /etc/resolv.conf "$r/etc/resolv.conf"
    echo keytime-vm > "$r/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\tkeytime-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
    printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"; chmod 755 "$r/usr/sbin/policy-rc.d"
    mkdir -p "$r/vmtest" "$r/root"
    cp "$deps_file" "$r/tmp/install-deps.sh"
    # The chroot's mounts live in a private mount namespace: they go away
    # with it, whatever happens.
    unshare --mount --propagation private bash -euc '
        r=$1
        mount -t proc proc "$r/proc"
        mount --rbind /sys "$r/sys"
        mount --rbind /dev "$r/dev"
        chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
            DEBIAN_FRONTEND=noninteractive bash /tmp/install-deps.sh
        shift
        if [ $# -gt 0 ]; then
            chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
                DEBIAN_FRONTEND=noninteractive bash /tmp/install-deps.sh "$@"
        fi
        chroot "$r" apt-get clean
    ' _ "$r" "${extra_packages[@]}" > "$t/install.log" 2>&1 ||
        { tail -n 30 "$t/install.log" >&2; die "installing the packages in the root failed"; }
    rm -rf "$r"/var/lib/apt/lists/* "$r/tmp/install-deps.sh" "$r/usr/sbin/policy-rc.d"
    : > "$r/etc/resolv.conf"
    # Room for what the tests write outside /tmp (the disk is sparse).
    mb=$(( $(du -sm "$r" | cut -f1) + 2048 ))
    mke2fs -q -t ext4 -L vmroot -d "$r" "$t/root.ext4" "${mb}M" >/dev/null ||
        die "mke2fs -d of the root failed"
    mv -f "$t/root.ext4" "$root_img"
    rm -rf --one-file-system "$r"
    # Roots of other package lists, unused for two days (each is ~800 MB).
    find "$CACHE" -maxdepth 1 -name 'root-*.ext4' ! -name "$(basename "$root_img")" -atime +2 -delete
    unlock
}

# ---- the project disk -------------------------------------------------------------
make_project_disk() {
    local st=$1 img=$2 mb
    mkdir -p "$st/src" "$st/vm" "$st/out"
    if [ "${VMTEST_HEAD:-0}" = 1 ]; then
        git -C "$repo" archive HEAD | tar -C "$st/src" -xf -
    else {
        git -C "$repo" ls-files -z --cached
        if [ "${VMTEST_UNTRACKED:-0}" = 1 ]; then
            git -C "$repo" ls-files -z --others --exclude-standard
        fi
    } | sort -zu | while IFS= read -r -d '' f; do
        if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
    done | tar -C "$repo" --null -T - -cf - | tar -C "$st/src" -xf -
    fi
    # A git repository, as a CI's fresh clone is (tests may clone it).
    git -C "$st/src" init -q
    git -C "$st/src" add -A
    git -C "$st/src" -c user.name=vmtest -c user.email=vmtest@localhost \
        commit -q --no-verify -m "vmtest: the tree under test"
    install -m 755 tools/vm/guest-init "$st/vm/guest-init"
    : > "$st/vm/env"
    if [ -n "${VMTEST_ONLY:-}" ]; then printf 'VMTEST_ONLY=%q\n' "$VMTEST_ONLY" >> "$st/vm/env"; fi
    printf 'VMTEST_MAKE=%q\n' "$MAKE_WHAT" >> "$st/vm/env"
    if [ "$MAKE_WHAT" = bench ]; then
        local v
        for v in $(compgen -e | grep '^BENCH_'); do
            printf 'export %s=%q\n' "$v" "${!v}" >> "$st/vm/env"
        done
    fi
    # No journal: the guest syncs and unmounts, the host reads it with debugfs.
    mb=$(( $(du -sm "$st" | cut -f1) + 1536 ))
    rm -f "$img"
    mke2fs -q -t ext4 -O ^has_journal -L vmtest -d "$st" "$img" "${mb}M" >/dev/null
}

# ---- run --------------------------------------------------------------------------
t_start=$(now)
name=$KERNEL
[ -f "$KERNEL" ] && name=path-$(basename "$KERNEL")
work=${VMTEST_WORK:-$repo/build-vm/$name}
mkdir -p "$work"
# This run's disk and logs are private (runs side by side, even of the same
# kernel, do not meet); the logs are copied to $work at the end.
mktmp run

t0=$(now)
resolve_kernel
set_root
t1=$(now); t_kernel=$(secs "$t0" "$t1")
root_cached=cached; [ -f "$root_img" ] || root_cached=built
ensure_root
t2=$(now); t_root=$(secs "$t1" "$t2")
mktmp st
make_project_disk "$st" "$run/project.ext4"
rm -rf --one-file-system "$st"
t3=$(now); t_disk=$(secs "$t2" "$t3")
log "kernel $kname ready in ${t_kernel}s; root ($root_cached) ${t_root}s; project disk ${t_disk}s"

log "booting $kname under qemu (TCG thread=$TCG, 2 vCPUs, timeout ${TIMEOUT}s); console: $run/console.log"
: > "$run/console.log"
set +e
timeout -k 20 "$TIMEOUT" qemu-system-x86_64 \
    -accel "tcg,thread=$TCG" -cpu max -smp 2 -m 2G \
    -nodefaults -display none -no-reboot -nic none \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0,115200 panic=1 quiet loglevel=4" \
    -drive "file=$root_img,format=raw,if=virtio,snapshot=on" \
    -drive "file=$run/project.ext4,format=raw,if=virtio" \
    -serial "file:$run/console.log" -monitor none </dev/null > "$run/qemu.log" 2>&1 &
qpid=$!
tail -n +1 -f --pid=$qpid "$run/console.log" | sed -u 's/\r$//'
wait $qpid
qrc=$?
set -e
t4=$(now); t_qemu=$(secs "$t3" "$t4")

# The results, from the project disk (a check first: it may not be clean).
e2fsck -fy "$run/project.ext4" >/dev/null 2>&1 || true
readback() { debugfs -R "cat /out/$1" "$run/project.ext4" 2>/dev/null; }
outs="suite.log build.log times uname rc"
[ "$MAKE_WHAT" = bench ] && outs+=" RESULTS.md"
for f in $outs; do readback "$f" > "$run/$f" || true; done
if [ "${VMTEST_KEEP:-0}" = 1 ]; then mv -f "$run/project.ext4" "$work/project.ext4"; fi
for f in console.log qemu.log $outs; do
    if [ -f "$run/$f" ]; then cp "$run/$f" "$work/.$f.tmp"; mv -f "$work/.$f.tmp" "$work/$f"; fi
done

get_time() { awk -v k="$1" '$1 == k { t = sprintf("%.1f", $2) } END { print (t == "" ? "?" : t) }' "$run/times"; }
guest_release=$(head -n1 "$run/uname")
rc=$(head -n1 "$run/rc")
echo
log "guest kernel: $kname, uname -r: ${guest_release:-unknown}"
log "times: kernel ${t_kernel}s, root ${t_root}s ($root_cached), project disk ${t_disk}s," \
    "boot $(get_time boot)s, build $(get_time build)s, suite $(get_time suite)s, qemu total ${t_qemu}s," \
    "all $(secs "$t_start" "$(now)")s"
log "logs: $work/{console,suite,build}.log"
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
    log "the guest did not finish within ${TIMEOUT}s (VMTEST_TIMEOUT); qemu was killed"
    [ -n "$rc" ] || { tail -n 5 "$run/console.log" | tr -d '\r' >&2; exit 1; }
elif [ "$qrc" -ne 0 ]; then
    log "qemu exited with status $qrc: $(tail -n 3 "$run/qemu.log" | tr '\n' ' ')"
fi
if [ -z "$rc" ]; then
    log "the guest died before the suite finished (no status on the project disk); last console lines:"
    tail -n 15 "$run/console.log" | tr -d '\r' >&2
    exit 1
fi
if [ "$MAKE_WHAT" = bench ]; then
    if [ -s "$run/RESULTS.md" ]; then log "the bench's table: $work/RESULTS.md"
    else log "the bench wrote no table (status $rc): $work/suite.log"; fi
    [ "$rc" -eq 0 ]
    exit
fi
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$run/suite.log" | tail -n1)
[ -n "$last" ] || last="suite ended without its summary line (status $rc)"
echo "$last"
[ "$rc" -eq 0 ]
