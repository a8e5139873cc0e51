// SPDX-License-Identifier: GPL-2.0-or-later
/* Processes' executable mappings (umaps.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <gelf.h>
#include <elfutils/libdwelf.h>
#include "umaps.h"

#define MAX_MAPS 512           /* executable mappings kept per process */
#define MAX_FILES 8192         /* files known; beyond, their frames stay addresses */
#define MAX_OPEN 512           /* files kept open */
#define STRAYS 8               /* addresses per process no mapping held, even read again */
#define STRAY_INTERVAL_NS 100000000ULL   /* with that many: read again at most this often */
#define PENDING 1024           /* notes kept for processes not known yet */

struct mapping {
	uint64_t start, end, offset;
	struct kt_umap_file *file;
};

struct proc {
	uint32_t tgid;
	bool stack_read;           /* read since its first stack (not only at exec, fork) */
	size_t n;
	struct mapping *maps;      /* by start */
	uint64_t used;             /* tick of its last use */
	uint64_t read_ns;          /* when last read */
	uint64_t strays[STRAYS];   /* code not from a file, a walk gone astray */
	unsigned nstrays;
};

struct kt_umaps {
	char *root;
	size_t max_procs;
	struct proc *procs;        /* max_procs of them; the first nprocs used */
	size_t nprocs;
	int32_t *index;            /* tgid hash -> procs index; -1 empty; 2 * max_procs slots */
	size_t index_cap;
	struct kt_umap_file **files;
	size_t nfiles, nopen;
	uint64_t tick;
	/* notes about processes not known yet (their exec or fork record comes
	 * later than the kernel's mapping records), oldest first, a ring */
	struct kt_umap_note pending[PENDING];
	size_t pending_first, npending;
};

bool kt_umaps_parse_line(char *line, struct kt_umap_line *out)
{
	char perms[8];
	unsigned dev_major, dev_minor;
	int n = 0;

	memset(out, 0, sizeof(*out));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %lu %n", &out->start, &out->end,
		   perms, &out->offset, &dev_major, &dev_minor, &out->ino, &n) < 7 || !n ||
	    out->end <= out->start)
		return false;
	line[strcspn(line, "\n")] = 0;
	out->exec = strchr(perms, 'x') != NULL;
	out->path = line + n;
	return true;
}

struct kt_umaps *kt_umaps_new(const char *proc_root, size_t max_procs)
{
	struct kt_umaps *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->max_procs = max_procs ? max_procs : 1;
	m->index_cap = 4;
	while (m->index_cap < 2 * m->max_procs)
		m->index_cap *= 2;
	m->root = strdup(proc_root);
	m->procs = calloc(m->max_procs, sizeof(*m->procs));
	m->index = malloc(m->index_cap * sizeof(*m->index));
	m->files = calloc(MAX_FILES, sizeof(*m->files));
	if (!m->root || !m->procs || !m->index || !m->files) {
		kt_umaps_free(m);
		return NULL;
	}
	memset(m->index, 0xff, m->index_cap * sizeof(*m->index));
	elf_version(EV_CURRENT);
	return m;
}

void kt_umaps_free(struct kt_umaps *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nprocs; i++)
		free(m->procs[i].maps);
	for (size_t i = 0; i < m->nfiles; i++) {
		if (m->files[i]->fd >= 0)
			close(m->files[i]->fd);
		free(m->files[i]->name);
		free(m->files[i]);
	}
	free(m->files);
	for (size_t i = 0; i < m->npending; i++)
		free(m->pending[(m->pending_first + i) % PENDING].path);
	free(m->procs);
	free(m->index);
	free(m->root);
	free(m);
}

static size_t slot_of(const struct kt_umaps *m, uint32_t tgid)
{
	size_t i = (tgid * 2654435761u) & (m->index_cap - 1);

	while (m->index[i] >= 0 && m->procs[m->index[i]].tgid != tgid)
		i = (i + 1) & (m->index_cap - 1);
	return i;
}

static struct proc *find(const struct kt_umaps *m, uint32_t tgid)
{
	int32_t at = m->index[slot_of(m, tgid)];
	return at >= 0 ? &m->procs[at] : NULL;
}

