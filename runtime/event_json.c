// SPDX-License-Identifier: GPL-2.0-or-later
/* An event record as one JSON object (event_json.h).
 * Strings: '"', '\\' and the control characters (U+0000-U+001F, U+007F) are
 * escaped as lua/keytime/json.lua escapes them; valid UTF-8 is copied as is,
 * and each byte that is not part of a valid UTF-8 sequence (a comm or an
 * argument is any bytes) becomes \ufffd, so every line is valid JSON. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "event_json.h"
#include "event_fields.h"

void kt_json_buf_free(struct kt_json_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int reserve(struct kt_json_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= more)
		return 0;
	for (cap = b->cap ? b->cap : 512; cap - b->len < more; cap *= 2)
		;
	if (!(p = realloc(b->data, cap)))
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

static void put(struct kt_json_buf *b, const char *s, size_t n)   /* room reserved */
{
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

int kt_json_raw(struct kt_json_buf *b, const char *s, size_t len)
{
	if (reserve(b, len))
		return -1;
	put(b, s, len);
	return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0) lo = 0xA0;
		if (c == 0xED) hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0) lo = 0x90;
		if (c == 0xF4) hi = 0x8F;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

int kt_json_string(struct kt_json_buf *b, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	if (reserve(b, len * 6 + 2))   /* the worst case: every byte \u00XX or \ufffd */
		return -1;
	b->data[b->len++] = '"';
	while (i < len) {
		size_t run = i;
		while (run < len && s[run] >= 0x20 && s[run] < 0x7F && s[run] != '"' && s[run] != '\\')
			run++;
		put(b, str + i, run - i);
		if ((i = run) == len)
			break;
		unsigned char c = s[i];
		if (c >= 0x80) {
			size_t n = utf8_seq(s + i, len - i);
			if (n) {
				put(b, str + i, n);
				i += n;
			} else {
				put(b, "\\ufffd", 6);
				i++;
			}
			continue;
		}
		switch (c) {
		case '"':  put(b, "\\\"", 2); break;
		case '\\': put(b, "\\\\", 2); break;
		case '\b': put(b, "\\b", 2); break;
		case '\f': put(b, "\\f", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		case '\t': put(b, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(b, u, 6);
		}
		}
		i++;
	}
	b->data[b->len++] = '"';
	return 0;
}

int kt_json_int(struct kt_json_buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;   /* INT64_MIN too */

	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";

	while (u >= 100) {
		unsigned d = (unsigned)(u % 100) * 2;
		u /= 100;
		*--p = pairs[d + 1];
		*--p = pairs[d];
	}
	if (u >= 10) {
		*--p = pairs[u * 2 + 1];
		*--p = pairs[u * 2];
	} else {
		*--p = (char)('0' + u);
	}
	if (v < 0)
		*--p = '-';
	if (reserve(b, (size_t)(tmp + sizeof(tmp) - p)))
		return -1;
	put(b, p, (size_t)(tmp + sizeof(tmp) - p));
	return 0;
}

/* Keys in the order keytime.lua --json has always written them: its leading
 * keys (the table name as "event"), who the thread is (uid ... pidns), then
 * the kind's own fields by name. */
#define MAX_KEYS 32
static const enum kt_field leading[] = {
	KT_F_NAME, KT_F_TIME, KT_F_PID, KT_F_TGID, KT_F_PPID, KT_F_COMM, KT_F_CPU, KT_F_KIND, KT_F_NONE
};
static enum kt_field order[KT_KIND_MAX][MAX_KEYS];
static char order_done[KT_KIND_MAX];

static int by_name(const void *a, const void *b)
{
	return strcmp(kt_field_name(*(const enum kt_field *)a), kt_field_name(*(const enum kt_field *)b));
}

static const enum kt_field *key_order(unsigned kind)
{
	enum kt_field *o = order[kind];
	int n = 0, first;

	if (order_done[kind])
		return o;
	for (const enum kt_field *f = leading; *f; f++)
		o[n++] = *f;
	for (const enum kt_field *f = kt_identity_fields; *f; f++)
		o[n++] = *f;
	first = n;
	for (const enum kt_field *f = kt_kind_fields(kind); *f && n < MAX_KEYS - 1; f++)
		o[n++] = *f;
	qsort(o + first, (size_t)(n - first), sizeof(*o), by_name);
	o[n] = KT_F_NONE;
	order_done[kind] = 1;
	return o;
}

/* `,"name":` per field, made once ("event" for the name field). */
static char key_text[KT_F_COUNT][32];
static unsigned char key_len[KT_F_COUNT];

static int key(struct kt_json_buf *b, enum kt_field f, int first)
{
	if (!key_len[f]) {
		const char *name = f == KT_F_NAME ? "event" : kt_field_name(f);
		key_len[f] = (unsigned char)snprintf(key_text[f], sizeof(key_text[f]), ",\"%s\":", name);
	}
	if (reserve(b, key_len[f]))
		return -1;
	put(b, key_text[f] + first, key_len[f] - first);
	return 0;
}

static int list(struct kt_json_buf *b, const char **items, const size_t *lens, int n)
{
	if (reserve(b, 2))
		return -1;
	b->data[b->len++] = '[';
	for (int i = 0; i < n; i++) {
		if (i) {
			if (reserve(b, 1))
				return -1;
			b->data[b->len++] = ',';
		}
		if (kt_json_string(b, items[i], lens ? lens[i] : strlen(items[i])))
			return -1;
	}
	if (reserve(b, 1))
		return -1;
	b->data[b->len++] = ']';
	return 0;
}

/* The lists have their own frames, so kt_event_json's stays small. */
static __attribute__((noinline)) int argv_list(struct kt_json_buf *b, const void *rec)
{
	const char *argv[KT_FIELD_ARGV_MAX];
	size_t lens[KT_FIELD_ARGV_MAX];

	return list(b, argv, lens, kt_field_argv(rec, argv, lens, KT_FIELD_ARGV_MAX));
}

/* The key and the frames; 0 (nothing written) without frames, -1 out of memory. */
static __attribute__((noinline)) int kstack_list(struct kt_json_buf *b, enum kt_field f, int first,
						 const struct kt_value *v, kt_json_frames_fn frames, void *ctx)
{
	const char *fr[KT_STACK_DEPTH];
	int n = frames ? frames(ctx, v, fr) : 0;

	if (n <= 0)
		return 0;
	return key(b, f, first) || list(b, fr, NULL, n) ? -1 : 1;
}

int kt_event_json(struct kt_json_buf *b, const void *rec, kt_json_frames_fn frames, void *ctx)
{
	const struct kt_header *h = rec;
	size_t start = b->len;
	int first = 1;

	if (reserve(b, 1))
		return -1;
	b->data[b->len++] = '{';
	for (const enum kt_field *f = key_order(h->kind); *f; f++) {
		struct kt_value v = kt_field_get(rec, *f);
		int r = 0;

		switch (v.type) {
		case KT_V_NONE:
			continue;
		case KT_V_INT:
			r = key(b, *f, first) || kt_json_int(b, v.i);
			break;
		case KT_V_BOOL:
			r = key(b, *f, first) || reserve(b, 5);
			if (!r)
				put(b, v.i ? "true" : "false", v.i ? 4 : 5);
			break;
		case KT_V_STR:
			r = key(b, *f, first) || kt_json_string(b, v.s, v.len);
			break;
		case KT_V_ARGV:
			r = key(b, *f, first) || argv_list(b, rec);
			break;
		case KT_V_KSTACK:
		case KT_V_USTACK: {
			int n = kstack_list(b, *f, first, &v, frames, ctx);
			if (n == 0)
				continue;   /* as keytime.lua --json always did: no empty kstack */
			r = n < 0;
			break;
		}
		}
		if (r) {
			b->len = start;
			return -1;
		}
		first = 0;
	}
	if (reserve(b, 1)) {
		b->len = start;
		return -1;
	}
	b->data[b->len++] = '}';
	return 0;
}
