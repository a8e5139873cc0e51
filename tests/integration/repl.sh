# SPDX-License-Identifier: GPL-2.0-or-later
# keytime-run -i, the REPL: first at a real pseudo-terminal (tmux), then the
# same kind of session piped on stdin, whose output must be clean lines.
source "$(dirname "$0")/../lib/common.sh"
command -v tmux >/dev/null || { echo "tmux is not installed (tools/install-deps.sh installs it)"; exit 77; }

TMUX_CMD=(tmux -L "keytime-repl-$$" -f /dev/null)
# common.sh's trap too: kill what the test started, remove $WORK.
trap '"${TMUX_CMD[@]}" kill-server 2>/dev/null; kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT

# A workload that waits until released: sh forks /bin/true, then exits 3.
start_workload() {   # FIFO
    mkfifo "$1"
    sh -c 'read x < "$1"; /bin/true one two; exit 3' sh "$1" &
    workload=$!
}

screen() {
    "${TMUX_CMD[@]}" capture-pane -p -t repl 2>/dev/null | sed -e 's/[[:space:]]*$//' -e '/^$/d'
}

# wait_screen PATTERN [SECONDS]: until a line on screen matches PATTERN.
wait_screen() {
    local pattern=$1 secs=${2:-20} i
    for ((i = 0; i < secs * 20; i++)); do
        screen | grep -qE -- "$pattern" && return 0
        sleep 0.05
    done
    fail "timed out waiting for /$pattern/ on the REPL's screen, which shows:
$(screen | sed 's/^/    /')"
}

type_keys() { "${TMUX_CMD[@]}" send-keys -t repl -l -- "$1"; }
press() { "${TMUX_CMD[@]}" send-keys -t repl "$@"; }
# wait_prompt: until the last line on screen is an empty prompt. Keys typed
# before readline draws it are echoed by the terminal and then again by
# readline (seen under emulation), so each line waits for its prompt.
wait_prompt() {
    local i
    for ((i = 0; i < 400; i++)); do
        [ "$(screen | tail -n1)" = "keytime>" ] && return 0
        sleep 0.05
    done
    fail "timed out waiting for an empty prompt, the screen shows:
$(screen | tail -n 8 | sed 's/^/    /')"
}
enter_line() { wait_prompt; type_keys "$1"; press Enter; }

# ---- at a terminal ------------------------------------------------------------
start_workload "$WORK/go"
"${TMUX_CMD[@]}" new-session -d -s repl -x 160 -y 60 \
    "env HOME='$WORK' TERM=xterm '$KT' -i; echo \$? > '$WORK/tty.rc'"
wait_screen '^keytime>$'
wait_screen 'attached, no target yet'

# Targets and handlers set at the prompt take effect at once.
enter_line "kt.filter:add_tgid($workload, {follow = true})"
enter_line 'exec_sub = kt.on("exec_enter", function(e) print("exec " .. e.filename .. " " .. table.concat(e.argv, " ")) end)'
enter_line "exit_sub = kt.on('exit', function(e) print('exit ' .. (e.tgid == $workload and 'workload' or 'child') .. ' ' .. e.exit_code) end)"
wait_screen '^keytime> exit_sub = '
# Half a line typed when the events come: they print above it, it stays.
wait_prompt
type_keys 'x = 1'
wait_screen '^keytime> x = 1$'
echo go > "$WORK/go"
wait_screen '^exit workload 3$'
wait_pid "$workload"
screen >"$WORK/screen.events"
for line in 'exec /bin/true /bin/true one two' 'exit child 0' 'exit workload 3'; do
    grep -qxF "$line" "$WORK/screen.events" || fail "the line '$line' is not whole on screen:
$(sed 's/^/    /' "$WORK/screen.events")"
done
[ "$(tail -n1 "$WORK/screen.events")" = "keytime> x = 1" ] ||
    fail "the typed line should stay last, below the events; the screen shows:
$(sed 's/^/    /' "$WORK/screen.events")"
press Enter

# An error prints with a traceback; the session keeps its state.
enter_line 'error("boom")'
wait_screen 'stdin:1: boom$'
wait_screen '^stack traceback:'
enter_line 'x + 1'
wait_screen '^2$'

# Ctrl-C stops a running chunk and comes back to the prompt.
enter_line 'print("looping") while true do end'
wait_screen '^looping$'
press C-c
wait_screen 'interrupted$'
enter_line 'x * 10'
wait_screen '^10$'

# Ctrl-C in a flood of output: the backlog is dropped, and events are skipped
# until a line is entered, so there is a quiet prompt to type at. (Every
# process, on/off-CPU included: printing on tmux makes more events.)
enter_line 'n = 0 flood = kt.on("*", function(e) n = n + 1 print(e.kind, e.pid, e.comm) end)'
enter_line 'kt.filter.all = true'
wait_screen '^(oncpu|offcpu) '
press C-c
wait_screen 'interrupted; events are skipped until you enter a line$'
calm='flood:off() kt.filter.all = false print("calm", n > 0)'
wait_prompt
type_keys "$calm"
quiet=0
for ((i = 0; i < 400 && quiet < 10; i++)); do
    [ "$(screen | tail -n1)" = "keytime> $calm" ] && quiet=$((quiet + 1)) || quiet=0
    sleep 0.05