static void reindex(struct kt_umaps *m)
{
	memset(m->index, 0xff, m->index_cap * sizeof(*m->index));
	for (size_t i = 0; i < m->nprocs; i++)
		m->index[slot_of(m, m->procs[i].tgid)] = (int32_t)i;
}

/* Room for tgid's entry: its own, a free one, or the least recently used one's. */
static struct proc *entry_for(struct kt_umaps *m, uint32_t tgid)
{
	struct proc *p = find(m, tgid);
	size_t old = 0;

	if (p)
		return p;
	if (m->nprocs < m->max_procs) {
		p = &m->procs[m->nprocs++];
		memset(p, 0, sizeof(*p));
		p->tgid = tgid;
		m->index[slot_of(m, tgid)] = (int32_t)(p - m->procs);
		return p;
	}
	for (size_t i = 1; i < m->nprocs; i++)
		if (m->procs[i].used < m->procs[old].used)
			old = i;
	p = &m->procs[old];
	free(p->maps);
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	reindex(m);
	return p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The file mapped at [start, end) in tgid, opened: through map_files (the
 * very file mapped) while the process lives; after, by its path if the
 * file there is still the one mapped (a note about a process gone). */
static int open_mapped(const struct kt_umaps *m, uint32_t tgid, uint64_t start, uint64_t end,
		       const char *path, dev_t dev, ino_t ino)
{
	char link[160];
	struct stat st;
	int fd;

	snprintf(link, sizeof(link), "%s/%u/map_files/%" PRIx64 "-%" PRIx64, m->root, tgid, start, end);
	if ((fd = open(link, O_RDONLY | O_CLOEXEC)) >= 0 || path[0] != '/')
		return fd;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) || st.st_dev != dev || st.st_ino != ino) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The file of a mapping, opened the first time it is met. */
static struct kt_umap_file *file_of(struct kt_umaps *m, uint32_t tgid, uint64_t start, uint64_t end,
				    const char *path, dev_t dev, ino_t ino)
{
	struct kt_umap_file *f;
	const char *deleted;
	Elf *elf;
	const void *id;
	ssize_t n;

	for (size_t i = m->nfiles; i-- > 0;)
		if (m->files[i]->dev == dev && m->files[i]->ino == ino)
			return m->files[i];
	if (m->nfiles == MAX_FILES || !(f = calloc(1, sizeof(*f))))
		return NULL;
	f->dev = dev;
	f->ino = ino;
	deleted = strstr(path, " (deleted)");
	f->name = strndup(base_name(path), deleted && !deleted[10] ? (size_t)(deleted - base_name(path))
								 : strlen(base_name(path)));
	f->fd = open_mapped(m, tgid, start, end, path, dev, ino);
	if (f->fd < 0 || !f->name) {   /* gone meanwhile: another process's read may open it */
		if (f->fd >= 0)
			close(f->fd);
		free(f->name);
		free(f);
		return NULL;
	}
	if ((elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL))) {
		n = dwelf_elf_gnu_build_id(elf, &id);
		if (n > 0 && n <= KT_BUILD_ID_MAX) {
			memcpy(f->id, id, n);
			f->id_len = (size_t)n;
		}
		elf_end(elf);
	}
	if (m->nopen == MAX_OPEN || !f->id_len) {
		close(f->fd);
		f->fd = -1;
	} else {
		m->nopen++;
	}
	return m->files[m->nfiles++] = f;
}

static void apply_pending(struct kt_umaps *m, uint32_t tgid);
static int adopt_pending(struct kt_umaps *m, uint32_t tgid);

