// SPDX-License-Identifier: GPL-2.0-or-later
/* The REPL: Lua typed at a prompt while events keep coming, in the manner of
 * the lua interpreter's own. A line is first tried as `return <line>`, so
 * expressions print their values; input that ends in the middle of a chunk
 * (the `<eof>` syntax error) waits for more lines. Lines come from readline's
 * callback interface at a terminal, or from a pipe or file (no prompts, no
 * colours); either way they are read by the event loop's own wait, so
 * handlers run between keystrokes. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <lua.h>
#include <lauxlib.h>
#include <readline/readline.h>
#include <readline/history.h>
#include "session.h"
#include "source.h"
#include "lua_call.h"
#include "lua_filter.h"
#include "events.h"
#include "repl.h"
#include "ring_reader.h"
#include "warn.h"

#define CHUNK_NAME   "=stdin"
#define EOF_MARK     "<eof>"     /* the end of a syntax error about unfinished input */
#define HISTORY_FILE ".keytime_history"
#define HISTORY_MAX  1000
#define FLOOD_NS     (300 * 1000000ULL)  /* output this recent at Ctrl-C: a flood */

struct text {                     /* a growing byte buffer */
	char *p;
	size_t len, cap;
};

static struct {
	struct kt_session *s;
	bool tty;                     /* readline at a terminal */
	bool colour;
	bool at_prompt;               /* readline's handler is installed */
	struct text chunk;            /* the lines of an unfinished chunk */
	struct text input;            /* piped input not yet taken */
	bool input_ended;
	bool skipping;                /* Ctrl-C in a flood: events skipped until a line is entered */
	int kt_ref;                   /* the kt table, for :help and :targets */
	char *history_path;
	volatile sig_atomic_t resized;
} repl;

static bool text_add(struct text *t, const char *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		char *q;
		while (cap < t->len + n + 1)
			cap *= 2;
		if (!(q = realloc(t->p, cap)))
			return false;
		t->p = q;
		t->cap = cap;
	}
	memcpy(t->p + t->len, p, n);
	t->len += n;
	t->p[t->len] = 0;
	return true;
}

static const char *prompt(void)
{
	bool more = repl.chunk.len > 0;

	if (!repl.tty)
		return "";
	if (!repl.colour)
		return more ? "keytime>> " : "keytime> ";
	/* \001 \002 tell readline the escapes take no room on screen */
	return more ? "\001\033[1m\002keytime>>\001\033[0m\002 " : "\001\033[1m\002keytime>\001\033[0m\002 ";
}

static void error_line(const char *msg)
{
	fflush(stdout);
	kt_warn("%s", msg);
}

/* ---- running chunks ------------------------------------------------------ */

/* Calls the chunk at 1 and prints what it returned, tab-separated; runs
 * under the host's protected call (traceback, Ctrl-C). */
static int run_and_print(lua_State *L)
{
	int n;

	lua_call(L, 0, LUA_MULTRET);
	n = lua_gettop(L);
	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *text;
		if (i > 1)
			fputc('\t', stdout);
		if (lua_type(L, i) == LUA_TSTRING)   /* as print() shows it */
			lua_pushvalue(L, i);
		else
			kt_pretty_push(L, i);
		text = lua_tolstring(L, -1, &len);
		fwrite(text, 1, len, stdout);
		lua_pop(L, 1);
	}
	if (n)
		fputc('\n', stdout);
	fflush(stdout);
	return 0;
}

/* The compiled chunk is at the top. */
static void run_chunk(struct kt_session *s)
{
	lua_pushcfunction(s->L, run_and_print);
	lua_insert(s->L, -2);
	kt_lua_pcall(s, 1);
}

static bool incomplete(lua_State *L, int status)
{
	size_t len;
	const char *msg;

	if (status != LUA_ERRSYNTAX)
		return false;
	msg = lua_tolstring(L, -1, &len);
	return len >= strlen(EOF_MARK) && !strcmp(msg + len - strlen(EOF_MARK), EOF_MARK);
}

static void remember(const char *entry)
{
	if (repl.tty && *entry)
		add_history(entry);
}

/* ---- meta-commands ------------------------------------------------------- */

/* They run as Lua C functions under the host's protected call: a kt.filter
 * that cannot be read, or a kt the user replaced, is an error, not a crash. */

