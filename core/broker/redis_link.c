/* core/broker/redis_link.c - Redis URL, password, and commands that retry (redis_link.h). */
#include "redis_link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "clock.h"
#include "decimal.h"

#define TP_REDIS_BACKOFF_FIRST_MS   50
#define TP_REDIS_CONNECT_TIMEOUT_MS 2000

int tp_redis_url_parse(const char *location, tp_redis_url *url, char *err, size_t err_size) {
  memset(url, 0, sizeof *url);
  const char *prefix = "redis://";
  if (strncmp(location, prefix, strlen(prefix)) != 0) {
    snprintf(err, err_size, "%s: expected redis://HOST:PORT/STREAM", location);
    return -1;
  }
  const char *at = location + strlen(prefix);
  if (strchr(at, '@') != NULL && strchr(at, '@') < strchr(at, '/')) {
    snprintf(err, err_size,
             "redis://...: a password never goes in the URL; set TEXTPIPE_REDIS_PASSWORD or "
             "TEXTPIPE_REDIS_PASSWORD_FILE");
    return -1;
  }
  const char *slash = strchr(at, '/');
  const char *colon = memchr(at, ':', slash != NULL ? (size_t)(slash - at) : strlen(at));
  const char *host_end = colon != NULL ? colon : slash;
  if (slash == NULL || host_end == at || (size_t)(host_end - at) >= sizeof url->host) {
    snprintf(err, err_size, "%s: expected redis://HOST:PORT/STREAM", location);
    return -1;
  }
  memcpy(url->host, at, (size_t)(host_end - at));
  url->port = 6379;
  if (colon != NULL) {
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (end != slash || port < 1 || port > 65535) {
      snprintf(err, err_size, "%s: the port must be a number from 1 to 65535", location);
      return -1;
    }
    url->port = (int)port;
  }
  const char *stream = slash + 1;
  const char *question = strchr(stream, '?');
  size_t stream_length = question != NULL ? (size_t)(question - stream) : strlen(stream);
  if (stream_length == 0 || stream_length >= sizeof url->stream) {
    snprintf(err, err_size, "%s: missing the stream name after the '/'", location);
    return -1;
  }
  memcpy(url->stream, stream, stream_length);
  if (question != NULL && strlen(question + 1) >= sizeof url->query) {
    snprintf(err, err_size, "%s: the query is too long", location);
    return -1;
  }
  if (question != NULL)
    snprintf(url->query, sizeof url->query, "%s", question + 1);
  snprintf(url->display, sizeof url->display, "redis://%.200s:%d/%.200s", url->host, url->port,
           url->stream);
  return 0;
}

/* Calls `visit` for each key=value of the query; stops when it returns nonzero. */
static int each_pair(const tp_redis_url *url,
                     int (*visit)(void *context, const char *key, size_t key_length,
                                  const char *value, size_t value_length),
                     void *context) {
  const char *at = url->query;
  while (*at != '\0') {
    const char *end = strchr(at, '&');
    size_t length = end != NULL ? (size_t)(end - at) : strlen(at);
    const char *equals = memchr(at, '=', length);
    size_t key_length = equals != NULL ? (size_t)(equals - at) : length;
    const char *value = equals != NULL ? equals + 1 : at + length;
    size_t value_length = equals != NULL ? length - key_length - 1 : 0;
    int stop = visit(context, at, key_length, value, value_length);
    if (stop != 0)
      return stop;
    at += length + (end != NULL);
  }
  return 0;
}

typedef struct lookup {
  const char *key;
  char *value;
  size_t size;
} lookup;

static int find_key(void *context, const char *key, size_t key_length, const char *value,
                    size_t value_length) {
  lookup *wanted = context;
  if (strlen(wanted->key) != key_length || memcmp(wanted->key, key, key_length) != 0)
    return 0;
  snprintf(wanted->value, wanted->size, "%.*s", (int)value_length, value);
  return 1;
}

int tp_redis_url_get(const tp_redis_url *url, const char *key, char *value, size_t size) {
  lookup wanted = {key, value, size};
  return each_pair(url, find_key, &wanted);
}

int tp_redis_url_number(const tp_redis_url *url, const char *key, uint64_t fallback, uint64_t max,
                        uint64_t *out, char *err, size_t err_size) {
  char text[32];
  *out = fallback;
  if (!tp_redis_url_get(url, key, text, sizeof text))
    return 0;
  char *end = NULL;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value > max) {
    snprintf(err, err_size, "%s: %s=%s: expected a whole number from 0 to %llu", url->display, key,
             text, (unsigned long long)max);
    return -1;
  }
  *out = value;
  return 0;
}

