/* tests/e2e/redis_proxy.h - a TCP relay between textpipe and the test's redis-server that
 * can lose one reply: the connection that sends a command containing `needle` is dropped
 * once the server has answered it, the answer thrown away (as when a network fails right
 * after a transaction was sent). Only the first such command is answered this way; everything
 * else is relayed as it is. Runs on its own threads; used by test_redis_failures.c. */
#ifndef TP_TESTS_E2E_REDIS_PROXY_H
#define TP_TESTS_E2E_REDIS_PROXY_H

typedef struct redis_proxy redis_proxy;

/* Listens on a free 127.0.0.1 port, relaying to 127.0.0.1:`upstream_port`. Returns the proxy,
 * or NULL when it cannot listen. */
redis_proxy *redis_proxy_start(int upstream_port, const char *needle);

/* The port textpipe connects to. */
int redis_proxy_port(const redis_proxy *proxy);

/* How many replies were thrown away (0 or 1). */
int redis_proxy_drops(redis_proxy *proxy);

/* Stops listening, closes every relayed connection (waiting up to 2 s) and frees the proxy. */
void redis_proxy_stop(redis_proxy *proxy);

#endif /* TP_TESTS_E2E_REDIS_PROXY_H */