int kt_umaps_read(struct kt_umaps *m, uint32_t tgid)
{
	char path[160], line[4352];
	struct mapping *maps;
	struct proc *p;
	size_t n = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%u/maps", m->root, tgid);
	if (!(in = fopen(path, "re")))
		return adopt_pending(m, tgid);
	if (!(maps = malloc(MAX_MAPS * sizeof(*maps)))) {
		fclose(in);
		return -1;
	}
	while (n < MAX_MAPS && fgets(line, sizeof(line), in)) {
		struct kt_umap_line l;
		unsigned dev_major = 0, dev_minor = 0;

		if (!kt_umaps_parse_line(line, &l) || !l.exec || !l.ino || l.path[0] != '/')
			continue;
		sscanf(line, "%*s %*s %*s %x:%x", &dev_major, &dev_minor);
		maps[n].start = l.start;
		maps[n].end = l.end;
		maps[n].offset = l.offset;
		if ((maps[n].file = file_of(m, tgid, l.start, l.end, l.path, makedev(dev_major, dev_minor), l.ino)))
			n++;   /* else not kept: a later read may open it */
	}
	fclose(in);
	if (!n) {   /* gone (an ended process's maps read empty): keep what was kept */
		free(maps);
		return adopt_pending(m, tgid);
	}
	if (!(p = entry_for(m, tgid))) {
		free(maps);
		return -1;
	}
	free(p->maps);
	p->maps = realloc(maps, n * sizeof(*maps)) ?: maps;
	p->n = n;
	p->used = ++m->tick;
	p->read_ns = now_ns();
	apply_pending(m, tgid);
	return 0;
}

void kt_umaps_fork(struct kt_umaps *m, uint32_t parent, uint32_t child)
{
	struct proc *from = find(m, parent), *to;
	struct mapping *maps;

	if (!from || parent == child) {
		kt_umaps_read(m, child);
		return;
	}
	if (!(maps = malloc(from->n * sizeof(*maps))))
		return;
	memcpy(maps, from->maps, from->n * sizeof(*maps));
	if (!(to = entry_for(m, child))) {
		free(maps);
		return;
	}
	from = find(m, parent);   /* entry_for may have moved entries */
	if (!from) {   /* the parent's entry was the one let go: read the child's own */
		free(maps);
		kt_umaps_read(m, child);
		return;
	}
	free(to->maps);
	to->maps = maps;
	to->n = from->n;
	to->used = ++m->tick;
	to->read_ns = from->read_ns;
	apply_pending(m, child);
}

void kt_umaps_stack_seen(struct kt_umaps *m, uint32_t tgid)
{
	struct proc *p = find(m, tgid);

	if (p && p->stack_read)
		return;
	if (kt_umaps_read(m, tgid) == 0 || p)
		if ((p = find(m, tgid)))
			p->stack_read = true;
}

bool kt_umaps_known(const struct kt_umaps *m, uint32_t tgid)
{
	return find(m, tgid) != NULL;
}

static const struct mapping *lookup(const struct proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (addr < p->maps[mid].start)
			hi = mid;
		else if (addr >= p->maps[mid].end)
			lo = mid + 1;
		else
			return &p->maps[mid];
	}
	return NULL;
}

static bool may_read_again(const struct proc *p, uint64_t addr)
{
	for (unsigned i = 0; i < STRAYS && i < p->nstrays; i++)
		if (p->strays[i] == addr)
			return false;
	return p->nstrays < STRAYS || now_ns() - p->read_ns >= STRAY_INTERVAL_NS;
}

bool kt_umaps_stray(const struct kt_umaps *m, uint32_t tgid, uint64_t addr)
{
	const struct proc *p = find(m, tgid);

	if (!p)
		return false;
	for (unsigned i = 0; i < STRAYS && i < p->nstrays; i++)
		if (p->strays[i] == addr)
			return true;
	return false;
}

const struct kt_umap_file *kt_umaps_resolve(struct kt_umaps *m, uint32_t tgid, uint64_t addr,
					    uint64_t *offset)
{
	struct proc *p = find(m, tgid);
	const struct mapping *at = p ? lookup(p, addr) : NULL;

	/* a library mapped since: read again, though not for every stray
	 * address (code not from a file, a walk gone astray) */
	if (!at && (!p || may_read_again(p, addr))) {
		bool read = kt_umaps_read(m, tgid) == 0;

		if ((p = find(m, tgid))) {   /* else gone, never known */
			p->stack_read |= read;
			if (!(at = lookup(p, addr)))   /* gone, or not a file's code */
				p->strays[p->nstrays++ % STRAYS] = addr;
		}
	}
	if (!at || !at->file)
		return NULL;
	p->used = ++m->tick;
	*offset = addr - at->start + at->offset;
	return at->file;
}