done
[ $quiet -ge 10 ] || fail "after Ctrl-C in a flood the prompt should stay last and quiet; the screen shows:
$(screen | tail -n 8 | sed 's/^/    /')"
press Enter
wait_screen '^calm +true$'

# Ctrl-C at the prompt drops the typed line.
wait_prompt
type_keys 'abandoned'
wait_screen '^keytime> abandoned$'
press C-c
wait_screen '^keytime> abandoned\^C$'
enter_line 'x * 100'
wait_screen '^100$'

# Tab completion: a field of kt, a method of kt.filter, the list of kt's fields.
wait_prompt
type_keys 'kt.fil'
press Tab
wait_screen '^keytime> kt\.filter$'
type_keys ':li'
press Tab
wait_screen '^keytime> kt\.filter:list$'
type_keys '()'
press Enter
wait_screen '^\{\}$'
wait_prompt
type_keys 'kt.'
press Tab Tab
wait_screen '(^| )kt\.filter( |$)'
wait_screen '(^| )kt\.on( |$)'
press C-u

# Meta-commands.
enter_line ':targets'
wait_screen '^no targets$'
enter_line ':stats'
wait_screen '^events [0-9]+ \(.*exec_enter [0-9]+'
wait_screen '^lost [0-9]+'
enter_line ':help'
wait_screen '^kt\.filter:add_tgid\(tgid \[, \{follow=true\}\]\) +trace a process'

# Ctrl-D leaves cleanly; the history was saved.
press C-d
for ((i = 0; i < 200; i++)); do [ -s "$WORK/tty.rc" ] && break; sleep 0.05; done
[ "$(cat "$WORK/tty.rc" 2>/dev/null)" = 0 ] || fail "Ctrl-D should end keytime-run with status 0, got '$(cat "$WORK/tty.rc" 2>/dev/null)'"
grep -qxF 'x = 1' "$WORK/.keytime_history" && grep -qxF 'error("boom")' "$WORK/.keytime_history" ||
    fail "history not saved in \$HOME/.keytime_history: $(cat "$WORK/.keytime_history" 2>&1)"
assert_no_probes_left

# ---- piped on stdin: no prompt, no colour, the results and events only ----------
cat >"$WORK/count_forks.lua" <<'EOF'
forks = 0
kt.on("fork", function() forks = forks + 1 end)
kt.on("vfork", function() forks = forks + 1 end)
EOF
start_workload "$WORK/go2"
mkfifo "$WORK/in"
TERM=xterm "$KT" -i "$WORK/count_forks.lua" --tgid $workload --follow -k 0 \
    <"$WORK/in" >"$WORK/pipe.out" 2>"$WORK/pipe.err" &
repl=$!
exec 3>"$WORK/in"
cat >&3 <<'EOF'
sub = kt.on("exit", function(e) print("exit", e.tgid == kt.opts.tgid and "workload" or "child", e.exit_code) end)
1 + 1
{a = 1, b = {2, 3}, "x"}
error("boom")
x = 41
function twice(n)
  return 2 * n
end
twice(x)
EOF
wait_for "$WORK/pipe.out" '^82$' || fail "piped session: no result of twice(x)"
echo go > "$WORK/go2"
wait_for "$WORK/pipe.out" '^exit	workload	3$' || fail "piped session: no exit event of the workload"
wait_pid "$workload"
echo 'loaded = "from a file"' >"$WORK/more.lua"
printf '%s\n' 'forks' ':targets' ':nope' ":load $WORK/more.lua" 'loaded' 'function unfinished(' >&3
exec 3>&-
wait_pid "$repl" || fail "the piped session did not end at the end of its input"
[ "$status" -eq 0 ] || fail "the piped session should end with status 0, got $status: $(cat "$WORK/pipe.err")"

printf '%s\n' 2 '{"x", a = 1, b = {2, 3}}' 82 'exit	child	0' 'exit	workload	3' 1 \
    'active on, all off, cpu off, follow on, myproc off, stacks off' 'no targets' 'from a file' >"$WORK/pipe.expected"
diff -u "$WORK/pipe.expected" "$WORK/pipe.out" >&2 || fail "piped session: stdout differs from the expected lines (above)"
grep -q 'stdin:1: boom' "$WORK/pipe.err" && grep -q '^stack traceback:' "$WORK/pipe.err" ||
    fail "piped session: the error and its traceback should be on stderr: $(cat "$WORK/pipe.err")"
grep -q 'unknown command :nope' "$WORK/pipe.err" || fail "piped session: no message for :nope: $(cat "$WORK/pipe.err")"
grep -q "<eof>" "$WORK/pipe.err" || fail "piped session: the unfinished chunk at the end was not reported: $(cat "$WORK/pipe.err")"
if grep -q 'keytime>' "$WORK/pipe.out" "$WORK/pipe.err" || grep -q $'\033' "$WORK/pipe.out" "$WORK/pipe.err"; then
    fail "piped session: prompts or colours in the output: $(cat -v "$WORK/pipe.out" "$WORK/pipe.err")"
fi
assert_no_probes_left