static struct kt_session *session_up(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

static int cmd_help(lua_State *L)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, repl.kt_ref);
	kt_help_print(L, lua_gettop(L), stdout);
	return 0;
}

static int cmd_targets(lua_State *L)
{
	static const char *const switches[] = { "active", "all", "cpu", "follow", "myproc", "stacks", NULL };
	const char *sep = "";
	int n;

	lua_rawgeti(L, LUA_REGISTRYINDEX, repl.kt_ref);
	lua_getfield(L, -1, "filter");
	for (const char *const *k = switches; *k; k++) {
		if (lua_getfield(L, -1, *k) == LUA_TBOOLEAN) {
			printf("%s%s %s", sep, *k, lua_toboolean(L, -1) ? "on" : "off");
			sep = ", ";
		}
		lua_pop(L, 1);
	}
	putchar('\n');
	kt_filter_push_list(L, session_up(L));
	n = (int)luaL_len(L, -1);
	if (!n)
		printf("no targets\n");
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		lua_getfield(L, -1, "type");
		lua_getfield(L, -2, "id");
		lua_getfield(L, -3, "follow");
		lua_getfield(L, -4, "auto");
		printf("%-4s %-8lld%s%s\n", lua_tostring(L, -4), (long long)lua_tointeger(L, -3),
		       lua_toboolean(L, -2) ? " follow" : "", lua_toboolean(L, -1) ? " (auto: a descendant)" : "");
		lua_pop(L, 5);
	}
	return 0;
}

static void print_counts(const char *what, uint64_t total, const uint64_t by_kind[KT_KIND_MAX])
{
	const char *sep = " (";

	printf("%s %llu", what, (unsigned long long)total);
	for (unsigned k = 1; k < KT_KIND_MAX; k++)
		if (by_kind[k]) {
			printf("%s%s %llu", sep, kt_kind_name(k), (unsigned long long)by_kind[k]);
			sep = ", ";
		}
	printf("%s\n", *sep == ',' ? ")" : "");
}

static int cmd_stats(lua_State *L)
{
	struct kt_session *s = session_up(L);
	uint64_t lost[KT_KIND_MAX] = {0}, total = 0, lost_total = kt_lost_total(s, lost);

	for (unsigned k = 1; k < KT_KIND_MAX; k++)
		total += s->events[k];
	print_counts("events", total, s->events);
	print_counts("lost", lost_total, lost);
	printf("running %.1f s\n", (kt_now_ns(s) - s->start_ns) / 1e9);
	return 0;
}

static void load_file(struct kt_session *s, const char *path)
{
	if (!*path) {
		error_line(":load needs a file name");
		return;
	}
	if (luaL_loadfile(s->L, path) != LUA_OK) {
		error_line(lua_tostring(s->L, -1));
		lua_pop(s->L, 1);
		return;
	}
	kt_lua_pcall(s, 0);
}

/* ":name args"; a command may be shortened to any prefix (:q, :tar). */
static void run_command(struct kt_session *s, const char *line)
{
	size_t n = strcspn(line, " \t");
	const char *arg = line + n + strspn(line + n, " \t"), *cmd = NULL;
	lua_CFunction fn = NULL;

	for (const struct kt_help_entry *h = kt_repl_commands; h->name; h++)
		if (n > 1 && !strncmp(h->name, line, n)) {
			cmd = h->name;
			break;
		}
	if (!cmd) {
		char msg[128];
		snprintf(msg, sizeof(msg), "unknown command %.*s (:help lists them)", (int)(n < 64 ? n : 64), line);
		error_line(msg);
		return;
	}
	if (!strcmp(cmd, ":quit")) {
		s->stop = 1;
		return;
	}
	if (!strcmp(cmd, ":load")) {
		size_t len = strlen(arg);
		char *path;
		while (len && (arg[len - 1] == ' ' || arg[len - 1] == '\t'))
			len--;
		if ((path = strndup(arg, len)))
			load_file(s, path);
		free(path);
	} else {
		fn = !strcmp(cmd, ":help") ? cmd_help : !strcmp(cmd, ":targets") ? cmd_targets : cmd_stats;
		lua_pushlightuserdata(s->L, s);
		lua_pushcclosure(s->L, fn, 1);
		kt_lua_pcall(s, 0);
	}
	fflush(stdout);
}