typedef struct key_check {
  const char *const *known;
  char *err;
  size_t err_size;
  const tp_redis_url *url;
} key_check;

static int check_key(void *context, const char *key, size_t key_length, const char *value,
                     size_t value_length) {
  (void)value, (void)value_length;
  key_check *check = context;
  for (const char *const *name = check->known; *name != NULL; name++)
    if (strlen(*name) == key_length && memcmp(*name, key, key_length) == 0)
      return 0;
  char list[512] = "";
  for (const char *const *name = check->known; *name != NULL; name++)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "", *name);
  snprintf(check->err, check->err_size, "%s: unknown key \"%.*s\" (known: %s)", check->url->display,
           (int)key_length, key, list);
  return -1;
}

int tp_redis_url_check_keys(const tp_redis_url *url, const char *const *known, char *err,
                            size_t err_size) {
  key_check check = {known, err, err_size, url};
  return each_pair(url, check_key, &check) != 0 ? -1 : 0;
}

void tp_redis_link_init(tp_redis_link *link, const tp_redis_url *url, volatile int *cancel) {
  memset(link, 0, sizeof *link);
  link->url = *url;
  link->cancel = cancel;
}

/* The password from the environment or its file into `password` ("" for none). Returns 0,
 * or -1 with err (which never holds the password). */
static int read_password(char *password, size_t size, char *err, size_t err_size) {
  password[0] = '\0';
  const char *value = getenv("TEXTPIPE_REDIS_PASSWORD");
  if (value != NULL && value[0] != '\0') {
    snprintf(password, size, "%s", value);
    return 0;
  }
  const char *path = getenv("TEXTPIPE_REDIS_PASSWORD_FILE");
  if (path == NULL || path[0] == '\0')
    return 0;
  FILE *file = fopen(path, "r");
  if (file == NULL || fgets(password, (int)size, file) == NULL) {
    snprintf(err, err_size, "TEXTPIPE_REDIS_PASSWORD_FILE %s: cannot read: %s", path,
             strerror(errno));
    if (file != NULL)
      fclose(file);
    password[0] = '\0';
    return -1;
  }
  fclose(file);
  password[strcspn(password, "\r\n")] = '\0';
  return 0;
}

int tp_redis_link_connect(tp_redis_link *link, char *err, size_t err_size) {
  if (link->context != NULL)
    return 0;
  struct timeval timeout = {TP_REDIS_CONNECT_TIMEOUT_MS / 1000,
                            (TP_REDIS_CONNECT_TIMEOUT_MS % 1000) * 1000};
  redisContext *context = redisConnectWithTimeout(link->url.host, link->url.port, timeout);
  if (context == NULL || context->err != 0) {
    snprintf(err, err_size, "%s: cannot connect: %s", link->url.display,
             context != NULL ? context->errstr : "out of memory");
    if (context != NULL)
      redisFree(context);
    return -1;
  }
  tp_redis_reply_use_arena(context->reader); /* every reply on a link, AUTH's included */
  char password[512];
  if (read_password(password, sizeof password, err, err_size) != 0) {
    redisFree(context);
    return -1;
  }
  if (password[0] != '\0') {
    const char *argv[] = {"AUTH", password};
    size_t lengths[] = {4, strlen(password)};
    redisReply *reply = redisCommandArgv(context, 2, argv, lengths);
    memset(password, 0, sizeof password);
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
      snprintf(err, err_size, "%s: authentication failed: %s", link->url.display,
               reply != NULL ? reply->str : context->errstr);
      if (reply != NULL)
        tp_redis_reply_free(reply);
      redisFree(context);
      return -1;
    }
    tp_redis_reply_free(reply);
  }
  struct timeval command_timeout = {10, 0}; /* a command answers well within this */
  redisSetTimeout(context, command_timeout);
  link->context = context;
  link->connected_ms = tp_clock_ms();
  return 0;
}

void tp_redis_link_drop(tp_redis_link *link) {
  if (link->context != NULL)
    redisFree(link->context);
  link->context = NULL;
}

void tp_redis_link_close(tp_redis_link *link) {
  tp_redis_link_drop(link);
  free(link->read_buffer);
  link->read_buffer = NULL;
}

static void sleep_ms(uint64_t ms) {
  struct timespec wait = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
  nanosleep(&wait, NULL);
}

/* Whether a reply says the server cannot serve yet (a restart loading its append-only file,
 * a busy script, a replica without its master): worth waiting for, unlike other errors. */
