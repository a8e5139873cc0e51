// SPDX-License-Identifier: GPL-2.0-or-later
/* User-space symbols by build-id and file offset (usyms.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gelf.h>
#include <elfutils/libdwfl.h>
#include <elfutils/libdwelf.h>
#include "usyms.h"
#include "text_cache.h"

#define MAX_LOADS 16

/* A file found by its build-id, open while u lives. */
struct module {
	unsigned char id[KT_BUILD_ID_MAX];
	size_t id_len;
	char *name;                  /* the binary's base name */
	Dwfl *dwfl;                  /* NULL: not found (yet) */
	Dwfl_Module *mod;
	GElf_Addr bias;
	int nloads;
	struct { uint64_t offset, filesz, vaddr; } loads[MAX_LOADS];
	uint32_t tgid_looked;        /* the last process looked at for it */
};

/* A file named so far (an exec's binary, a mapping seen): its build-id is
 * read the first time a build-id is not found otherwise. */
struct named_file {
	char *path;
	dev_t dev;
	ino_t ino;
	unsigned char id[KT_BUILD_ID_MAX];
	size_t id_len;
	bool read;
};

struct kt_usyms {
	struct module *mods;
	size_t nmods, capmods;
	struct named_file *files;
	size_t nfiles, capfiles;
	struct kt_text_cache frames; /* (module index, offset, ret) -> its text */
	char **loose;                /* strings of frames not cached (files not found) */
	size_t nloose, caploose;
};

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct kt_usyms *kt_usyms_new(void)
{
	elf_version(EV_CURRENT);
	return calloc(1, sizeof(struct kt_usyms));
}

void kt_usyms_free(struct kt_usyms *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nmods; i++) {
		if (u->mods[i].dwfl)
			dwfl_end(u->mods[i].dwfl);
		free(u->mods[i].name);
	}
	for (size_t i = 0; i < u->nfiles; i++)
		free(u->files[i].path);
	kt_text_cache_free(&u->frames);
	for (size_t i = 0; i < u->nloose; i++)
		free(u->loose[i]);
	free(u->mods);
	free(u->files);
	free(u->loose);
	free(u);
}

static int grow(void **p, size_t *cap, size_t size)
{
	size_t n = *cap ? *cap * 2 : 16;
	void *q = realloc(*p, n * size);

	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* The build-id of an open ELF file; its length, 0 if it has none. */
static size_t build_id_of_fd(int fd, unsigned char id[KT_BUILD_ID_MAX])
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	const void *p;
	ssize_t n;

	if (!elf)
		return 0;
	n = dwelf_elf_gnu_build_id(elf, &p);
	if (n > 0 && n <= KT_BUILD_ID_MAX)
		memcpy(id, p, n);
	else
		n = 0;
	elf_end(elf);
	return (size_t)n;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Opens the module from fd (which it then owns). 0, or -1 (fd closed). */
static int module_open(struct module *m, int fd, const char *path)
{
	Elf *elf;
	size_t nph;

	m->dwfl = dwfl_begin(&callbacks);
	if (!m->dwfl) {
		close(fd);
		return -1;
	}
	dwfl_report_begin(m->dwfl);
	m->mod = dwfl_report_elf(m->dwfl, base_name(path), path, fd, 0, false);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (!m->mod || !(elf = dwfl_module_getelf(m->mod, &m->bias)) || elf_getphdrnum(elf, &nph)) {
		if (!m->mod)
			close(fd);
		dwfl_end(m->dwfl);
		m->dwfl = NULL;
		return -1;
	}
	m->nloads = 0;
	for (size_t i = 0; i < nph && m->nloads < MAX_LOADS; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			m->loads[m->nloads].offset = ph.p_offset;
			m->loads[m->nloads].filesz = ph.p_filesz;
			m->loads[m->nloads].vaddr = ph.p_vaddr;
			m->nloads++;
		}
	}
	free(m->name);
	m->name = strdup(base_name(path));
	return m->name ? 0 : -1;
}

