/* tests/e2e/redis_proxy.c - a TCP relay that loses one reply (redis_proxy.h). One thread
 * accepts; each connection gets a thread relaying both ways with poll(). */
#include "redis_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h> /* memmem: _GNU_SOURCE comes from the build */
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct redis_proxy {
  int listener, port, upstream_port;
  char needle[64];
  pthread_t acceptor;
  pthread_mutex_t lock;
  int armed;    /* the next command holding the needle loses its reply (under lock) */
  int drops;    /* under lock */
  int relays;   /* relay threads running (under lock) */
  int stopping; /* under lock */
};

typedef struct relay {
  redis_proxy *proxy;
  int client, server;
} relay;

static int stopping(redis_proxy *proxy) {
  pthread_mutex_lock(&proxy->lock);
  int stop = proxy->stopping;
  pthread_mutex_unlock(&proxy->lock);
  return stop;
}

/* Sends all of `length` bytes. Returns 0, or -1 when the peer is gone. */
static int send_all(int fd, const char *bytes, size_t length) {
  while (length > 0) {
    ssize_t sent = send(fd, bytes, length, MSG_NOSIGNAL);
    if (sent <= 0)
      return -1;
    bytes += sent;
    length -= (size_t)sent;
  }
  return 0;
}

static void *relay_main(void *argument) {
  relay *r = argument;
  redis_proxy *proxy = r->proxy;
  int losing = 0; /* this connection sent the needle: its next reply is lost */
  static __thread char buffer[1 << 16];
  for (;;) {
    if (stopping(proxy))
      break;
    struct pollfd fds[2] = {{r->client, POLLIN, 0}, {r->server, POLLIN, 0}};
    if (poll(fds, 2, 100) < 0)
      break;
    if (fds[0].revents) {
      ssize_t got = recv(r->client, buffer, sizeof buffer, 0);
      if (got <= 0)
        break;
      pthread_mutex_lock(&proxy->lock);
      if (proxy->armed && memmem(buffer, (size_t)got, proxy->needle, strlen(proxy->needle))) {
        proxy->armed = 0;
        losing = 1;
      }
      pthread_mutex_unlock(&proxy->lock);
      if (send_all(r->server, buffer, (size_t)got) != 0)
        break;
    }
    if (fds[1].revents) {
      ssize_t got = recv(r->server, buffer, sizeof buffer, 0);
      if (got <= 0)
        break;
      if (losing) { /* the server ran it; the client never hears so */
        pthread_mutex_lock(&proxy->lock);
        proxy->drops++;
        pthread_mutex_unlock(&proxy->lock);
        break;
      }
      if (send_all(r->client, buffer, (size_t)got) != 0)
        break;
    }
  }
  close(r->client);
  close(r->server);
  free(r);
  pthread_mutex_lock(&proxy->lock);
  proxy->relays--;
  pthread_mutex_unlock(&proxy->lock);
  return NULL;
}

static int connect_upstream(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&address, sizeof address) == 0)
    return fd;
  if (fd >= 0)
    close(fd);
  return -1;
}

static void *accept_main(void *argument) {
  redis_proxy *proxy = argument;
  while (!stopping(proxy)) {
    struct pollfd listening = {proxy->listener, POLLIN, 0};
    if (poll(&listening, 1, 100) <= 0)
      continue;
    int client = accept(proxy->listener, NULL, NULL);
    if (client < 0)
      continue;
    int server = connect_upstream(proxy->upstream_port);
    relay *r = server >= 0 ? malloc(sizeof *r) : NULL;
    pthread_t thread;
    if (r != NULL) {
      *r = (relay){proxy, client, server};
      pthread_mutex_lock(&proxy->lock);
      proxy->relays++;
      pthread_mutex_unlock(&proxy->lock);
      if (pthread_create(&thread, NULL, relay_main, r) == 0) {
        pthread_detach(thread);
        continue;
      }
      pthread_mutex_lock(&proxy->lock);
      proxy->relays--;
      pthread_mutex_unlock(&proxy->lock);
      free(r);
    }
    close(client); /* the upstream is down: the client sees a lost connection */
    if (server >= 0)
      close(server);
  }
  return NULL;
}

redis_proxy *redis_proxy_start(int upstream_port, const char *needle) {
  redis_proxy *proxy = calloc(1, sizeof *proxy);
  if (proxy == NULL)
    return NULL;
  proxy->upstream_port = upstream_port;
  proxy->armed = 1;
  strncpy(proxy->needle, needle, sizeof proxy->needle - 1);
  pthread_mutex_init(&proxy->lock, NULL);
  proxy->listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (proxy->listener < 0 || bind(proxy->listener, (struct sockaddr *)&address, length) != 0 ||
      listen(proxy->listener, 16) != 0 ||
      getsockname(proxy->listener, (struct sockaddr *)&address, &length) != 0 ||
      pthread_create(&proxy->acceptor, NULL, accept_main, proxy) != 0) {
    if (proxy->listener >= 0)
      close(proxy->listener);
    pthread_mutex_destroy(&proxy->lock);
    free(proxy);
    return NULL;
  }
  proxy->port = ntohs(address.sin_port);
  return proxy;
}

int redis_proxy_port(const redis_proxy *proxy) {
  return proxy->port;
}

int redis_proxy_drops(redis_proxy *proxy) {
  pthread_mutex_lock(&proxy->lock);
  int drops = proxy->drops;
  pthread_mutex_unlock(&proxy->lock);
  return drops;
}

void redis_proxy_stop(redis_proxy *proxy) {
  pthread_mutex_lock(&proxy->lock);
  proxy->stopping = 1;
  pthread_mutex_unlock(&proxy->lock);
  pthread_join(proxy->acceptor, NULL);
  close(proxy->listener);
  for (int waited = 0; waited < 100; waited++) { /* relays look at `stopping` every 100 ms */
    pthread_mutex_lock(&proxy->lock);
    int relays = proxy->relays;
    pthread_mutex_unlock(&proxy->lock);
    if (relays == 0)
      break;
    struct timespec step = {0, 20 * 1000000};
    nanosleep(&step, NULL);
  }
  pthread_mutex_lock(&proxy->lock);
  int left = proxy->relays;
  pthread_mutex_unlock(&proxy->lock);
  if (left == 0) { /* else a relay still holds it: leaked rather than freed under it */
    pthread_mutex_destroy(&proxy->lock);
    free(proxy);
  }
}