static int server_busy(redisReply **replies, size_t count) {
  static const char *const transient[] = {"LOADING ", "BUSY ", "MASTERDOWN ", "TRYAGAIN "};
  for (size_t i = 0; i < count; i++) {
    if (replies[i]->type != REDIS_REPLY_ERROR)
      continue;
    for (size_t t = 0; t < sizeof transient / sizeof *transient; t++)
      if (strncmp(replies[i]->str, transient[t], strlen(transient[t])) == 0)
        return 1;
  }
  return 0;
}

/* Sends everything in `parts`, resuming after partial writes (MSG_NOSIGNAL: a closed
 * connection is an error, not a signal). Returns 0, or -1 with errno. */
static int send_parts(int fd, struct iovec *parts, int count) {
  while (count > 0) {
    struct msghdr message = {.msg_iov = parts, .msg_iovlen = (size_t)count};
    ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR)
      continue;
    if (sent < 0)
      return -1; /* EAGAIN included: the send timeout passed */
    while (count > 0 && (size_t)sent >= parts->iov_len)
      sent -= (ssize_t)parts->iov_len, parts++, count--;
    if (count > 0) {
      parts->iov_base = (char *)parts->iov_base + sent;
      parts->iov_len -= (size_t)sent;
    }
  }
  return 0;
}

int tp_redis_write_command(int fd, int argc, const char **argv, const size_t *lengths) {
  enum { BUFFER = 64 * 1024, HEADER = 32 };
  char *buffer = malloc(BUFFER);
  if (buffer == NULL) {
    errno = ENOMEM;
    return -1;
  }
  size_t used = (size_t)snprintf(buffer, HEADER, "*%d\r\n", argc);
  int status = 0;
  for (int i = 0; i < argc && status == 0; i++) {
    if (used + HEADER > BUFFER) {
      struct iovec part = {buffer, used};
      status = send_parts(fd, &part, 1);
      used = 0;
    }
    buffer[used++] = '$';
    used += tp_put_decimal(lengths[i], buffer + used);
    memcpy(buffer + used, "\r\n", 2);
    used += 2;
    if (used + lengths[i] + 2 <= BUFFER) {
      memcpy(buffer + used, argv[i], lengths[i]);
      used += lengths[i];
    } else { /* a large argument goes from where it is, after what is buffered */
      struct iovec parts[] = {{buffer, used}, {(void *)argv[i], lengths[i]}};
      status = status == 0 ? send_parts(fd, parts, 2) : status;
      used = 0;
    }
    memcpy(buffer + used, "\r\n", 2);
    used += 2;
  }
  if (status == 0) {
    struct iovec part = {buffer, used};
    status = send_parts(fd, &part, 1);
  }
  int saved = errno;
  free(buffer);
  errno = saved;
  return status;
}

/* Sets the connection's error as hiredis does. */
static void set_error(redisContext *context, int type, const char *message) {
  context->err = type;
  snprintf(context->errstr, sizeof context->errstr, "%s", message);
}

/* redisGetReply, reading TP_REDIS_READ_BYTES at a time into the link's buffer where hiredis
 * reads 16 KB: the next reply once what is queued is written. Returns REDIS_OK with *reply,
 * or REDIS_ERR with the connection's error set (as hiredis: the text of errno, or "Server
 * closed the connection"). */
static int get_reply(tp_redis_link *link, redisReply **reply) {
  redisContext *context = link->context;
  void *parsed = NULL;
  if (redisReaderGetReply(context->reader, &parsed) != REDIS_OK) {
    set_error(context, context->reader->err, context->reader->errstr);
    return REDIS_ERR;
  }
  for (int done = parsed != NULL; !done;)
    if (redisBufferWrite(context, &done) != REDIS_OK)
      return REDIS_ERR;
  if (parsed == NULL && link->read_buffer == NULL &&
      (link->read_buffer = malloc(TP_REDIS_READ_BYTES)) == NULL) {
    set_error(context, REDIS_ERR_OOM, "Out of memory");
    return REDIS_ERR;
  }
  while (parsed == NULL) {
    ssize_t got = recv(context->fd, link->read_buffer, TP_REDIS_READ_BYTES, 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) { /* EAGAIN included: the receive timeout passed */
      set_error(context, got == 0 ? REDIS_ERR_EOF : REDIS_ERR_IO,
                got == 0 ? "Server closed the connection" : strerror(errno));
      return REDIS_ERR;
    }
    if (redisReaderFeed(context->reader, link->read_buffer, (size_t)got) != REDIS_OK ||
        redisReaderGetReply(context->reader, &parsed) != REDIS_OK) {
      set_error(context, context->reader->err, context->reader->errstr);
      return REDIS_ERR;
    }
  }
  *reply = parsed;
  return REDIS_OK;
}

