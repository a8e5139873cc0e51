// SPDX-License-Identifier: GPL-2.0-or-later
/* Output above the prompt. Handlers print whenever events come, while the
 * user may be typing: the REPL's stdout and stderr are replaced by streams
 * that, on their first write, clear readline's line from the screen; the
 * line (prompt and what was typed) is redrawn before the loop waits again.
 * Nothing is redrawn when nothing was printed. Readline itself writes to the
 * original stdout, untouched. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lualib.h>
#include <readline/readline.h>
#include "repl.h"
#include "clock.h"

#define RED   "\033[31m"
#define RESET "\033[0m"

struct sink {
	int fd;
	bool is_err;
};

static struct sink out_sink = { STDOUT_FILENO, false }, err_sink = { STDERR_FILENO, true };
static FILE *real_out, *real_err, *above_out, *above_err;
static bool on_screen, cleared, at_line_start = true, colour;
static uint64_t last_write_ns;

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= w;
	}
	return true;
}

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct sink *k = cookie;
	bool paint = colour && k->is_err;

	if (!n)
		return 0;
	kt_prompt_clear();
	if ((paint && !write_all(k->fd, RED, strlen(RED))) || !write_all(k->fd, buf, n) ||
	    (paint && !write_all(k->fd, RESET, strlen(RESET))))
		return -1;
	at_line_start = buf[n - 1] == '\n';
	last_write_ns = kt_mono_ns();
	return n;
}

bool kt_output_recent(uint64_t window_ns)
{
	return last_write_ns && kt_mono_ns() - last_write_ns <= window_ns;
}

void kt_prompt_showing(bool shown)
{
	on_screen = shown;
	cleared = false;
}

void kt_prompt_clear(void)
{
	if (!on_screen || cleared)
		return;
	rl_clear_visible_line();
	fflush(rl_outstream);
	cleared = true;
	at_line_start = true;
}

void kt_prompt_redraw(void)
{
	if (!cleared)
		return;
	/* Output that did not end its line (io.write) keeps it. */
	if (!at_line_start)
		write_all(STDOUT_FILENO, "\n", 1);
	at_line_start = true;
	cleared = false;
	rl_forced_update_display();
}

void kt_prompt_abandon(void)
{
	if (on_screen && !cleared) {
		rl_point = rl_end;
		rl_redisplay();
		fputs("^C", rl_outstream);
		rl_crlf();
		fflush(rl_outstream);
	}
	cleared = on_screen;   /* a fresh prompt comes with kt_prompt_redraw() */
	at_line_start = true;
}

/* io.stdout and io.stderr (and io.write's default output, the same object)
 * hold their FILE; point them at the replacement. */
static void repoint_io(lua_State *L, const char *name, FILE *from, FILE *to)
{
	luaL_Stream *p;

	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	if (lua_getfield(L, -1, LUA_IOLIBNAME) == LUA_TTABLE) {
		lua_getfield(L, -1, name);
		p = luaL_testudata(L, -1, LUA_FILEHANDLE);
		if (p && p->f == from)
			p->f = to;
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

int kt_output_wrap(lua_State *L, bool use_colour)
{
	cookie_io_functions_t fns = { .write = sink_write };

	fflush(stdout);
	fflush(stderr);
	above_out = fopencookie(&out_sink, "w", fns);
	above_err = fopencookie(&err_sink, "w", fns);
	if (!above_out || !above_err) {
		if (above_out)
			fclose(above_out);
		above_out = NULL;
		return -1;
	}
	setvbuf(above_out, NULL, _IOLBF, 0);
	setvbuf(above_err, NULL, _IONBF, 0);
	colour = use_colour;
	real_out = stdout;
	real_err = stderr;
	rl_outstream = real_out;
	/* glibc lets a program assign its standard streams; Lua's print() and
	 * the host's messages use these globals when they write. */
	stdout = above_out;
	stderr = above_err;
	repoint_io(L, "stdout", real_out, above_out);
	repoint_io(L, "stderr", real_err, above_err);
	return 0;
}

void kt_output_unwrap(lua_State *L)
{
	if (!above_out)
		return;
	fflush(above_out);
	if (L) {
		repoint_io(L, "stdout", above_out, real_out);
		repoint_io(L, "stderr", above_err, real_err);
	}
	stdout = real_out;
	stderr = real_err;
	on_screen = cleared = false;
	fclose(above_out);
	fclose(above_err);
	above_out = above_err = NULL;
}
