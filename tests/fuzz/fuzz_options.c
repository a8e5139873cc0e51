// SPDX-License-Identifier: GPL-2.0-or-later
/* keytime-run's command line (runtime/options.c kt_options_parse): the input
 * is the arguments, separated by NUL bytes. */
#include <string.h>
#include <math.h>
#include "fuzz.h"
#include "options.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 2], err[256];
	struct kt_options o;
	int argc = 0, targets;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	argv[argc++] = "keytime-run";
	for (char *p = copy; p <= copy + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	err[0] = 0;
	if (kt_options_parse(&o, argc, argv, err, sizeof(err)) == 0) {
		targets = !!o.pid + !!o.tgid + o.all + !!o.cmd;
		FUZZ_CHECK(targets <= 1);
		FUZZ_CHECK(o.pid >= 0 && o.tgid >= 0);
		FUZZ_CHECK(o.cpu == 0 || o.cpu == 1);
		/* main() turns it into a deadline in nanoseconds. */
		FUZZ_CHECK(o.duration == 0 || (isfinite(o.duration) && o.duration > 0 &&
					       o.duration * 1e9 < 9e18));
		FUZZ_CHECK(o.script_argc >= 0 && o.script_argc < argc);
		FUZZ_CHECK(o.script || o.interactive || o.help || o.version || o.list_scripts);
		FUZZ_CHECK(!(o.interactive && o.output));
		FUZZ_CHECK(o.verbose >= 0 && (size_t)o.verbose <= size);   /* one a letter at most */
		for (int i = 0; i < o.script_argc; i++)
			FUZZ_CHECK(o.script_argv[i] != NULL);
		FUZZ_CHECK(o.script_argv[o.script_argc] == NULL);
	} else {
		FUZZ_CHECK(err[0] != 0);   /* every refusal says why */
	}
	kt_options_free(&o);
	free(copy);
	return 0;
}
