// SPDX-License-Identifier: GPL-2.0-or-later
/* Script and module search paths (runtime/script_path.c) from untrusted
 * strings: $KEYTIME_PATH, the executable's folder, the install folder and the
 * script's path, separated by NUL bytes in the input. */
#include <string.h>
#include "fuzz.h"
#include "script_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_search_path sp;   /* 128 KiB: not on the stack */
	char *copy = malloc(size + 1), *part[4] = { NULL, NULL, NULL, NULL };
	char out[512];
	int n = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	for (char *p = copy; p <= copy + size && n < 4; p += strlen(p) + 1)
		part[n++] = p;

	kt_search_path_init(&sp, part[0], part[1], part[2]);
	FUZZ_CHECK(sp.n >= 0 && sp.n <= KT_SEARCH_MAX);
	for (int i = 0; i < sp.n; i++)
		FUZZ_CHECK(sp.dirs[i][0] && strnlen(sp.dirs[i], sizeof(sp.dirs[i])) < sizeof(sp.dirs[i]));

	for (size_t len = 1; len <= sizeof(out); len *= 8) {
		if (kt_module_path(out, len, part[1] ? part[1] : "", part[2] ? part[2] : "",
				   part[3] ? part[3] : "x.lua") == 0) {
			size_t l = strnlen(out, len);
			FUZZ_CHECK(l < len);
			FUZZ_CHECK(l == 0 || out[l - 1] == ';');
		}
	}
	free(copy);
	return 0;
}
