// SPDX-License-Identifier: GPL-2.0-or-later
/* Pins of running tracers under /sys/fs/bpf/keytime/<pid>/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "instance.h"
#include "procfs.h"

static const char *const pin_names[] = { "targets", "config", "filter", "attrs" };

static void pin_path(char *buf, size_t len, pid_t pid, const char *name)
{
	if (name)
		snprintf(buf, len, "%s/%d/%s", KT_PIN_ROOT, (int)pid, name);
	else
		snprintf(buf, len, "%s/%d", KT_PIN_ROOT, (int)pid);
}

static void remove_pins(pid_t pid)
{
	char path[256];

	for (size_t i = 0; i < sizeof(pin_names) / sizeof(pin_names[0]); i++) {
		pin_path(path, sizeof(path), pid, pin_names[i]);
		unlink(path);
	}
	pin_path(path, sizeof(path), pid, NULL);
	rmdir(path);
	rmdir(KT_PIN_ROOT);   /* when it was the last tracer: nothing of ours stays */
}

int kt_instance_pin(const struct kt_probes *p, char *err, int errlen)
{
	int fds[] = { p->targets_fd, p->config_fd, p->filter_fd, p->attrs_fd };
	char path[256];
	pid_t self = getpid();

	remove_pins(self);   /* a dead tracer of the same pid left it */
	pin_path(path, sizeof(path), self, NULL);
	/* Another tracer leaving may remove the (empty) root between our two
	 * mkdirs: then again. */
	for (int tries = 0;; tries++) {
		if (mkdir(KT_PIN_ROOT, 0700) && errno != EEXIST)
			goto fail;
		chmod(KT_PIN_ROOT, 0700);
		if (mkdir(path, 0700) == 0)
			break;
		if (errno != ENOENT || tries == 10)
			goto fail;
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		pin_path(path, sizeof(path), self, pin_names[i]);
		if (bpf_obj_pin(fds[i], path))
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot pin the control maps at %s: %s", path, strerror(errno));
	remove_pins(self);
	return -1;
}

void kt_instance_unpin(void)
{
	remove_pins(getpid());
}

/* A tracer is alive if its pid runs keytime-run. */
static bool tracer_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (!(f = fopen(path, "r")))
		return false;
	kt_procfs_comm(f, comm, sizeof(comm));
	fclose(f);
	return !strcmp(comm, "keytime-run");
}

/* Calls fn for each pid directory; fn returns non-zero to stop. */
static int each_instance(int (*fn)(pid_t pid, void *arg), void *arg)
{
	DIR *d = opendir(KT_PIN_ROOT);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		n++;
		if (fn((pid_t)pid, arg))
			break;
	}
	closedir(d);
	return n;
}

static int clean_if_dead(pid_t pid, void *arg)
{
	int *removed = arg;

	if (!tracer_alive(pid)) {
		remove_pins(pid);
		(*removed)++;
	}
	return 0;
}

int kt_instance_clean_stale(void)
{
	int removed = 0;

	each_instance(clean_if_dead, &removed);
	return removed;
}

struct pid_list {
	pid_t *pids;
	int n, max;
};

static int add_live(pid_t pid, void *arg)
{
	struct pid_list *l = arg;

	if (tracer_alive(pid) && l->n < l->max)
		l->pids[l->n++] = pid;
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

int kt_instance_list(pid_t *pids, int max)
{
	struct pid_list l = { pids, 0, max };

	each_instance(add_live, &l);
	qsort(pids, l.n, sizeof(*pids), by_pid);
	return l.n;
}

int kt_instance_open(pid_t pid, struct kt_probes *p)
{
	int *fds[] = { &p->targets_fd, &p->config_fd, &p->filter_fd, &p->attrs_fd };
	char path[256];
	void *mem;

	memset(p, 0, sizeof(*p));
	p->targets_fd = p->config_fd = p->filter_fd = p->attrs_fd = -1;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		pin_path(path, sizeof(path), pid, pin_names[i]);
		if ((*fds[i] = bpf_obj_get(path)) < 0)
			goto fail;
	}
	mem = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED,
		   p->filter_fd, 0);
	if (mem == MAP_FAILED)
		goto fail;
	p->filter = mem;
	return 0;
fail:
	kt_instance_close(p);
	return -1;
}

void kt_instance_close(struct kt_probes *p)
{
	int e = errno;

	if (p->filter)
		munmap((void *)p->filter, sysconf(_SC_PAGESIZE));
	p->filter = NULL;
	if (p->targets_fd >= 0)
		close(p->targets_fd);
	if (p->config_fd >= 0)
		close(p->config_fd);
	if (p->filter_fd >= 0)
		close(p->filter_fd);
	if (p->attrs_fd >= 0)
		close(p->attrs_fd);
	p->targets_fd = p->config_fd = p->filter_fd = p->attrs_fd = -1;
	errno = e;
}
