// SPDX-License-Identifier: GPL-2.0-or-later
/* Exec records as a version-2 trace keeps them: the fixed fields, then the
 * filename and each argument up to its NUL (KT_EXEC: the args_len bytes of
 * its argument block), instead of the 4 KiB the probes reserve. Replay
 * rebuilds the whole record with zeros where nothing was used, which
 * every decoder ignores (they stop at the NUL, argc or args_len). */
#include <string.h>
#include <stddef.h>
#include "trace_format.h"

/* The string at s (up to max bytes) and its NUL, at out; its encoded length. */
static size_t put_str(uint8_t *out, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	memcpy(out, s, n);
	out[n] = 0;
	return n + 1;
}

/* A NUL-terminated string of at most max bytes at in (len left) into
 * dst; its encoded length, or 0 when it is not one. */
static size_t get_str(char *dst, const uint8_t *in, size_t len, size_t max)
{
	const uint8_t *nul = memchr(in, 0, len < max + 1 ? len : max + 1);

	if (!nul)
		return 0;
	memcpy(dst, in, (size_t)(nul - in));
	return (size_t)(nul - in) + 1;
}

static size_t exec_args_len(const struct kt_exec *e)
{
	return e->args_len < KT_ARGS_BUF ? e->args_len : KT_ARGS_BUF;
}

size_t kt_trace_trim(const void *rec, size_t size, void *out)
{
	const struct kt_header *h = rec;
	uint8_t *o = out;
	size_t n;

	if (size >= sizeof(struct kt_exec) && h->kind == KT_EXEC) {
		const struct kt_exec *e = rec;
		n = offsetof(struct kt_exec, filename);
		memcpy(o, e, n);
		n += put_str(o + n, e->filename, KT_FILENAME_LEN);
		if (n + exec_args_len(e) >= size)   /* shorter, or it reads as whole */
			goto whole;
		memcpy(o + n, e->args, exec_args_len(e));
		return n + exec_args_len(e);
	}
	if (size >= sizeof(struct kt_exec_enter) && h->kind == KT_EXEC_ENTER) {
		const struct kt_exec_enter *e = rec;
		unsigned argc = e->argc < KT_ARGV_MAX ? e->argc : KT_ARGV_MAX;
		n = offsetof(struct kt_exec_enter, filename);
		memcpy(o, e, n);
		n += put_str(o + n, e->filename, KT_FILENAME_LEN);
		for (unsigned i = 0; i < argc; i++) {
			if (n + KT_ARG_LEN + 1 > size)
				goto whole;
			n += put_str(o + n, &e->args[i * KT_ARG_LEN], KT_ARG_LEN);
		}
		if (n >= size)
			goto whole;
		return n;
	}
whole:
	memcpy(out, rec, size);
	return size;
}

/* The opening both exec kinds share: out (whole bytes) zeroed, the fixed
 * fields before the filename copied, then the filename; how many bytes of
 * in that took, or 0 when in is not such a record. */
static size_t untrim_head(void *out, size_t whole, size_t cap, char *filename,
			  const uint8_t *in, size_t len)
{
	size_t at = (size_t)((uint8_t *)filename - (uint8_t *)out), n;

	if (cap < whole || len <= at)
		return 0;
	memset(out, 0, whole);
	memcpy(out, in, at);
	if (!(n = get_str(filename, in + at, len - at, KT_FILENAME_LEN)))
		return 0;
	return at + n;
}

size_t kt_trace_untrim(const void *in, size_t len, void *out, size_t cap)
{
	const uint8_t *p = in;
	struct kt_header h;
	size_t at, n;

	if (len < sizeof(h) || len > cap)
		return 0;
	memcpy(&h, p, sizeof(h));
	if (h.kind == KT_EXEC && len < sizeof(struct kt_exec)) {
		struct kt_exec *e = out;
		if (!(at = untrim_head(e, sizeof(*e), cap, e->filename, p, len)) ||
		    len - at != exec_args_len(e))
			return 0;
		memcpy(e->args, p + at, len - at);
		return sizeof(*e);
	}
	if (h.kind == KT_EXEC_ENTER && len < sizeof(struct kt_exec_enter)) {
		struct kt_exec_enter *e = out;
		unsigned argc;
		if (!(at = untrim_head(e, sizeof(*e), cap, e->filename, p, len)))
			return 0;
		argc = e->argc < KT_ARGV_MAX ? e->argc : KT_ARGV_MAX;
		for (unsigned i = 0; i < argc; i++) {
			if (!(n = get_str(&e->args[i * KT_ARG_LEN], p + at, len - at, KT_ARG_LEN)))
				return 0;
			at += n;
		}
		return at == len ? sizeof(*e) : 0;
	}
	memcpy(out, in, len);
	return len;
}