/* ---- lines ----------------------------------------------------------------- */

/* One line of input, from readline or a pipe. */
static void take_line(struct kt_session *s, const char *line)
{
	lua_State *L = s->L;
	int status;

	if (!repl.chunk.len) {
		const char *p = line + strspn(line, " \t");
		if (*p == ':') {
			remember(line);
			run_command(s, p);
			return;
		}
		if (!*p)
			return;
		/* An expression prints its value. */
		lua_pushfstring(L, "return %s;", line);
		status = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), CHUNK_NAME);
		lua_remove(L, -2);
		if (status == LUA_OK) {
			remember(line);
			run_chunk(s);
			return;
		}
		lua_pop(L, 1);
	}
	if (!text_add(&repl.chunk, line, strlen(line)) || !text_add(&repl.chunk, "\n", 1)) {
		error_line("out of memory");
		repl.chunk.len = 0;
		return;
	}
	status = luaL_loadbuffer(L, repl.chunk.p, repl.chunk.len, CHUNK_NAME);
	if (incomplete(L, status)) {
		lua_pop(L, 1);
		return;   /* more lines to come */
	}
	repl.chunk.p[repl.chunk.len - 1] = 0;   /* the history entry, without its last newline */
	remember(repl.chunk.p);
	repl.chunk.len = 0;
	if (status == LUA_OK) {
		run_chunk(s);
	} else {
		error_line(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
}

/* readline calls this with each line, or NULL on Ctrl-D. */
static void on_line(char *line)
{
	struct kt_session *s = repl.s;

	kt_prompt_showing(false);
	if (repl.skipping) {   /* a line after Ctrl-C in a flood: events again */
		repl.skipping = false;
		s->interrupted = 0;
	}
	if (!line) {
		rl_crlf();
		s->stop = 1;
	} else {
		/* The terminal would echo a Ctrl-C that interrupts the chunk as
		 * "^C", in front of the error that says so. */
		struct termios t, saved;
		bool quiet = tcgetattr(STDIN_FILENO, &saved) == 0;
		if (quiet) {
			t = saved;
			t.c_lflag &= ~ECHOCTL;
			tcsetattr(STDIN_FILENO, TCSANOW, &t);
		}
		take_line(s, line);
		free(line);
		if (quiet)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	}
	s->interrupted = 0;   /* a Ctrl-C that stopped this line's chunk is spent */
	if (s->stop) {
		rl_callback_handler_remove();
		repl.at_prompt = false;
		return;
	}
	rl_set_prompt(prompt());   /* readline shows it when this returns */
	kt_prompt_showing(true);
}

/* ---- piped input ----------------------------------------------------------- */

static bool piped_line_ready(void)
{
	return memchr(repl.input.p ? repl.input.p : "", '\n', repl.input.len) ||
	       (repl.input_ended && repl.input.len);
}

static void read_piped(void)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n > 0)
		text_add(&repl.input, buf, n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		repl.input_ended = true;
}

/* One line per wait, so events are delivered between lines as at a terminal. */
static void take_piped_line(struct kt_session *s)
{
	char *nl = memchr(repl.input.p, '\n', repl.input.len);
	size_t n = nl ? (size_t)(nl - repl.input.p) : repl.input.len;
	char *line = strndup(repl.input.p, n);

	repl.input.len -= n + (nl != NULL);
	memmove(repl.input.p, repl.input.p + n + (nl != NULL), repl.input.len);
	if (!line)
		return;
	if (n && line[n - 1] == '\r')
		line[n - 1] = 0;
	take_line(s, line);
	free(line);
	s->interrupted = 0;
}

/* End of input: an unfinished chunk is an error, as in lua; then leave. */
static void end_of_piped_input(struct kt_session *s)
{
	if (repl.chunk.len) {
		if (luaL_loadbuffer(s->L, repl.chunk.p, repl.chunk.len, CHUNK_NAME) != LUA_OK)
			error_line(lua_tostring(s->L, -1));
		lua_pop(s->L, 1);
		repl.chunk.len = 0;
	}
	s->stop = 1;
}

/* ---- the loop's wait -------------------------------------------------------- */

