// SPDX-License-Identifier: GPL-2.0-or-later
/* A library ustack_work loads with dlopen ("dlopen"), after the host has
 * read its mappings at its exec: lib_wait's frame, between the program's
 * own, names this library only if the host learned of the mapping. Built
 * with frame pointers (the Makefile), lib_wait kept whole. */
__attribute__((noinline, noclone)) long lib_wait(long (*sleep_ms)(long), long ms)
{
	long ret = sleep_ms(ms);

	__asm__ volatile("" ::: "memory");   /* no tail call: lib_wait keeps its frame */
	return ret;
}