static bool same_id(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* Opens path as m's file if its build-id is m's. */
static bool try_file(struct module *m, const char *open_path, const char *name)
{
	unsigned char id[KT_BUILD_ID_MAX];
	int fd = open(open_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (!same_id(id, build_id_of_fd(fd, id), m->id, m->id_len)) {
		close(fd);
		return false;
	}
	return module_open(m, fd, name) == 0;
}

static struct named_file *named(struct kt_usyms *u, const char *path, const struct stat *st)
{
	for (size_t i = 0; i < u->nfiles; i++)
		if (u->files[i].dev == st->st_dev && u->files[i].ino == st->st_ino)
			return &u->files[i];
	if (u->nfiles == u->capfiles && grow((void **)&u->files, &u->capfiles, sizeof(*u->files)))
		return NULL;
	struct named_file *f = &u->files[u->nfiles];
	memset(f, 0, sizeof(*f));
	if (!(f->path = strdup(path)))
		return NULL;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	u->nfiles++;
	return f;
}

/* One line of /proc/PID/maps: a file's mapping. */
struct mapping {
	uint64_t start, end, offset;
	unsigned dev_major, dev_minor;
	unsigned long ino;
	const char *path;
};

static bool parse_mapping(char *line, struct mapping *mp)
{
	char perms[8];
	int n = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %lu %n", &mp->start, &mp->end,
		   perms, &mp->offset, &mp->dev_major, &mp->dev_minor, &mp->ino, &n) < 7 || !mp->ino || !n)
		return false;
	line[strcspn(line, "\n")] = 0;
	mp->path = line + n;
	return mp->path[0] == '/';
}

void kt_usyms_add_path(struct kt_usyms *u, const char *path)
{
	struct stat st;

	if (u && path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		named(u, path, &st);
}

void kt_usyms_add_maps(struct kt_usyms *u, const char *maps)
{
	char line[4352];
	FILE *f = fopen(maps, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct mapping mp;
		if (parse_mapping(line, &mp))
			kt_usyms_add_path(u, mp.path);
	}
	fclose(f);
}

/* The files named so far, their build-ids read once. */
static bool from_named(struct kt_usyms *u, struct module *m)
{
	for (size_t i = 0; i < u->nfiles; i++) {
		struct named_file *f = &u->files[i];
		if (!f->read) {
			int fd = open(f->path, O_RDONLY | O_CLOEXEC);
			f->read = true;
			if (fd >= 0) {
				f->id_len = build_id_of_fd(fd, f->id);
				close(fd);
			}
		}
		if (same_id(f->id, f->id_len, m->id, m->id_len) && try_file(m, f->path, f->path))
			return true;
	}
	return false;
}

/* The files process tgid maps: those not named yet are named (the mapped
 * file itself read through map_files), and m's opened if among them. */
static bool from_process(struct kt_usyms *u, struct module *m, uint32_t tgid)
{
	char path[64], line[4352];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", tgid);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		struct mapping mp;
		char file[96];
		struct stat st;
		struct named_file *nf;

		if (!parse_mapping(line, &mp))
			continue;
		snprintf(file, sizeof(file), "/proc/%u/map_files/%" PRIx64 "-%" PRIx64, tgid, mp.start, mp.end);
		if (stat(file, &st) || !(nf = named(u, mp.path, &st)) || nf->read)
			continue;
		int fd = open(file, O_RDONLY | O_CLOEXEC);
		nf->read = true;
		if (fd < 0)
			continue;
		nf->id_len = build_id_of_fd(fd, nf->id);
		if (same_id(nf->id, nf->id_len, m->id, m->id_len))
			found = module_open(m, fd, mp.path) == 0;
		else
			close(fd);
	}
	fclose(f);
	return found;
}

static struct module *module_of(struct kt_usyms *u, const unsigned char *id, size_t id_len,
				uint32_t tgid, size_t *index)
{
	struct module *m = NULL;

	for (size_t i = 0; i < u->nmods && !m; i++)
		if (same_id(u->mods[i].id, u->mods[i].id_len, id, id_len))
			m = &u->mods[i];
	if (!m) {
		if (u->nmods == u->capmods && grow((void **)&u->mods, &u->capmods, sizeof(*u->mods)))
			return NULL;
		m = &u->mods[u->nmods++];
		memset(m, 0, sizeof(*m));
		memcpy(m->id, id, id_len);
		m->id_len = id_len;
	}
	*index = (size_t)(m - u->mods);
	if (m->dwfl)
		return m;
	if (from_named(u, m))
		return m;
	if (tgid && tgid != m->tgid_looked) {
		m->tgid_looked = tgid;
		from_process(u, m, tgid);
	}
	return m;
}

/* The address in m's ELF of a file offset; false if no segment holds it. */
static bool address_of(const struct module *m, uint64_t offset, GElf_Addr *addr)
{
	for (int i = 0; i < m->nloads; i++)
		if (offset >= m->loads[i].offset && offset < m->loads[i].offset + m->loads[i].filesz) {
			*addr = offset - m->loads[i].offset + m->loads[i].vaddr + m->bias;
			return true;
		}
	return false;
}