/* Ctrl-C outside a chunk: what piled up in the ring buffer is skipped (the
 * loop does not deliver events while s->interrupted), the line is dropped.
 * In a flood of output, events stay skipped until the next line is entered,
 * so that there is a quiet prompt to type at. */
static void take_interrupt(struct kt_session *s)
{
	bool flood;

	if (!s->interrupted || repl.skipping)
		return;
	flood = kt_output_recent(FLOOD_NS);
	kt_ring_consume(s->rb);
	repl.chunk.len = 0;
	if (repl.tty && repl.at_prompt) {
		kt_prompt_abandon();
		rl_callback_sigcleanup();
		rl_free_line_state();
		rl_replace_line("", 1);
		rl_set_prompt(prompt());
		if (flood) {
			repl.skipping = true;
			kt_warn("interrupted; events are skipped until you enter a line");
			return;
		}
	}
	s->interrupted = 0;
}

int kt_repl_wait(struct kt_session *s, int timeout_ms)
{
	struct pollfd fds[2] = {
		{ .fd = kt_ring_fd(s->rb), .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	int nfds = repl.input_ended ? 1 : 2;

	take_interrupt(s);
	if (repl.resized) {
		repl.resized = 0;
		rl_resize_terminal();
	}
	if (repl.tty)
		kt_prompt_redraw();
	if (!repl.tty && piped_line_ready())
		timeout_ms = 0;
	if (poll(fds, nfds, timeout_ms) < 0) {
		int e = errno;
		take_interrupt(s);
		if (repl.tty)
			kt_prompt_redraw();
		return -e;
	}
	if (nfds > 1 && fds[1].revents) {
		if (repl.tty)
			rl_callback_read_char();
		else
			read_piped();
	}
	if (!repl.tty && !s->stop) {
		if (piped_line_ready())
			take_piped_line(s);
		else if (repl.input_ended)
			end_of_piped_input(s);
	}
	return 0;
}

/* ---- start and end ----------------------------------------------------------- */

static void on_winch(int sig)
{
	(void)sig;
	repl.resized = 1;
}

static void start_readline(struct kt_session *s)
{
	const char *home = getenv("HOME"), *term = getenv("TERM");
	struct sigaction sa = { .sa_handler = on_winch };

	repl.colour = !getenv("NO_COLOR") && term && strcmp(term, "dumb");
	rl_readline_name = "keytime";
	rl_catch_signals = 0;        /* Ctrl-C is the host's (back to the prompt) */
	rl_catch_sigwinch = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	kt_complete_init(s->L);
	using_history();
	stifle_history(HISTORY_MAX);
	if (home && asprintf(&repl.history_path, "%s/%s", home, HISTORY_FILE) > 0)
		read_history(repl.history_path);
	if (kt_output_wrap(s->L, repl.colour))
		kt_warn("events may print over the prompt");
	printf("keytime %s, Lua on the live event stream. :help lists the API, Tab completes, "
	       "Ctrl-C interrupts, Ctrl-D leaves.\n", KEYTIME_VERSION);
	fflush(stdout);
	rl_callback_handler_install(prompt(), on_line);
	repl.at_prompt = true;
	kt_prompt_showing(true);
}

void kt_repl_open(struct kt_session *s)
{
	repl.s = s;
	repl.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	s->interrupted = 0;   /* a Ctrl-C that stopped the script's main chunk is spent */
	lua_getglobal(s->L, "kt");
	repl.kt_ref = luaL_ref(s->L, LUA_REGISTRYINDEX);
	if (repl.tty)
		start_readline(s);
}

void kt_repl_close(struct kt_session *s)
{
	if (repl.tty) {
		if (repl.at_prompt) {
			kt_prompt_clear();   /* the run ended while at the prompt */
			rl_callback_handler_remove();
			repl.at_prompt = false;
		}
		kt_output_unwrap(s->L);
		if (repl.history_path && write_history(repl.history_path) == 0)
			history_truncate_file(repl.history_path, HISTORY_MAX);
		signal(SIGWINCH, SIG_DFL);
	}
	if (s->L)
		luaL_unref(s->L, LUA_REGISTRYINDEX, repl.kt_ref);
	free(repl.chunk.p);
	free(repl.input.p);
	free(repl.history_path);
	memset(&repl, 0, sizeof(repl));
}
