// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generations.c - test workload for forktree.lua: three generations.
 *
 *   root (exit 3)
 *   └─ middle: fork (exit 2), with two threads
 *      ├─ thread_child: fork from thread 1, killed by its own SIGTERM
 *      ├─ exec_child: vfork, exec /bin/sh -c "exec /bin/true gen3 'two words'" (exit 0)
 *      └─ short_child: fork, spins about a millisecond, exit 5
 *
 * Each step waits for the one before, so the order of creation is fixed.
 * Every process appends its pids to the manifest (key=value lines).
 *
 * Usage: generations MANIFEST_PATH [--gate FIFO_PATH]
 *   --gate: wait for a byte on the FIFO first (for a tracer to attach).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "die.h"

#define ROOT_EXIT 3
#define MIDDLE_EXIT 2
#define SHORT_EXIT 5
#define SHORT_NS 1000000L

static int manifest_fd = -1;

/* Built before vfork(): the child may only exec or _exit. */
static char *exec_argv[] = { "/bin/sh", "-c", "exec /bin/true gen3 'two words'", NULL };

/* One line, one write(2) on an O_APPEND file: processes never interleave. */
static void record(const char *key, long value)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%s=%ld\n", key, value);

	if (write(manifest_fd, line, n) != n)
		die("writing manifest: %s", strerror(errno));
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void expect_status(pid_t pid, int code, int sig, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid(%d): %s", (int)pid, strerror(errno));
	if (sig ? !(WIFSIGNALED(status) && WTERMSIG(status) == sig)
		: !(WIFEXITED(status) && WEXITSTATUS(status) == code))
		die("%s %d: status 0x%x, expected %s %d", what, (int)pid, status,
		    sig ? "signal" : "exit", sig ? sig : code);
}

/* Thread 1: forks a child that ends by its own SIGTERM, and reaps it. */
static void *thread1_main(void *arg)
{
	pid_t pid;

	(void)arg;
	record("thread1", syscall(SYS_gettid));
	pid = fork();
	if (pid < 0)
		die("fork from thread: %s", strerror(errno));
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		kill(getpid(), SIGTERM);
		_exit(EXIT_FAILED);
	}
	expect_status(pid, 0, SIGTERM, "thread_child");
	record("thread_child", pid);
	return NULL;
}

/* Thread 2: sleeps 10 ms (off-CPU) and returns. */
static void *thread2_main(void *arg)
{
	struct timespec ts = { 0, 10 * 1000000L };

	(void)arg;
	record("thread2", syscall(SYS_gettid));
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return NULL;
}

static void start_and_join(void *(*fn)(void *))
{
	pthread_t t;
	int err = pthread_create(&t, NULL, fn, NULL);

	if (err != 0)
		die("pthread_create: %s", strerror(err));
	err = pthread_join(t, NULL);
	if (err != 0)
		die("pthread_join: %s", strerror(err));
}

static void middle(void)
{
	pid_t pid;

	record("middle", getpid());
	start_and_join(thread1_main);
	start_and_join(thread2_main);

	pid = vfork();
	if (pid < 0)
		die("vfork: %s", strerror(errno));
	if (pid == 0) {
		execv(exec_argv[0], exec_argv);
		_exit(EXIT_FAILED);
	}
	expect_status(pid, 0, 0, "exec_child");
	record("exec_child", pid);

	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		long until = now_ns() + SHORT_NS;
		while (now_ns() < until)
			;
		_exit(SHORT_EXIT);
	}
	expect_status(pid, SHORT_EXIT, 0, "short_child");
	record("short_child", pid);
	exit(MIDDLE_EXIT);
}

static void wait_gate(const char *fifo)
{
	char byte;
	ssize_t n;
	int fd = open(fifo, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open gate %s: %s", fifo, strerror(errno));
	do
		n = read(fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		die("gate %s closed without a byte", fifo);
	close(fd);
}

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc == 4 && strcmp(argv[2], "--gate") == 0)
		wait_gate(argv[3]);
	else if (argc != 2)
		die("usage: %s MANIFEST_PATH [--gate FIFO_PATH]", argv[0]);
	manifest_fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (manifest_fd < 0)
		die("open manifest %s: %s", argv[1], strerror(errno));
	record("root", getpid());

	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		middle();
	expect_status(pid, MIDDLE_EXIT, 0, "middle");
	record("root_exit", ROOT_EXIT);
	return ROOT_EXIT;
}
