// SPDX-License-Identifier: GPL-2.0-or-later
/* Targets by cgroup, uid and command name (attr_targets.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <bpf/bpf.h>
#include "attr_targets.h"
#include "cgroups.h"
#include "probes.h"


const char *kt_attr_type_name(__u32 type)
{
	switch (type) {
	case KT_TARGET_CGROUP: return "cgroup";
	case KT_TARGET_UID:    return "uid";
	case KT_TARGET_COMM:   return "comm";
	default:               return "?";
	}
}

static int parse_uid(const char *text, __u64 *uid, char *err, size_t errlen)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (*text && !*end && !errno && v < 0xffffffffUL && text[0] != '-') {
		*uid = v;
		return 0;
	}
	if (*text && (pw = getpwnam(text))) {
		*uid = pw->pw_uid;
		return 0;
	}
	snprintf(err, errlen, "no such user: %s", text);
	return -1;
}

int kt_attr_parse(const char *kind, const char *text, struct kt_attr_key *key,
		  char *err, size_t errlen)
{
	bool unit = !strcmp(kind, "unit"), container = !strcmp(kind, "container");
	char rel[PATH_MAX];
	uint64_t id;

	memset(key, 0, sizeof(*key));
	if (!strcmp(kind, "cgroup") || unit || container) {
		key->type = KT_TARGET_CGROUP;
		if (unit && kt_unit_cgroup(text, rel, sizeof(rel), err, errlen))
			return -1;
		if (container && kt_container_cgroup(text, rel, sizeof(rel), err, errlen))
			return -1;
		if (kt_cgroup_resolve(unit || container ? rel : text, &id, rel, sizeof(rel), err, errlen))
			return -1;
		key->id = id;
		return 0;
	}
	if (!strcmp(kind, "uid")) {
		key->type = KT_TARGET_UID;
		return parse_uid(text, &key->id, err, errlen);
	}
	if (!strcmp(kind, "comm")) {
		key->type = KT_TARGET_COMM;
		if (!*text) {
			snprintf(err, errlen, "an empty command name");
			return -1;
		}
		/* The kernel keeps 15 bytes of it, and so does the target. */
		strncpy(key->comm, text, KT_COMM_LEN - 1);
		return 0;
	}
	snprintf(err, errlen, "no such kind of target");
	return -1;
}

void kt_attr_describe(const struct kt_attr_key *key, char *buf, size_t len)
{
	const char *path;

	switch (key->type) {
	case KT_TARGET_CGROUP:
		if ((path = kt_cgroup_path(key->id)))
			snprintf(buf, len, "%s", path);
		else
			snprintf(buf, len, "#%llu", (unsigned long long)key->id);
		break;
	case KT_TARGET_UID:
		snprintf(buf, len, "%llu", (unsigned long long)key->id);
		break;
	case KT_TARGET_COMM:
		snprintf(buf, len, "%.*s", KT_COMM_LEN, key->comm);
		break;
	default:
		snprintf(buf, len, "?");
	}
}

static __u64 attr_value(const struct kt_attr_key *key)
{
	__u64 w[2];

	if (key->type != KT_TARGET_COMM)
		return key->id;
	memcpy(w, key->comm, sizeof(w));
	return kt_comm_fold(w[0], w[1]);
}

int kt_attr_add(struct kt_probes *p, const struct kt_attr_key *key, __u32 flags)
{
	struct kt_target val = { flags, 0 };
	__u32 bit = kt_attr_bit(key->type, attr_value(key));
	int r;

	if (key->type < KT_TARGET_CGROUP || key->type >= KT_TARGET_TYPE_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (p->filter)   /* first: a probe that finds no bit skips the lookup */
		__atomic_fetch_or(&p->filter->attr_bits[bit / 64], 1ULL << (bit % 64), __ATOMIC_SEQ_CST);
	r = bpf_map_update_elem(p->attrs_fd, key, &val, BPF_NOEXIST);
	if (r == 0 && p->filter)
		__atomic_fetch_add(&p->filter->attr_count[key->type], 1, __ATOMIC_SEQ_CST);
	else if (r && errno == EEXIST)
		r = bpf_map_update_elem(p->attrs_fd, key, &val, BPF_EXIST);
	kt_filter_changed(p);
	return r;
}

int kt_attr_remove(struct kt_probes *p, const struct kt_attr_key *key)
{
	int r = bpf_map_delete_elem(p->attrs_fd, key);

	if (r == 0 && p->filter && key->type < KT_TARGET_TYPE_MAX)
		__atomic_fetch_sub(&p->filter->attr_count[key->type], 1, __ATOMIC_SEQ_CST);
	kt_filter_changed(p);
	return r;
}

bool kt_attrs_empty(struct kt_probes *p)
{
	struct kt_attr_key next;

	return p->attrs_fd < 0 || bpf_map_get_next_key(p->attrs_fd, NULL, &next) != 0;
}

void kt_attrs_each(struct kt_probes *p,
		   int (*fn)(const struct kt_attr_key *, const struct kt_target *, void *), void *arg)
{
	struct kt_attr_key key, next;
	struct kt_target val;
	void *prev = NULL;

	if (p->attrs_fd < 0)
		return;
	while (bpf_map_get_next_key(p->attrs_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(p->attrs_fd, &key, &val))
			continue;
		if (fn(&key, &val, arg))
			break;
	}
}

int kt_attrs_clear(struct kt_probes *p)
{
	struct kt_attr_key next;

	if (p->attrs_fd < 0)
		return 0;
	while (bpf_map_get_next_key(p->attrs_fd, NULL, &next) == 0)
		if (kt_attr_remove(p, &next) && errno != ENOENT)
			return -1;
	return 0;
}
