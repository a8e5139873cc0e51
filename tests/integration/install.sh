# SPDX-License-Identifier: GPL-2.0-or-later
# make install into a temporary DESTDIR, then, from another folder with PATH
# pointing at the installed bin: a stock script runs by name with its modules
# from the install, KEYTIME_PATH comes first, a #!/usr/bin/env keytime-run
# script runs as a command, stock scripts are listed and completed, every
# program and stock script answers --help, the man page renders and has
# every option of --help; make uninstall leaves nothing behind.
source "$(dirname "$0")/../lib/common.sh"
STAGE=$WORK/stage
PREFIX=/usr/local
BIN=$STAGE$PREFIX/bin
SHARE=$STAGE$PREFIX/share

make -s -C "$TOP" install DESTDIR="$STAGE" >"$WORK/make.out" 2>&1 \
    || fail "make install DESTDIR=$STAGE: $(cat "$WORK/make.out")"
for f in bin/keytime-run share/keytime/scripts/keytime.lua share/keytime/lua/keytime/format.lua \
         share/man/man8/keytime-run.8 share/bash-completion/completions/keytime-run \
         share/doc/keytime/lua-api.md; do
    [ -f "$STAGE$PREFIX/$f" ] || fail "make install did not install $PREFIX/$f"
done
# The whole scripts/ and lua/ trees, sub-folders too.
for tree in scripts lua; do
    (cd "$TOP/$tree" && find . -type f ! -name '.*' | sort) >"$WORK/want"
    (cd "$SHARE/keytime/$tree" && find . -type f | sort) >"$WORK/got"
    cmp -s "$WORK/want" "$WORK/got" || fail "$tree/ installed differs: $(diff "$WORK/want" "$WORK/got")"
done

mkdir "$WORK/elsewhere" && cd "$WORK/elsewhere" || fail "cd"
export PATH="$BIN:$PATH"
unset KEYTIME_PATH
[ "$(command -v keytime-run)" = "$BIN/keytime-run" ] || fail "PATH does not lead to the installed keytime-run"

# A stock script by name. It says which file ran, to tell the installed copy
# from the build tree's; keytime.format must come from the install too.
cat >>"$SHARE/keytime/scripts/keytime.lua" <<'LUA'
io.stderr:write("script: ", kt.script, "\n")
io.stderr:write("format: ", package.searchpath("keytime.format", package.path), "\n")
LUA
keytime-run keytime.lua --json -k 0 -c "$TB/lifecycle $WORK/manifest" >"$WORK/out.jsonl" 2>"$WORK/err"
rc=$?
[ $rc -eq 7 ] || fail "installed keytime.lua by name: status $rc, expected the workload's 7: $(cat "$WORK/err")"
grep -qx "script: $SHARE/keytime/scripts/keytime.lua" "$WORK/err" \
    || fail "keytime.lua was not the installed copy: $(cat "$WORK/err")"
grep -qx "format: $SHARE/keytime/lua/keytime/format.lua" "$WORK/err" \
    || fail "keytime.format was not the installed module: $(cat "$WORK/err")"
lua5.4 - "$TOP" "$WORK/out.jsonl" "$WORK/manifest" <<'LUA' >/dev/null \
    || fail "installed keytime.lua did not report the workload's exit"
package.path = arg[1] .. "/tests/lib/?.lua;" .. package.path
local t = require "jsonl"
local m = t.read_manifest(arg[3])
t.expect_one(t.read_events(arg[2]), "the workload's exit",
  { event = "exit", pid = m.main_pid, tgid = m.main_pid, exit_code = 7 })
t.finish("installed keytime.lua")
LUA

# KEYTIME_PATH comes first, and a name may leave out .lua.
mkdir "$WORK/mine"
printf 'print("mine: " .. kt.script)\nkt.stop(4)\n' >"$WORK/mine/keytime.lua"
out=$(KEYTIME_PATH="/nonexistent::$WORK/mine" keytime-run keytime 2>"$WORK/err"); rc=$?
[ $rc -eq 4 ] && [ "$out" = "mine: $WORK/mine/keytime.lua" ] \
    || fail "KEYTIME_PATH: status $rc, output '$out', expected 4 and mine: $WORK/mine/keytime.lua: $(cat "$WORK/err")"

# A script with a #!/usr/bin/env keytime-run line is a command; host options
# still work after it, and the rest goes to the script.
printf '#!/usr/bin/env keytime-run\nprint("tgid=" .. tostring(kt.opts.tgid) .. " args=" .. table.concat(kt.args, ","))\nkt.stop(5)\n' \
    >"$WORK/mine/hello.lua"
chmod +x "$WORK/mine/hello.lua"
out=$("$WORK/mine/hello.lua" --tgid $$ a b 2>"$WORK/err"); rc=$?
[ $rc -eq 5 ] && [ "$out" = "tgid=$$ args=a,b" ] \
    || fail "#! script: status $rc, output '$out', expected 5 and 'tgid=$$ args=a,b': $(cat "$WORK/err")"

