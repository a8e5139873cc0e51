# SPDX-License-Identifier: GPL-2.0-or-later
# User stacks (kt.filter.ustacks, e.ustack, --ustack) against the workload's
# own source (tests/workload/ustack_work.c: main -> outer_wait -> inner_sleep,
# COUNT sleeps, built with frame pointers): each sleep's offCPU names
# inner_sleep, outer_wait and main in that order, even when named after the
# workload has exited; a replay as user nobody prints the same frames;
# keytime.lua and offwake.lua --ustack show them; a kernel that cannot give
# user stacks and bad input get one line.
source "$(dirname "$0")/../lib/common.sh"
require_probes
chmod 755 "$WORK"
COUNT=3

# Every sleep: its stack, innermost first, inner_sleep, outer_wait, main.
check_sleeps() {   # FILE WHAT
    local n
    n=$(grep -cE "^ustack [0-9]+ S inner_sleep\+0x[0-9a-f]+ \(ustack_work\)\|outer_wait\+0x[0-9a-f]+ \(ustack_work\)\|main\+0x[0-9a-f]+ \(ustack_work\)(\||$)" "$1")
    [ "$n" -eq $COUNT ] || fail "$2: $n of the $COUNT sleeps have the stack inner_sleep, outer_wait, main: $(cat "$1")"
}

# Both ways of taking them: by address (true), by build-id ("buildid").
for MODE in address buildid; do
    export USTACK_MODE=$MODE
    "$KT" --handler-timeout 0 --record "$WORK/u.kt" "$TOP/tests/lib/ustack_events.lua" -c "$TB/ustack_work $COUNT 50" \
        >"$WORK/u.out" 2>"$WORK/u.err" || fail "$MODE: ustack_events.lua: $(cat "$WORK/u.err")"
    grep -qx "exited_first 1" "$WORK/u.out" || fail "$MODE: the workload had not exited when its stacks were named: $(cat "$WORK/u.out")"
    check_sleeps "$WORK/u.out" "$MODE: live, named after the workload exited"

    # A replay as another user, with no access to the workload or its binary.
    chmod 644 "$WORK/u.kt"
    cp "$TOP/tests/lib/ustack_events.lua" "$WORK/" && cp "$KT" "$WORK/keytime-run" || fail "cannot stage for nobody"
    setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
        "$WORK/keytime-run" --replay "$WORK/u.kt" "$WORK/ustack_events.lua" >"$WORK/r.out" 2>"$WORK/r.err" ||
        fail "$MODE: replay as nobody: $(cat "$WORK/r.err")"
    check_sleeps "$WORK/r.out" "$MODE: replayed as nobody"
    diff <(grep '^ustack ' "$WORK/u.out") <(grep '^ustack ' "$WORK/r.out") >/dev/null ||
        fail "$MODE: the replay's frames differ: $(diff <(grep '^ustack ' "$WORK/u.out") <(grep '^ustack ' "$WORK/r.out") | head -5)"

    # The binary deleted and another file put at its path while it runs
    # (the workload does it itself, before its first sleep): the frames
    # are still named from the file it runs.
    mkdir -p "$WORK/up" && rm -f "$WORK/up/ustack_work" && cp "$TB/ustack_work" "$WORK/up/ustack_work" || fail "cannot stage the binary"
    "$KT" --handler-timeout 0 "$TOP/tests/lib/ustack_events.lua" -c "$WORK/up/ustack_work $COUNT 50 replace" \
        >"$WORK/p.out" 2>"$WORK/p.err" || fail "$MODE: replaced binary: $(cat "$WORK/p.err")"
    [ "$(head -c 9 "$WORK/up/ustack_work")" = '#!/bin/sh' ] || fail "$MODE: the workload did not replace its binary"
    check_sleeps "$WORK/p.out" "$MODE: its binary replaced on disk while it ran"

    # A process that exits right after its only stack is taken (a 1 ms
    # sleep) in a library it loaded with dlopen, named after it has gone,
    # the library and libc too: by build-id, whatever the reader did
    # meanwhile; by address, from the kernel's records of its mappings as
    # they were made (the reader's reads of /proc/PID/maps, at its exec
    # and at its first stack, come before the dlopen or after the end).
    # libc's frame is placed in libc, named where its symbols are installed
    # (libc6-dbg), else as an offset in it, "0x2724a (libc.so.6)".
    for i in 1 2 3; do
        "$KT" --handler-timeout 0 "$TOP/tests/lib/ustack_events.lua" -c "$TB/ustack_work 1 1 dlopen $TB/libustack_lib.so" \
            >"$WORK/x.out" 2>"$WORK/x.err" || fail "$MODE: short process: $(cat "$WORK/x.err")"
        grep -qx "exited_first 1" "$WORK/x.out" || fail "$MODE: the short process had not exited: $(cat "$WORK/x.out")"
        grep -qE "^ustack [0-9]+ S inner_sleep\+0x[0-9a-f]+ \(ustack_work\)\|lib_wait\+0x[0-9a-f]+ \(libustack_lib\.so\)\|outer_wait\+0x[0-9a-f]+ \(ustack_work\)\|main\+0x[0-9a-f]+ \(ustack_work\)\|([_a-z]+\+)?0x[0-9a-f]+ \(libc\.so\.6\)" "$WORK/x.out" ||
            fail "$MODE: a process that exited right after its stack in a library it loaded: $(cat "$WORK/x.out")"
        grep -q "mapping records" "$WORK/x.err" && fail "$MODE: $(cat "$WORK/x.err")"
    done
