// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * empty_switch.c - loads and attaches bench/empty_switch.bpf.o, says
 * "attached" on stderr, and holds it until SIGINT or SIGTERM.
 * Usage: empty_switch OBJECT
 */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;

	if (argc != 2) {
		fprintf(stderr, "usage: empty_switch OBJECT\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "empty_switch: cannot load %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__next_program(obj, NULL);
	link = prog ? bpf_program__attach(prog) : NULL;
	if (!link) {
		fprintf(stderr, "empty_switch: cannot attach\n");
		bpf_object__close(obj);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "attached\n");
	pause();
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
