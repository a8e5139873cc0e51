/* SPDX-License-Identifier: GPL-2.0-or-later */
/* User-space symbols, by build-id and file offset (elfutils' libdwfl): the
 * names a user stack's frames get. Each file is found once, by the
 * build-id the kernel gave: among the files named so far (an exec's
 * binary), in the mappings of a process that maps it while it lives
 * (/proc/PID/map_files: the very file mapped, even if replaced or deleted
 * since); and kept open, so a process that
 * has gone or a binary replaced on disk still symbolizes. Each frame is
 * named once. */
#ifndef KT_USYMS_H
#define KT_USYMS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KT_BUILD_ID_MAX 20

struct kt_usyms;

struct kt_usyms *kt_usyms_new(void);
void kt_usyms_free(struct kt_usyms *u);

/* A file a later frame may be in (an exec's binary): looked at only when a
 * build-id is not found otherwise. */
void kt_usyms_add_path(struct kt_usyms *u, const char *path);

/* The files a process maps (a /proc/PID/maps file), each named as above:
 * keytime-run's own libraries are most processes' too. */
void kt_usyms_add_maps(struct kt_usyms *u, const char *maps);

/* The frame at offset in the file whose build-id is id, as
 * "function+0xoff (binary)"; "0xOFF (binary)" where no symbol covers it,
 * "0xOFF (build-id HEX)" where the file is not found. ret: a return address
 * (every frame but the innermost), named by the call before it. tgid: a
 * process that maps the file, looked at while it lives (0: none). The
 * string lives as long as u; NULL only when out of memory. */
const char *kt_usyms_frame(struct kt_usyms *u, const unsigned char *id, size_t id_len,
			   uint64_t offset, bool ret, uint32_t tgid);

/* A bare address in process tgid's memory (the kernel could not look at
 * its mappings), through the process's mappings while it lives; "0xADDR"
 * otherwise. */
const char *kt_usyms_addr(struct kt_usyms *u, uint32_t tgid, uint64_t addr, bool ret);

/* The file whose build-id is id, open as fd (not taken: dup'ed), named
 * name: found so for frames asked of it from now. */
void kt_usyms_offer(struct kt_usyms *u, const unsigned char *id, size_t id_len, int fd, const char *name);

/* A frame's text (malloc'd, taken) kept as long as u, as one string per
 * distinct text; NULL when text is. */
const char *kt_usyms_keep(struct kt_usyms *u, char *text);

/* Whether a frame string names a function (not an address alone). */
bool kt_usyms_named(const char *frame);

#endif
