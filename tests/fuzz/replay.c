// SPDX-License-Identifier: GPL-2.0-or-later
/* unit_fuzz_NAME: runs every file of the fuzz corpus through the target's
 * LLVMFuzzerTestOneInput, without libFuzzer, so each input that once found a
 * bug (or new code) stays a regression test. Folders to replay may be given;
 * the default is tests/fuzz/corpus/NAME beside tests/build/. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sanitizer/common_interface_defs.h>
#include "fuzz.h"

static char current[PATH_MAX + 1];

/* ASan, UBSan or a FUZZ_CHECK ends the run: say which input did it. */
static void name_input(void)
{
	fprintf(stderr, "replay: the failing input is %s\n", current);
}

static void on_abort(int sig)
{
	name_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	struct stat st;
	size_t n;

	if (!f || fstat(fileno(f), &st)) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	/* An exact-size heap copy: ASan then sees any read past the input. */
	buf = malloc(st.st_size ? st.st_size : 1);
	n = buf ? fread(buf, 1, st.st_size, f) : 0;
	fclose(f);
	if (!buf || n != (size_t)st.st_size) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(buf);
		return -1;
	}
	snprintf(current, sizeof(current), "%s", path);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays the regular files of dir in name order; returns how many, or -1. */
static int replay_dir(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name), done = 0;

	if (n < 0) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(path))
				done = -1;
			else if (done >= 0)
				done++;
		}
		free(ents[i]);
	}
	free(ents);
	return done;
}

/* tests/build/unit_fuzz_NAME -> tests/build/../fuzz/corpus/NAME */
static int default_corpus(char *out, size_t len)
{
	char exe[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash, *name;

	if (n <= 0)
		return -1;
	exe[n] = 0;
	if (!(slash = strrchr(exe, '/')) || !(name = strstr(slash, "unit_fuzz_")))
		return -1;
	*slash = 0;
	snprintf(out, len, "%s/../fuzz/corpus/%s", exe, name + strlen("unit_fuzz_"));
	return 0;
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX];
	int total = 0;

	__sanitizer_set_death_callback(name_input);
	signal(SIGABRT, on_abort);   /* a FUZZ_CHECK */
	if (argc < 2) {
		if (default_corpus(dir, sizeof(dir))) {
			fprintf(stderr, "replay: name a corpus folder\n");
			return 2;
		}
		argv[1] = dir;
		argc = 2;
	}
	for (int i = 1; i < argc; i++) {
		int n = replay_dir(argv[i]);
		if (n < 0)
			return 1;
		/* An empty corpus would make this test pass without testing. */
		if (n == 0) {
			fprintf(stderr, "replay: no input in %s\n", argv[i]);
			return 1;
		}
		printf("replayed %d inputs from %s\n", n, argv[i]);
		total += n;
	}
	return total > 0 ? 0 : 1;
}
