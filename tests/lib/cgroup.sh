# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the cgroup tests (source it after common.sh): the cgroup v2
# hierarchy, and cgroups of the test's own below it, removed on exit.
#   use_cgroup2                # sets CGROOT and CG
#   make_test_cgroup a b/c     # $CGROOT/$CG, $CGROOT/$CG/a, $CGROOT/$CG/b/c

# use_cgroup2: CGROOT, the cgroup v2 mount (the machine's, else one mounted
# in $WORK for this test), and CG, the name of the test's cgroup under it.
# On exit the workloads are killed, the test cgroups removed (kt-test-*:
# also any an earlier run left), the mount made here unmounted, $WORK removed.
use_cgroup2() {
    CGROOT=$(findmnt -n -t cgroup2 -o TARGET | head -n1)
    CGROUP_MOUNTED=
    if [ -z "$CGROOT" ]; then
        CGROOT=$WORK/cgroup2
        mkdir -p "$CGROOT" && mount -t cgroup2 none "$CGROOT" || fail "cannot mount cgroup2"
        CGROUP_MOUNTED=1
    fi
    CG=kt-test-$$
    trap 'kill $(jobs -p) 2>/dev/null; remove_test_cgroups; rm -rf "$WORK"' EXIT
}

remove_test_cgroups() {
    find "$CGROOT"/kt-test-* -depth -type d -exec rmdir {} + 2>/dev/null
    [ -z "$CGROUP_MOUNTED" ] || umount "$CGROOT"
}

# make_test_cgroup [SUB...]: $CGROOT/$CG and each $CGROOT/$CG/SUB (with
# their parents), or the test fails.
make_test_cgroup() {
    local sub
    mkdir -p "$CGROOT/$CG" || fail "cannot make $CG under $CGROOT"
    for sub in "$@"; do
        mkdir -p "$CGROOT/$CG/$sub" || fail "cannot make $CG/$sub under $CGROOT"
    done
}
