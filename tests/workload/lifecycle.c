// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lifecycle.c - test workload for keytime.
 *
 * Performs a fixed sequence of process-lifecycle events (fork, vfork,
 * vfork+exec, posix_spawn, raw clone, a killed child, a failed exec,
 * threads, an off-CPU sleep, a non-zero exit) and writes a key=value
 * manifest describing them, so a test can compare the tracer's output
 * with what really happened.
 *
 * Usage: lifecycle MANIFEST_PATH [--gate FIFO_PATH]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "die.h"

#define VEXEC_ARGC 22
#define VEXEC_LONG_ARGC 40

static FILE *manifest;

/* argv arrays are built before vfork(): the child may only exec or _exit. */
static char *vexec_argv[VEXEC_ARGC + 1];
static char *vexec_long_argv[VEXEC_LONG_ARGC + 1];
static char *missing_argv[] = { "/nonexistent/keytime-missing", NULL };

static pid_t thread_tids[2];

static void record(const char *key, long value)
{
	if (fprintf(manifest, "%s=%ld\n", key, value) < 0 || fflush(manifest) != 0)
		die("writing manifest: %s", strerror(errno));
}

static void wait_status(pid_t pid, int *status)
{
	if (waitpid(pid, status, 0) != pid)
		die("waitpid(%d): %s", (int)pid, strerror(errno));
}

static void expect_exit(pid_t pid, int code, const char *what)
{
	int status;

	wait_status(pid, &status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
		die("%s child %d: status 0x%x, expected exit %d",
		    what, (int)pid, status, code);
}

static void expect_signal(pid_t pid, int sig, const char *what)
{
	int status;

	wait_status(pid, &status);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
		die("%s child %d: status 0x%x, expected signal %d",
		    what, (int)pid, status, sig);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		if (errno != EINTR)
			die("nanosleep: %s", strerror(errno));
}

/* Format "<prefix><i>" into a freshly allocated string. */
static char *numbered(const char *prefix, int i)
{
	char *s;

	if (asprintf(&s, "%s%d", prefix, i) < 0)
		die("asprintf: out of memory");
	return s;
}

static void build_argvs(void)
{
	int i;

	vexec_argv[0] = "/bin/true";
	vexec_argv[1] = "alpha";
	vexec_argv[2] = "beta gamma";
	for (i = 3; i < VEXEC_ARGC; i++)
		vexec_argv[i] = numbered("a", i);

	vexec_long_argv[0] = "/bin/true";
	for (i = 1; i < VEXEC_LONG_ARGC; i++)
		vexec_long_argv[i] = numbered("t", i);
}

static void wait_gate(const char *fifo)
{
	char byte;
	ssize_t n;
	int fd = open(fifo, O_RDONLY);

	if (fd < 0)
		die("open gate %s: %s", fifo, strerror(errno));
	do
		n = read(fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("read gate %s: %s", fifo, strerror(errno));
	if (n == 0)
		die("gate %s closed without a byte", fifo);
	close(fd);
}

/* Step 1: plain fork, child exits 3. */
static void step_fork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(3);
	expect_exit(pid, 3, "fork");
	record("fork_child", pid);
}

/* Step 2: vfork, child exits 0 immediately. */
static void step_vfork(void)
{
	pid_t pid = vfork();

	if (pid < 0)
		die("vfork: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	expect_exit(pid, 0, "vfork");
	record("vfork_child", pid);
}

/* vfork and execv path/argv in the child; _exit(fail_code) if exec fails. */
static pid_t vfork_exec(const char *path, char *const argv[], int fail_code)
{
	pid_t pid = vfork();

	if (pid < 0)
		die("vfork: %s", strerror(errno));
	if (pid == 0) {
		execv(path, argv);
		_exit(fail_code);
	}
	return pid;
}

/* Step 3: vfork + exec of /bin/true with 22 arguments. */
static void step_vexec(void)
{
	pid_t pid = vfork_exec("/bin/true", vexec_argv, 127);

	expect_exit(pid, 0, "vexec");
	record("vexec_child", pid);
}

/* Step 4: vfork + exec of /bin/true with 40 arguments (truncation test). */
static void step_vexec_long(void)
{
	pid_t pid = vfork_exec("/bin/true", vexec_long_argv, 127);

	expect_exit(pid, 0, "vexec_long");
	record("vexec_long_child", pid);
}

/* Step 5: posix_spawn of /bin/echo with stdout sent to /dev/null. */
static void step_spawn(void)
{
	char *argv[] = { "/bin/echo", "spawned", "x", NULL };
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int err;

	err = posix_spawn_file_actions_init(&actions);
	if (err == 0)
		err = posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
						       "/dev/null", O_WRONLY, 0);
	if (err != 0)
		die("posix_spawn_file_actions: %s", strerror(err));
	err = posix_spawn(&pid, "/bin/echo", &actions, NULL, argv, environ);
	if (err != 0)
		die("posix_spawn: %s", strerror(err));
	posix_spawn_file_actions_destroy(&actions);
	expect_exit(pid, 0, "spawn");
	record("spawn_child", pid);
}

/* Step 6: raw clone(SIGCHLD) with no new stack; child exit_group(5). */
static void step_clone(void)
{
	long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);

	if (pid < 0)
		die("clone: %s", strerror(errno));
	if (pid == 0)
		syscall(SYS_exit_group, 5);
	expect_exit(pid, 5, "clone");
	record("clone_child", pid);
}

