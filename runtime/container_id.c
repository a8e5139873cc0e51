// SPDX-License-Identifier: GPL-2.0-or-later
/* A container's id in a cgroup path (container_id.h). */
#include <stdbool.h>
#include <string.h>
#include <ctype.h>
#include "container_id.h"

static bool hex64_at(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return !isxdigit((unsigned char)s[64]);
}

const char *kt_container_id(const char *path, char *out)
{
	static const char *const prefixes[] = {
		"docker-", "libpod-", "crio-", "cri-containerd-", "/docker/", "/libpod/", NULL,
	};
	const char *found = NULL;

	if (!path)
		return NULL;
	/* The deepest match: a container's own cgroup below a pod's. */
	for (const char *const *p = prefixes; *p; p++)
		for (const char *s = path; (s = strstr(s, *p)); s++) {
			const char *hex = s + strlen(*p);
			if (strlen(hex) >= 64 && hex64_at(hex) && (!found || hex > found))
				found = hex;
		}
	if (!found)
		return NULL;
	memcpy(out, found, 64);
	out[64] = 0;
	return out;
}
