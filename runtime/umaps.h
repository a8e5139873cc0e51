/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Processes' executable mappings, for user stacks taken as addresses
 * (ustacks.c): per process (tgid), its mappings as /proc/PID/maps gave
 * them, each file opened through /proc/PID/map_files (the very file
 * mapped, even if replaced or deleted on disk since) and known by its
 * build-id. Read when the host learns of a process (exec, fork, its first
 * stack) and again when an address falls outside every mapping kept, and
 * told of each new mapping and exec by the kernel (kt_umaps_note);
 * kept after the process has ended, so its stacks still resolve, for at
 * most max_procs processes (the least recently used go first). */
#ifndef KT_UMAPS_H
#define KT_UMAPS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "usyms.h"

/* One line of /proc/PID/maps. */
struct kt_umap_line {
	uint64_t start, end, offset;
	bool exec;                 /* 'x' in its permissions */
	unsigned long ino;         /* 0: not a file */
	const char *path;          /* in the line: "/..." for a file, "" or "[name]" otherwise */
};

/* A file mapped by some process, opened once. */
struct kt_umap_file {
	dev_t dev;
	ino_t ino;
	int fd;                    /* -1: closed (too many open) or not opened */
	char *name;                /* its base name as the mapping gave it */
	unsigned char id[KT_BUILD_ID_MAX];
	size_t id_len;             /* 0: no build-id */
};

struct kt_umaps;

/* proc_root: "/proc" (tests give a tree of their own). NULL when out of memory. */
struct kt_umaps *kt_umaps_new(const char *proc_root, size_t max_procs);
void kt_umaps_free(struct kt_umaps *m);

/* Parses a line (changed: its end cut); false if it is not a mapping line. */
bool kt_umaps_parse_line(char *line, struct kt_umap_line *out);

/* Reads tgid's mappings now, in place of any kept. 0, or -1 (gone). */
int kt_umaps_read(struct kt_umaps *m, uint32_t tgid);
/* A new process sharing parent's mappings (fork): parent's, kept for it. */
void kt_umaps_fork(struct kt_umaps *m, uint32_t parent, uint32_t child);
/* A stack of tgid's is seen: its mappings read now if they were read only
 * at its exec or fork so far (the libraries its loader mapped since). */
void kt_umaps_stack_seen(struct kt_umaps *m, uint32_t tgid);
/* Whether addr is one tgid's mappings did not hold even read again after
 * it was asked for (code not from a file, a walk gone astray): it stays
 * unknown. */
bool kt_umaps_stray(const struct kt_umaps *m, uint32_t tgid, uint64_t addr);
/* Whether mappings of tgid are kept. */
bool kt_umaps_known(const struct kt_umaps *m, uint32_t tgid);
/* The file mapped at addr in tgid and the offset in it; NULL when none is
 * (read once more first if tgid was not known or addr fell outside). */
const struct kt_umap_file *kt_umaps_resolve(struct kt_umaps *m, uint32_t tgid, uint64_t addr,
					    uint64_t *offset);
/* An open file of build-id id (the kernel's: zero-padded to its length),
 * among those met so far; NULL if none. */
const struct kt_umap_file *kt_umaps_file_by_build_id(const struct kt_umaps *m, const unsigned char *id,
						     size_t id_len);
/* What the kernel said of a process's mappings as they were made
 * (mmap_records.c): a new executable mapping, or a new image (exec: the
 * mappings before it are gone). About a process not known yet (its exec
 * or fork not read yet), kept until it is, for the last 1024 notes. A
 * process that ends before the host reads its mappings still has those. */
struct kt_umap_note {
	uint32_t tgid;
	bool exec;                 /* a new image; the rest unused */
	uint64_t start, end, offset;
	dev_t dev;
	ino_t ino;
	char *path;                /* malloc'd: kt_umaps_note takes it */
};
void kt_umaps_note(struct kt_umaps *m, const struct kt_umap_note *note);
/* Notes kept for processes not known yet. */
size_t kt_umaps_pending(const struct kt_umaps *m);

/* Processes kept, mappings kept (for the bound's tests). */
size_t kt_umaps_procs(const struct kt_umaps *m);
size_t kt_umaps_mappings(const struct kt_umaps *m);

#endif