const struct kt_umap_file *kt_umaps_file_by_build_id(const struct kt_umaps *m, const unsigned char *id,
						     size_t id_len)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct kt_umap_file *f = m->files[i];
		size_t k = f->id_len;

		if (f->fd < 0 || !k || k > id_len || memcmp(f->id, id, k))
			continue;
		while (k < id_len && !id[k])
			k++;
		if (k == id_len)
			return f;
	}
	return NULL;
}

size_t kt_umaps_procs(const struct kt_umaps *m)
{
	return m->nprocs;
}

size_t kt_umaps_mappings(const struct kt_umaps *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nprocs; i++)
		n += m->procs[i].n;
	return n;
}

/* ---- notes: the kernel's own account of mappings (mmap_records.c) -------- */

static int by_start(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* add, in place of what it overlaps of p's mappings (cut, not dropped:
 * a segment mapped over the middle of another leaves both ends). */
static void put_mapping(struct proc *p, const struct mapping *add)
{
	struct mapping *maps = malloc((p->n + 2) * sizeof(*maps));
	size_t n = 0;

	if (!maps)
		return;
	for (size_t i = 0; i < p->n; i++) {
		const struct mapping *a = &p->maps[i];

		if (a->end <= add->start || a->start >= add->end) {
			maps[n++] = *a;
			continue;
		}
		if (a->start < add->start)
			maps[n++] = (struct mapping){ a->start, add->start, a->offset, a->file };
		if (a->end > add->end)
			maps[n++] = (struct mapping){ add->end, a->end, a->offset + (add->end - a->start), a->file };
	}
	if (n < MAX_MAPS)
		maps[n++] = *add;
	qsort(maps, n, sizeof(*maps), by_start);
	free(p->maps);
	p->maps = maps;
	p->n = n;
}

static void apply(struct kt_umaps *m, struct proc *p, const struct kt_umap_note *note)
{
	struct mapping add = { note->start, note->end, note->offset, NULL };

	p->used = ++m->tick;
	if (note->exec) {   /* a new image: what was mapped is gone */
		free(p->maps);
		p->maps = NULL;
		p->n = 0;
		p->nstrays = 0;
		return;
	}
	if (note->end > note->start &&
	    (add.file = file_of(m, note->tgid, note->start, note->end, note->path, note->dev, note->ino)))
		put_mapping(p, &add);
}

static void drop_first_pending(struct kt_umaps *m)
{
	free(m->pending[m->pending_first].path);
	m->pending_first = (m->pending_first + 1) % PENDING;
	m->npending--;
}

void kt_umaps_note(struct kt_umaps *m, const struct kt_umap_note *note)
{
	struct proc *p = find(m, note->tgid);
	struct kt_umap_note *keep;

	if (p) {
		apply(m, p, note);
		free(note->path);
		return;
	}
	if (m->npending == PENDING)
		drop_first_pending(m);
	keep = &m->pending[(m->pending_first + m->npending) % PENDING];
	*keep = *note;   /* the path with it */
	m->npending++;
}

/* tgid has just become known: the notes about it so far, in order. */
static void apply_pending(struct kt_umaps *m, uint32_t tgid)
{
	size_t kept = 0;
	struct proc *p;

	for (size_t i = 0; i < m->npending; i++) {
		struct kt_umap_note *note = &m->pending[(m->pending_first + i) % PENDING];

		if (note->tgid != tgid) {
			m->pending[(m->pending_first + kept++) % PENDING] = *note;
			continue;
		}
		if ((p = find(m, tgid)))
			apply(m, p, note);
		free(note->path);
	}
	m->npending = kept;
}

/* tgid's maps could not be read (gone): known from the notes about it, if
 * any. -1 either way: it was not read. */
static int adopt_pending(struct kt_umaps *m, uint32_t tgid)
{
	for (size_t i = 0; i < m->npending; i++)
		if (m->pending[(m->pending_first + i) % PENDING].tgid == tgid) {
			if (!find(m, tgid) && entry_for(m, tgid))
				apply_pending(m, tgid);
			break;
		}
	return -1;
}

size_t kt_umaps_pending(const struct kt_umaps *m)
{
	return m->npending;
}
