// SPDX-License-Identifier: GPL-2.0-or-later
/* The /metrics endpoint, on libmicrohttpd. The listening socket is made
 * here, so that a port in use is named with its errno before anything
 * else starts; libmicrohttpd then serves it from its own thread. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include "metrics_http.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct kt_metrics_http {
	struct MHD_Daemon *daemon;
	int fd, port;
	char address[INET6_ADDRSTRLEN + 8];   /* as bound: "127.0.0.1:9464", "[::1]:9464" */
	pthread_mutex_t lock;
	char *text;                 /* the last published text */
	size_t len;
	unsigned long long scrapes;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct kt_metrics_http *h = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;

	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		resp = MHD_create_response_from_buffer(strlen("GET only\n"), "GET only\n",
						       MHD_RESPMEM_PERSISTENT);
	} else if (strcmp(url, "/metrics")) {
		static const char body[] = "keytime-run: the metrics are at /metrics\n";
		status = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
						       MHD_RESPMEM_PERSISTENT);
	} else {
		pthread_mutex_lock(&h->lock);
		resp = MHD_create_response_from_buffer(h->len, h->text ? h->text : "",
						       MHD_RESPMEM_MUST_COPY);
		h->scrapes++;
		pthread_mutex_unlock(&h->lock);
		if (resp)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	}
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* "ADDR:PORT", "[ADDR6]:PORT", ":PORT" or "PORT" into a socket address. */
static int parse_listen(const char *where, struct sockaddr_storage *ss, socklen_t *sslen,
			char *err, size_t errlen)
{
	char host[128] = "127.0.0.1", *end;
	const char *port_s = where, *colon = strrchr(where, ':');
	long port;

	if (colon) {
		size_t n = colon - where;
		if (n >= sizeof(host))
			goto bad;
		if (n) {
			memcpy(host, where, n);
			host[n] = '\0';
		}
		port_s = colon + 1;
	}
	errno = 0;
	port = strtol(port_s, &end, 10);
	if (!*port_s || *end || errno || port < 0 || port > 65535)
		goto bad;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		host[strlen(host) - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			goto bad;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*sslen = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			goto bad;
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*sslen = sizeof(*a4);
	}
	return 0;
bad:
	snprintf(err, errlen, "--metrics '%s': expected ADDR:PORT (an IP address; PORT alone means 127.0.0.1:PORT)",
		 where);
	return -1;
}

struct kt_metrics_http *kt_metrics_http_start(const char *where, char *err, size_t errlen)
{
	struct kt_metrics_http *h;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int one = 1;

	if (parse_listen(where, &ss, &sslen, err, errlen))
		return NULL;
	if (!(h = calloc(1, sizeof(*h)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0 || setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->fd, (struct sockaddr *)&ss, sslen) || listen(h->fd, 64)) {
		snprintf(err, errlen, "--metrics: cannot listen on %s: %s", where, strerror(errno));
		goto fail;
	}
	if (getsockname(h->fd, (struct sockaddr *)&ss, &sslen) == 0) {
		char ip[INET6_ADDRSTRLEN] = "?";
		bool v6 = ss.ss_family == AF_INET6;

		h->port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
				   : ((struct sockaddr_in *)&ss)->sin_port);
		inet_ntop(ss.ss_family, v6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
					   : (void *)&((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip));
		snprintf(h->address, sizeof(h->address), v6 ? "[%s]:%d" : "%s:%d", ip, h->port);
	}
	/* One thread polls every connection: scrapes are rare and small. A
	 * client that stalls is dropped after 10 s. */
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer, h,
				     MHD_OPTION_LISTEN_SOCKET, h->fd,
				     MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				     MHD_OPTION_CONNECTION_LIMIT, 32u,
				     MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, errlen, "--metrics: the HTTP server did not start on %s", where);
		goto fail;
	}
	return h;
fail:
	if (h->fd >= 0)
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h);
	return NULL;
}

int kt_metrics_http_port(const struct kt_metrics_http *h)
{
	return h->port;
}

const char *kt_metrics_http_address(const struct kt_metrics_http *h)
{
	return h->address;
}

void kt_metrics_http_publish(struct kt_metrics_http *h, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return;          /* scrapes keep the previous text */
	memcpy(copy, text, len);
	pthread_mutex_lock(&h->lock);
	free(h->text);
	h->text = copy;
	h->len = len;
	pthread_mutex_unlock(&h->lock);
}

unsigned long long kt_metrics_http_scrapes(struct kt_metrics_http *h)
{
	unsigned long long n;

	pthread_mutex_lock(&h->lock);
	n = h->scrapes;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void kt_metrics_http_stop(struct kt_metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);     /* joins its thread */
	close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h->text);
	free(h);
}