static char *describe(const struct module *m, uint64_t offset, bool ret)
{
	GElf_Addr addr;
	GElf_Off off;
	GElf_Sym sym;
	const char *name = NULL;
	char *text;

	/* a return address may be past the call's function: name the call */
	if (address_of(m, ret && offset ? offset - 1 : offset, &addr))
		name = dwfl_module_addrinfo(m->mod, addr, &off, &sym, NULL, NULL, NULL);
	if (name && asprintf(&text, "%s+0x%" PRIx64 " (%s)", name, (uint64_t)off + (ret ? 1 : 0), m->name) >= 0)
		return text;
	return asprintf(&text, "0x%" PRIx64 " (%s)", offset, m->name) >= 0 ? text : NULL;
}

/* A string kept as long as u: for frames not cached, whose text may change
 * once their file is found. Each distinct one is kept once. */
static const char *keep_loose(struct kt_usyms *u, char *text)
{
	if (!text)
		return NULL;
	for (size_t i = u->nloose; i-- > 0 && i + 64 >= u->nloose;)
		if (!strcmp(u->loose[i], text)) {
			free(text);
			return u->loose[i];
		}
	if (u->nloose == u->caploose && grow((void **)&u->loose, &u->caploose, sizeof(*u->loose))) {
		free(text);
		return NULL;
	}
	return u->loose[u->nloose++] = text;
}

const char *kt_usyms_frame(struct kt_usyms *u, const unsigned char *id, size_t id_len,
			   uint64_t offset, bool ret, uint32_t tgid)
{
	struct module *m;
	size_t index;
	uint64_t key;
	const char *cached;
	char *text;

	if (!id_len || id_len > KT_BUILD_ID_MAX || !(m = module_of(u, id, id_len, tgid, &index)))
		return NULL;
	if (!m->dwfl) {
		char hex[2 * KT_BUILD_ID_MAX + 1];
		for (size_t i = 0; i < id_len; i++)
			snprintf(hex + 2 * i, 3, "%02x", id[i]);
		return keep_loose(u, asprintf(&text, "0x%" PRIx64 " (build-id %s)", offset, hex) >= 0 ? text : NULL);
	}
	key = (uint64_t)index << 44 ^ offset << 1 ^ ret;
	if ((cached = kt_text_cache_find(&u->frames, key)))
		return cached;
	return kt_text_cache_put(&u->frames, key, describe(m, offset, ret));
}

const char *kt_usyms_addr(struct kt_usyms *u, uint32_t tgid, uint64_t addr, bool ret)
{
	char path[64], line[4352], *text;
	const char *found = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", tgid);
	if ((f = fopen(path, "re"))) {
		while (!found && fgets(line, sizeof(line), f)) {
			struct mapping mp;
			unsigned char id[KT_BUILD_ID_MAX];
			char file[96];
			size_t n;
			int fd;

			if (!parse_mapping(line, &mp) || addr < mp.start || addr >= mp.end)
				continue;
			snprintf(file, sizeof(file), "/proc/%u/map_files/%" PRIx64 "-%" PRIx64, tgid,
				 mp.start, mp.end);
			if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
				break;
			n = build_id_of_fd(fd, id);
			close(fd);
			if (n)
				found = kt_usyms_frame(u, id, n, addr - mp.start + mp.offset, ret, tgid);
			break;
		}
		fclose(f);
	}
	if (found)
		return found;
	return keep_loose(u, asprintf(&text, "0x%" PRIx64, addr) >= 0 ? text : NULL);
}

void kt_usyms_offer(struct kt_usyms *u, const unsigned char *id, size_t id_len, int fd, const char *name)
{
	struct module *m = NULL;
	int copy;

	if (!id_len || id_len > KT_BUILD_ID_MAX || fd < 0)
		return;
	for (size_t i = 0; i < u->nmods && !m; i++)
		if (same_id(u->mods[i].id, u->mods[i].id_len, id, id_len))
			m = &u->mods[i];
	if (m && m->dwfl)
		return;
	if (!m) {
		if (u->nmods == u->capmods && grow((void **)&u->mods, &u->capmods, sizeof(*u->mods)))
			return;
		m = &u->mods[u->nmods++];
		memset(m, 0, sizeof(*m));
		memcpy(m->id, id, id_len);
		m->id_len = id_len;
	}
	if ((copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0)
		module_open(m, copy, name);
}

const char *kt_usyms_keep(struct kt_usyms *u, char *text)
{
	return keep_loose(u, text);
}

bool kt_usyms_named(const char *frame)
{
	return frame && strncmp(frame, "0x", 2) != 0;
}
