// SPDX-License-Identifier: GPL-2.0-or-later
/* ustacks.sh's workload: main -> outer_wait -> inner_sleep, COUNT times,
 * each sleeping MS milliseconds in the kernel, then it exits. Built with
 * frame pointers (the Makefile: -O1 -fno-omit-frame-pointer) and its
 * functions kept whole (noinline, noclone: their names stay), so a user
 * stack taken while it sleeps reads inner_sleep, outer_wait, main.
 * inner_sleep makes the system call itself: a libc wrapper, built without
 * frame pointers, between it and the kernel would hide it from the walk.
 * With "replace", it first deletes its own binary and puts another file
 * at its path, as an upgrade does while a program runs. With "dlopen
 * LIB", it loads LIB (tests/workload/lib/ustack_lib.c) and sleeps through
 * its lib_wait: main -> outer_wait -> lib_wait -> inner_sleep.
 * Usage: ustack_work [COUNT [MS [replace | dlopen LIB]]] */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "die.h"

__attribute__((noinline, noclone)) long inner_sleep(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
#if defined(__x86_64__)
	register long a1 __asm__("rdi") = CLOCK_MONOTONIC;
	register long a2 __asm__("rsi") = 0;
	register long a3 __asm__("rdx") = (long)&ts;
	register long a4 __asm__("r10") = 0;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "0"((long)SYS_clock_nanosleep), "r"(a1), "r"(a2), "r"(a3), "r"(a4)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x0 __asm__("x0") = CLOCK_MONOTONIC;
	register long x1 __asm__("x1") = 0;
	register long x2 __asm__("x2") = (long)&ts;
	register long x3 __asm__("x3") = 0;
	register long x8 __asm__("x8") = SYS_clock_nanosleep;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3), "r"(x8) : "memory");
	return x0;
#else
#error "ustack_work: no system call of its own for this architecture"
#endif
}

static long (*lib_wait)(long (*)(long), long);   /* "dlopen": the library's */

__attribute__((noinline, noclone)) void outer_wait(int count, long ms)
{
	for (int i = 0; i < count; i++)
		if (lib_wait ? lib_wait(inner_sleep, ms) : inner_sleep(ms))
			die("clock_nanosleep failed");
	__asm__ volatile("" ::: "memory");   /* no tail call: outer_wait keeps its frame */
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 3;
	long ms = argc > 2 ? atol(argv[2]) : 50;

	if (count < 1 || ms < 1 || (argc > 3 && strcmp(argv[3], "replace") && strcmp(argv[3], "dlopen")) ||
	    (argc > 3 && !strcmp(argv[3], "dlopen") && argc != 5))
		die("usage: ustack_work [COUNT [MS [replace | dlopen LIB]]]");
	if (argc > 3 && !strcmp(argv[3], "dlopen")) {
		void *lib = dlopen(argv[4], RTLD_NOW);

		if (!lib || !(*(void **)&lib_wait = dlsym(lib, "lib_wait")))
			die("cannot load %s: %s", argv[4], dlerror());
	} else if (argc > 3) {
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		FILE *f;

		if (n <= 0)
			die("cannot read /proc/self/exe");
		self[n] = 0;
		if (unlink(self) || !(f = fopen(self, "w")) || fputs("#!/bin/sh\nexit 3\n", f) < 0 || fclose(f))
			die("cannot replace its own binary");
	}
	outer_wait(count, ms);
	return 0;
}
