/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container's id in a cgroup path, as the usual runtimes name their
 * cgroups. Pure, unit-tested. */
#ifndef KT_CONTAINER_ID_H
#define KT_CONTAINER_ID_H

/* The 64 hex digits after docker-, libpod-, crio-, cri-containerd- or a
 * /docker/ or /libpod/ component (the deepest, for a container below a
 * pod); NULL if none. out holds 65 bytes. */
const char *kt_container_id(const char *path, char *out);

#endif