done
unset USTACK_MODE

# The user stack map is made only when asked for, of the size asked
# (the kernel's own account of keytime-run's maps, /proc/PID/fdinfo):
# none without user stacks; 8 bytes a frame by address, 32 by build-id.
stack_maps() {   # SCRIPT: "value_size max_entries" of each stack map but kt_stacks
    rm -f "$WORK/mark"
    "$KT" -q "$1" -c "sleep $((2 * TIME_SCALE))" >"$WORK/m.out" 2>"$WORK/m.err" &
    local pid=$! i
    for i in $(seq 1 $((100 * TIME_SCALE))); do
        [ -e "$WORK/mark" ] && break
        sleep 0.05
    done
    [ -e "$WORK/mark" ] || fail "$1 did not start: $(cat "$WORK/m.err")"
    for f in /proc/$pid/fdinfo/*; do
        awk '/^map_type:/{t=$2} /^value_size:/{v=$2} /^max_entries:/{m=$2} END{if (t == 7 && v != 512) print v, m}' "$f" 2>/dev/null
    done | sort -u
    wait $pid || fail "$1: $(cat "$WORK/m.err")"
}
MARK='io.open(os.getenv("WORK") .. "/mark", "w"):close()'
export WORK
printf '%s\n' "$MARK" >"$WORK/m0.lua"
printf 'kt.filter.ustacks = true\n%s\n' "$MARK" >"$WORK/m1.lua"
printf 'kt.filter.ustacks = "buildid"\nprint(kt.filter.ustacks)\n%s\n' "$MARK" >"$WORK/m2.lua"
[ -z "$(stack_maps "$WORK/m0.lua")" ] || fail "a user stack map without user stacks: $(stack_maps "$WORK/m0.lua")"
[ "$(stack_maps "$WORK/m1.lua")" = "256 4096" ] || fail "by address, not one map of 4096 stacks of 32 8-byte frames: $(stack_maps "$WORK/m1.lua")"
[ "$(stack_maps "$WORK/m2.lua")" = "1024 4096" ] || fail "by build-id, not one map of 4096 stacks of 32 32-byte frames: $(stack_maps "$WORK/m2.lua")"
"$KT" -q "$WORK/m2.lua" -c true 2>&1 | grep -qx buildid || fail "kt.filter.ustacks does not read back \"buildid\""

# keytime.lua --ustack: the frames under each offCPU line; --json: the ustack list.
"$KT" "$TOP/scripts/keytime.lua" --ustack -c "$TB/ustack_work 1 50" >"$WORK/t.out" 2>"$WORK/t.err" ||
    fail "keytime.lua --ustack: $(cat "$WORK/t.err")"
grep -A2 -E " offCPU +offcpu_time:[0-9]+ state:S$" "$WORK/t.out" | tr -d ' ' | tr '\n' '|' |
    grep -qE "inner_sleep\+0x[0-9a-f]+\(ustack_work\)\|outer_wait\+0x[0-9a-f]+\(ustack_work\)\|" ||
    fail "keytime.lua --ustack: no stack under the sleep's offCPU line: $(cat "$WORK/t.out")"
"$KT" "$TOP/scripts/keytime.lua" --ustack --json -c "$TB/ustack_work 1 50" >"$WORK/j.out" 2>"$WORK/j.err" ||
    fail "keytime.lua --ustack --json: $(cat "$WORK/j.err")"
grep -qE '"ustack":\["inner_sleep\+0x[0-9a-f]+ \(ustack_work\)","outer_wait\+0x[0-9a-f]+ \(ustack_work\)","main\+' "$WORK/j.out" ||
    fail "keytime.lua --ustack --json: no ustack: $(grep offCPU "$WORK/j.out" | head -3)"
"$KT" "$TOP/scripts/keytime.lua" --json -c "$TB/ustack_work 1 50" >"$WORK/n.out" 2>&1 || fail "keytime.lua --json failed"
! grep -q '"ustack"' "$WORK/n.out" || fail "ustack without --ustack: $(grep -m1 ustack "$WORK/n.out")"

# offwake.lua --ustack --folded: the wakee's user frames, outermost first, before its kernel's.
"$KT" "$TOP/scripts/offwake.lua" --ustack --folded -c "$TB/ustack_work $COUNT 50" >"$WORK/o.out" 2>"$WORK/o.err" ||
    fail "offwake.lua --ustack: $(cat "$WORK/o.err")"
grep -qE "^ustack_work;(.*;)?main;outer_wait;inner_sleep;.*;--;" "$WORK/o.out" ||
    fail "offwake.lua --ustack --folded: no main;outer_wait;inner_sleep: $(cat "$WORK/o.out")"

# A kernel that cannot give user stacks: one line, kt.features.ustacks false, the run goes on.
printf 'print("features", kt.features.ustacks)\nkt.filter.ustacks = true\nkt.filter.ustacks = true\nprint("switch", kt.filter.ustacks)\n' >"$WORK/nf.lua"
KEYTIME_TEST_BREAK=kt_ustacks "$KT" -q "$WORK/nf.lua" -c true >"$WORK/nf.out" 2>"$WORK/nf.err" ||
    fail "kt.filter.ustacks on a kernel without user stacks failed: $(cat "$WORK/nf.err")"
[ "$(cat "$WORK/nf.out")" = "$(printf 'features\tfalse\nswitch\tfalse')" ] || fail "kt.features/kt.filter: $(cat "$WORK/nf.out")"
[ "$(wc -l <"$WORK/nf.err")" -eq 1 ] && grep -q "cannot give user stacks" "$WORK/nf.err" ||
    fail "not one line about user stacks: $(cat "$WORK/nf.err")"
KEYTIME_TEST_BREAK=kt_ustacks "$KT" -q "$TOP/scripts/keytime.lua" --ustack --json -c "$TB/ustack_work 1 50" >"$WORK/nk.out" 2>"$WORK/nk.err" ||
    fail "keytime.lua --ustack without user stacks failed: $(cat "$WORK/nk.err")"
grep -q '"event":"offCPU"' "$WORK/nk.out" && ! grep -q '"ustack"' "$WORK/nk.out" ||
    fail "keytime.lua --ustack without user stacks: $(head -3 "$WORK/nk.out")"

# Bad input: one line, exit status 2.
"$KT" "$TOP/scripts/offwake.lua" --ustack=yes -c true >"$WORK/b.out" 2>"$WORK/b.err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$WORK/b.err")" -eq 1 ] || fail "offwake.lua --ustack=yes: exit $rc, $(cat "$WORK/b.err")"
assert_no_probes_left