/* Step 7: fork a child that pauses; kill it with SIGKILL once it runs. */
static void step_killed(void)
{
	int ready[2];
	char byte = 0;
	pid_t pid;

	if (pipe(ready) != 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (write(ready[1], &byte, 1) != 1)
			_exit(EXIT_FAILED);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &byte, 1) != 1)
		die("killed child %d did not report ready", (int)pid);
	close(ready[0]);
	if (kill(pid, SIGKILL) != 0)
		die("kill(%d): %s", (int)pid, strerror(errno));
	expect_signal(pid, SIGKILL, "killed");
	record("killed_child", pid);
}

/* Step 8: vfork + exec of a missing program; child exits 42. */
static void step_missing(void)
{
	pid_t pid = vfork_exec(missing_argv[0], missing_argv, 42);

	expect_exit(pid, 42, "missing");
	record("missing_child", pid);
}

static void *thread_main(void *arg)
{
	pid_t *slot = arg;

	*slot = (pid_t)syscall(SYS_gettid);
	sleep_ms(20);
	return NULL;
}

/* Step 9: two threads that record their tid, sleep 20 ms and return. */
static void step_threads(void)
{
	pthread_t threads[2];
	int i, err;

	for (i = 0; i < 2; i++) {
		err = pthread_create(&threads[i], NULL, thread_main, &thread_tids[i]);
		if (err != 0)
			die("pthread_create: %s", strerror(err));
	}
	for (i = 0; i < 2; i++) {
		err = pthread_join(threads[i], NULL);
		if (err != 0)
			die("pthread_join: %s", strerror(err));
	}
	record("thread1", thread_tids[0]);
	record("thread2", thread_tids[1]);
}

/* Step 10: off-CPU sleep in the main thread. */
static void step_sleep(void)
{
	sleep_ms(50);
	record("slept_ms", 50);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[2], "--gate") == 0)
		wait_gate(argv[3]);
	else if (argc != 2)
		die("usage: %s MANIFEST_PATH [--gate FIFO_PATH]", argv[0]);

	manifest = fopen(argv[1], "w");
	if (!manifest)
		die("open manifest %s: %s", argv[1], strerror(errno));
	build_argvs();

	record("main_pid", getpid());
	record("ppid", getppid());
	step_fork();
	step_vfork();
	step_vexec();
	step_vexec_long();
	step_spawn();
	step_clone();
	step_killed();
	step_missing();
	step_threads();
	step_sleep();

	/* Step 11: record the exit code and leave with it. */
	record("exit_code", 7);
	if (fclose(manifest) != 0)
		die("closing manifest: %s", strerror(errno));
	exit(7);
}