/* Hands one command to the connection. One over TP_REDIS_DIRECT_BYTES (the checkpoint's EVAL,
 * with every id and the state) is written from its arguments once hiredis' buffer is out
 * (tp_redis_write_command), rather than formatted whole and then copied into that buffer:
 * two buffers of its size, all pages touched, each time. Returns REDIS_OK or REDIS_ERR (the
 * context's error set). */
static int append_command(redisContext *context, int argc, const char **argv,
                          const size_t *lengths) {
  size_t bytes = 16;
  for (int i = 0; i < argc && bytes <= TP_REDIS_DIRECT_BYTES; i++)
    bytes += lengths[i] + 24;
  if (bytes <= TP_REDIS_DIRECT_BYTES)
    return redisAppendCommandArgv(context, argc, argv, lengths);
  for (int done = 0; !done;)
    if (redisBufferWrite(context, &done) != REDIS_OK)
      return REDIS_ERR;
  if (tp_redis_write_command(context->fd, argc, argv, lengths) != 0) {
    context->err = REDIS_ERR_IO;
    snprintf(context->errstr, sizeof context->errstr, "%s", strerror(errno));
    return REDIS_ERR;
  }
  return REDIS_OK;
}

int tp_redis_pipeline_once(tp_redis_link *link, size_t count, const int *argcs,
                           const size_t *firsts, const char **argv, const size_t *lengths,
                           redisReply **replies, int (*applied)(tp_redis_link *link, void *context),
                           void *context, uint64_t give_up_ms, char *err, size_t err_size) {
  uint64_t start = tp_clock_ms();
  uint64_t backoff = TP_REDIS_BACKOFF_FIRST_MS;
  int attempts = 0;
  int unknown = 0; /* sent, and the connection failed before every reply came */
  for (;;) {
    if (attempts++ > 0) {
      if ((link->cancel != NULL && *link->cancel) ||
          (give_up_ms > 0 && tp_clock_ms() - start >= give_up_ms))
        return -1; /* err holds the last failure */
      for (uint64_t slept = 0; slept < backoff && !(link->cancel != NULL && *link->cancel);
           slept += 50) /* in steps, so a stop that cannot wait is not held up */
        sleep_ms(backoff - slept < 50 ? backoff - slept : 50);
      backoff = backoff * 2 > TP_REDIS_BACKOFF_MAX_MS ? TP_REDIS_BACKOFF_MAX_MS : backoff * 2;
    }
    int was_connected = link->context != NULL;
    if (tp_redis_link_connect(link, err, err_size) != 0)
      continue;
    if (!was_connected && attempts > 1)
      link->reconnects++;
    if (unknown && applied != NULL) {
      int ran = applied(link, context);
      if (ran < 0)
        continue;
      if (ran > 0) {
        for (size_t i = 0; i < count; i++)
          replies[i] = NULL;
        return 0;
      }
      unknown = 0;
    }
    size_t sent = 0;
    for (; sent < count; sent++)
      if (append_command(link->context, argcs[sent], argv + firsts[sent], lengths + firsts[sent]) !=
          REDIS_OK)
        break;
    size_t received = 0;
    if (sent == count) {
      for (; received < count; received++)
        if (get_reply(link, &replies[received]) != REDIS_OK)
          break;
    }
    if (received == count && !server_busy(replies, count))
      return 0;
    for (size_t i = 0; i < received; i++)
      tp_redis_reply_free(replies[i]);
    if (received == count) { /* connected, but the server cannot serve yet: wait and resend */
      snprintf(err, err_size, "%s: the server is loading its data or busy", link->url.display);
      continue;
    }
    unknown = sent == count;
    snprintf(err, err_size, "%s: connection lost: %s", link->url.display,
             link->context->errstr[0] ? link->context->errstr : "out of memory");
    tp_redis_link_drop(link);
  }
}

int tp_redis_pipeline(tp_redis_link *link, size_t count, const int *argcs, const size_t *firsts,
                      const char **argv, const size_t *lengths, redisReply **replies,
                      uint64_t give_up_ms, char *err, size_t err_size) {
  return tp_redis_pipeline_once(link, count, argcs, firsts, argv, lengths, replies, NULL, NULL,
                                give_up_ms, err, err_size);
}

redisReply *tp_redis_command(tp_redis_link *link, int argc, const char **argv,
                             const size_t *lengths, uint64_t give_up_ms, char *err,
                             size_t err_size) {
  size_t first = 0;
  redisReply *reply = NULL;
  if (tp_redis_pipeline(link, 1, &argc, &first, argv, lengths, &reply, give_up_ms, err, err_size) !=
      0)
    return NULL;
  return reply;
}