# Not found: one line naming the search path, the install folder built in last.
keytime-run nosuch.lua 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] \
    && grep -q "cannot find script nosuch.lua .*$SHARE/keytime/scripts $PREFIX/share/keytime/scripts" "$WORK/err" \
    || fail "unknown script: status $rc, message: $(cat "$WORK/err")"

# --list-scripts and bash completion see the installed stock scripts.
keytime-run --list-scripts >"$WORK/list" || fail "--list-scripts failed"
grep -qx "keytime.lua	$SHARE/keytime/scripts/keytime.lua" "$WORK/list" \
    || fail "--list-scripts: $(cat "$WORK/list")"
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _keytime_run; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$SHARE/bash-completion/completions/keytime-run" "$@"
}
complete_words keytime-run key | grep -qx keytime.lua || fail "completion of 'key': $(complete_words keytime-run key)"
complete_words keytime-run --li | grep -qx -- --list-scripts || fail "completion of '--li'"
complete_words keytime-run -k "" | tr '\n' ' ' | grep -qx "0 1 " || fail "completion of -k"
# Options come from --help: one with a value is skipped before the script name.
complete_words keytime-run --tgid 1 --cpu 0 key | grep -qx keytime.lua \
    || fail "completion after options with values: $(complete_words keytime-run --tgid 1 --cpu 0 key)"
complete_words keytime-run keytime.lua --js | grep -q . && fail "completed the script's own options as keytime-run's"
# A bundle whose last letter takes a value (-fk): that value; -o: files.
complete_words keytime-run -fk "" | tr '\n' ' ' | grep -qx "0 1 " || fail "completion after -fk"
complete_words keytime-run -fmP 1 key | grep -qx keytime.lua || fail "completion after -fmP 1: $(complete_words keytime-run -fmP 1 key)"
complete_words keytime-run -o "$SHARE/keytime/scripts/keyt" | grep -qx "$SHARE/keytime/scripts/keytime.lua" ||
    fail "completion of -o FILE: $(complete_words keytime-run -o "$SHARE/keytime/scripts/keyt")"

# --help on every program and every stock script; --version on the programs.
keytime-run --help | head -1 | grep -q "^Usage: keytime-run" || fail "keytime-run --help"
keytime-run --version | grep -qE "^keytime-run [0-9]+\.[0-9]+" || fail "keytime-run --version"
if [ -x "$BIN/keytime-ctl" ]; then
    keytime-ctl --help | head -1 | grep -q "^Usage: keytime-ctl" || fail "keytime-ctl --help"
    keytime-ctl --version | grep -qE "^keytime-ctl [0-9]+\.[0-9]+" || fail "keytime-ctl --version"
fi
while IFS=$'\t' read -r name path; do
    keytime-run "$name" --help >"$WORK/help" 2>"$WORK/err" \
        || fail "$name --help: status $?: $(cat "$WORK/err")"
    head -1 "$WORK/help" | grep -q "^Usage: " || fail "$name --help does not start with Usage: $(head -3 "$WORK/help")"
done <"$WORK/list"

# The man page renders, without warnings, and names the version it documents.
page="$SHARE/man/man8/keytime-run.8"
MANWIDTH=80 man --warnings -l "$page" 2>"$WORK/man.err" | col -b >"$WORK/man.txt"
[ ! -s "$WORK/man.err" ] || fail "man -l warns: $(cat "$WORK/man.err")"
for want in "KEYTIME-RUN(8)" "SCRIPTS BY NAME" "KEYTIME_PATH" "--list-scripts" "EXIT STATUS" \
            "$(keytime-run --version | sed 's/-run//')"; do
    grep -qF -- "$want" "$WORK/man.txt" || fail "man page lacks '$want'"
done
# Every option of keytime-run --help is in the page.
for opt in $(keytime-run --help | grep -oE -- '--[a-z][-a-z]+' | sort -u); do
    grep -qE -- "$opt\b" "$WORK/man.txt" || fail "man page lacks $opt, which keytime-run --help lists"
done

# keytime-ctl's page too, with every option of its --help.
page="$SHARE/man/man8/keytime-ctl.8"
MANWIDTH=80 man --warnings -l "$page" 2>"$WORK/man.err" | col -b >"$WORK/man.txt"
[ ! -s "$WORK/man.err" ] || fail "man -l warns on keytime-ctl.8: $(cat "$WORK/man.err")"
grep -qF "KEYTIME-CTL(8)" "$WORK/man.txt" || fail "keytime-ctl page lacks its title"
for opt in $("$BIN/keytime-ctl" --help | grep -oE -- '--[a-z][-a-z]+' | sort -u); do
    grep -qE -- "$opt\b" "$WORK/man.txt" || fail "keytime-ctl page lacks $opt, which keytime-ctl --help lists"
done

make -s -C "$TOP" uninstall DESTDIR="$STAGE" >"$WORK/make.out" 2>&1 || fail "make uninstall: $(cat "$WORK/make.out")"
left=$(find "$STAGE" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
assert_no_probes_left
