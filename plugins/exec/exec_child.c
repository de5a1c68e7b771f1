/* plugins/exec/exec_child.c - one NDJSON co-process: spawn, batch exchange, stderr, restart
 * (exec_child.h). */
#include "exec_child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void sleep_seconds(double seconds) {
  if (seconds <= 0)
    return;
  struct timespec delay = {.tv_sec = (time_t)seconds,
                           .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
  while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
    ;
}

void exec_child_init(exec_child *child, const exec_settings *settings, const tp_host *host,
                     const tp_stage *stage) {
  memset(child, 0, sizeof *child);
  child->settings = settings;
  child->host = host;
  child->stage = stage;
  child->in_fd = child->out_fd = child->err_fd = -1;
}

/* ---- stderr: the log and the tail ---------------------------------------------------------- */

static void log_line_flush(exec_child *child) {
  if (child->logged_lines < child->settings->stderr_lines) {
    child->log_line[child->log_line_used] = '\0';
    child->host->log(child->stage, TP_LOG_WARN, "%s: %s%s", child->settings->name, child->log_line,
                     child->log_line_cut ? " [cut]" : "");
    if (++child->logged_lines == child->settings->stderr_lines)
      child->host->log(child->stage, TP_LOG_WARN,
                       "%s: further stderr lines of this child are counted, not shown",
                       child->settings->name);
  } else {
    child->unlogged_lines++;
  }
  child->log_line_used = 0;
  child->log_line_cut = 0;
}

static void stderr_take(exec_child *child, const char *data, size_t length) {
  /* Only the last EXEC_TAIL_BYTES can stay in the tail. */
  size_t skip = length > EXEC_TAIL_BYTES ? length - EXEC_TAIL_BYTES : 0;
  for (size_t i = skip; i < length; i++) {
    child->tail[child->tail_next] = data[i];
    child->tail_next = (child->tail_next + 1) % EXEC_TAIL_BYTES;
    if (child->tail_used < EXEC_TAIL_BYTES)
      child->tail_used++;
  }
  /* Past the logged lines only newlines matter: count them without copying. */
  for (size_t i = 0; i < length; i++) {
    if (data[i] == '\n') {
      log_line_flush(child);
    } else if (child->logged_lines >= child->settings->stderr_lines) {
      const char *newline = memchr(data + i, '\n', length - i);
      if (newline == NULL)
        break;
      i = (size_t)(newline - data) - 1;
    } else if (child->log_line_used < EXEC_LOG_LINE_BYTES) {
      unsigned char c = (unsigned char)data[i];
      child->log_line[child->log_line_used++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    } else {
      child->log_line_cut = 1;
    }
  }
}

/* Reads what stderr holds now (non-blocking). */
static void stderr_drain(exec_child *child) {
  char block[65536];
  while (child->err_fd >= 0) {
    ssize_t got = read(child->err_fd, block, sizeof block);
    if (got > 0) {
      stderr_take(child, block, (size_t)got);
      continue;
    }
    if (got < 0 && errno == EINTR)
      continue;
    if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      if (child->log_line_used > 0)
        log_line_flush(child);
      close(child->err_fd);
      child->err_fd = -1;
    }
    break;
  }
}

/* The stderr tail as one line ("a | b"), empty when there is none. */
static void tail_text(const exec_child *child, char *out, size_t size) {
  size_t used = 0;
  size_t start = (child->tail_next + EXEC_TAIL_BYTES - child->tail_used) % EXEC_TAIL_BYTES;
  for (size_t i = 0; i < child->tail_used && used + 4 < size; i++) {
    unsigned char c = (unsigned char)child->tail[(start + i) % EXEC_TAIL_BYTES];
    if (c == '\n') {
      if (i + 1 < child->tail_used && used > 0) {
        memcpy(out + used, " | ", 3);
        used += 3;
      }
    } else {
      out[used++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
  }
  out[used] = '\0';
}

/* ---- the process --------------------------------------------------------------------------- */

static void close_fd(int *fd) {
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* Waits up to `seconds` for the child to exit by itself, then kills it; reaps it either way.
 * Returns the wait status, and sets *killed when it had to be killed. */
static int reap(exec_child *child, double seconds, int *killed) {
  int status = 0;
  double give_up = now_seconds() + seconds;
  *killed = 0;
  for (;;) {
    pid_t done = waitpid(child->pid, &status, WNOHANG);
    if (done == child->pid || (done < 0 && errno != EINTR))
      break;
    if (now_seconds() >= give_up) {
      kill(child->pid, SIGKILL);
      *killed = 1;
      while (waitpid(child->pid, &status, 0) < 0 && errno == EINTR)
        ;
      break;
    }
    stderr_drain(child);
    sleep_seconds(0.001);
  }
  child->pid = 0;
  return status;
}

static void describe_status(int status, int killed, const char *name, char *out, size_t size) {
  if (killed)
    snprintf(out, size, "%s closed its output", name);
  else if (WIFEXITED(status))
    snprintf(out, size, "%s exited with status %d", name, WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    snprintf(out, size, "%s was killed by signal %d (%s)", name, WTERMSIG(status),
             strsignal(WTERMSIG(status)));
  else
    snprintf(out, size, "%s stopped", name);
}

/* Stops the child at once (after a failure): kill, reap, close, keep the stderr tail. */
static void kill_now(exec_child *child) {
  if (child->pid > 0) {
    kill(child->pid, SIGKILL);
    int killed;
    reap(child, 0, &killed);
  }
  close_fd(&child->in_fd);
  close_fd(&child->out_fd);
  stderr_drain(child);
  close_fd(&child->err_fd);
  child->answer_start = child->answer_used = 0;
}

static int start(exec_child *child, char *reason, size_t reason_size) {
  sleep_seconds(child->restart_after - now_seconds());
  int stdin_pair[2] = {-1, -1}, stdout_pipe[2] = {-1, -1}, stderr_pipe[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  int status = -1;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stdin_pair) != 0 ||
      pipe2(stdout_pipe, O_CLOEXEC) != 0 || pipe2(stderr_pipe, O_CLOEXEC) != 0) {
    snprintf(reason, reason_size, "cannot start %s: %s", child->settings->name, strerror(errno));
    goto done;
  }
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_pair[1], 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_pipe[1], 2);
  posix_spawnattr_init(&attributes);
  /* textpipe ignores SIGPIPE and its workers may block signals: the child starts clean. */
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &empty);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  int failed = posix_spawnp(&child->pid, child->settings->argv[0], &actions, &attributes,
                            child->settings->argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (failed != 0) {
    child->pid = 0;
    snprintf(reason, reason_size, "cannot start %s: %s", child->settings->name, strerror(failed));
    goto done;
  }
  child->in_fd = stdin_pair[0];
  child->out_fd = stdout_pipe[0];
  child->err_fd = stderr_pipe[0];
  stdin_pair[0] = stdout_pipe[0] = stderr_pipe[0] = -1;
  fcntl(child->out_fd, F_SETFL, O_NONBLOCK);
  fcntl(child->err_fd, F_SETFL, O_NONBLOCK);
  child->answer_start = child->answer_used = 0;
  child->logged_lines = 0;
  child->tail_used = child->tail_next = 0;
  status = 0;
done:
  for (int i = 0; i < 2; i++) {
    close_fd(&stdin_pair[i]);
    close_fd(&stdout_pipe[i]);
    close_fd(&stderr_pipe[i]);
  }
  return status;
}

/* After a failure: the reason gets the stderr tail, the child goes, the restart waits. */
static int fail(exec_child *child, int progress, char *reason, size_t reason_size) {
  kill_now(child);
  char tail[EXEC_TAIL_BYTES * 2];
  tail_text(child, tail, sizeof tail);
  size_t used = strlen(reason);
  if (tail[0] != '\0' && used + 12 < reason_size)
    snprintf(reason + used, reason_size - used, "; stderr: %s", tail);
  /* What the child wrote may be any bytes: the reason stays printable ASCII. */
  for (char *c = reason; *c != '\0'; c++)
    if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
      *c = '?';
  if (progress)
    child->failures_in_a_row = 0; /* it answered something: it is not failing at once */
  unsigned doublings = child->failures_in_a_row < 6 ? child->failures_in_a_row : 6;
  child->failures_in_a_row++;
  child->restart_after =
      now_seconds() + (double)child->settings->backoff_ms / 1000.0 * (double)(1u << doublings);
  return -1;
}

/* ---- one exchange -------------------------------------------------------------------------- */

static const char *skip_space(const char *at, const char *end) {
  while (at < end && (*at == ' ' || *at == '\t' || *at == '\r'))
    at++;
  return at;
}

/* When `line` is exactly {"id": N} (N up to 18 digits, JSON whitespace anywhere between the
 * tokens), sets *id and returns 1: the common answer, read without building a cJSON object.
 * 0 otherwise (the line goes to the parser). */
static int bare_answer(const char *line, size_t length, uint64_t *id) {
  const char *end = line + length, *at = skip_space(line, end);
  if (at == end || *at++ != '{')
    return 0;
  at = skip_space(at, end);
  if (end - at < 4 || memcmp(at, "\"id\"", 4) != 0)
    return 0;
  at = skip_space(at + 4, end);
  if (at == end || *at++ != ':')
    return 0;
  at = skip_space(at, end);
  const char *digits = at;
  uint64_t value = 0;
  while (at < end && *at >= '0' && *at <= '9' && at - digits < 18)
    value = value * 10 + (uint64_t)(*at++ - '0');
  if (at == digits || (*digits == '0' && at - digits > 1))
    return 0;
  at = skip_space(at, end);
  if (at == end || *at++ != '}' || skip_space(at, end) != end)
    return 0;
  *id = value;
  return 1;
}

/* Parses the first complete line of child->answer as the answer for `id`. 1: taken, the
 * parsed object in *answer (NULL for a bare {"id": N}); 0: no complete line yet; -1: garbage,
 * reason filled; -2: a second answer for `id` - 1 (ids count up by one within a child),
 * reason filled. */
static int take_answer(exec_child *child, uint64_t id, cJSON **answer, char *reason,
                       size_t reason_size) {
  char *line = child->answer + child->answer_start;
  size_t pending = child->answer_used - child->answer_start;
  char *newline = pending > 0 ? memchr(line, '\n', pending) : NULL;
  if (newline == NULL)
    return 0;
  size_t length = (size_t)(newline - line);
  cJSON *parsed = NULL;
  uint64_t answered_id = 0;
  double shown; /* the answered id, for the message */
  int status = -1;
  if (bare_answer(line, length, &answered_id)) {
    shown = (double)answered_id;
  } else {
    parsed = cJSON_ParseWithLength(line, length);
    const cJSON *id_item = cJSON_GetObjectItemCaseSensitive(parsed, "id");
    if (parsed == NULL || !cJSON_IsObject(parsed)) {
      snprintf(reason, reason_size, "%s answered a line that is not a JSON object: \"%.*s\"",
               child->settings->name, (int)(length < 60 ? length : 60), line);
      goto refused;
    }
    if (!cJSON_IsNumber(id_item)) {
      snprintf(reason, reason_size, "%s answered without a numeric \"id\"", child->settings->name);
      goto refused;
    }
    double value = id_item->valuedouble;
    shown = value;
    /* Ids stay far below 2^53: any other value is simply not the one expected. */
    answered_id = value >= 0 && value < 9007199254740992.0 && value == (double)(uint64_t)value
                      ? (uint64_t)value
                      : UINT64_MAX;
  }
  if (id > 0 && answered_id == id - 1) {
    snprintf(reason, reason_size, "%s answered id %llu twice (more lines than records)",
             child->settings->name, (unsigned long long)(id - 1));
    status = -2;
    goto refused;
  }
  if (answered_id != id) {
    snprintf(reason, reason_size,
             "%s answered id %.0f where id %llu was expected (answers come in request order, "
             "one per record)",
             child->settings->name, shown, (unsigned long long)id);
    goto refused;
  }
  child->answer_start += length + 1;
  if (child->answer_start == child->answer_used)
    child->answer_start = child->answer_used = 0;
  *answer = parsed;
  return 1;
refused:
  cJSON_Delete(parsed);
  return status;
}

/* Reads what stdout holds now into child->answer. 1: read something; 0: nothing yet; -1:
 * end of output or error. */
static int read_answers(exec_child *child) {
  if (child->answer_start > 0) { /* consumed lines go, once per read */
    child->answer_used -= child->answer_start;
    memmove(child->answer, child->answer + child->answer_start, child->answer_used);
    child->answer_start = 0;
  }
  if (child->answer_capacity - child->answer_used < 65536) {
    size_t grown = child->answer_capacity * 2 + 65536;
    char *bigger = child->host->realloc(child->answer, grown);
    if (bigger == NULL)
      return -1;
    child->answer = bigger;
    child->answer_capacity = grown;
  }
  ssize_t got = read(child->out_fd, child->answer + child->answer_used,
                     child->answer_capacity - child->answer_used);
  if (got > 0) {
    child->answer_used += (size_t)got;
    return 1;
  }
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return 0;
  return -1;
}

static size_t start_of(const exec_requests *requests, size_t index) {
  return index == 0 ? 0 : requests->ends[index - 1];
}

/* Writes printed request bytes, as many as one send() takes, while the in-flight bound allows
 * (request `next`, the oldest unanswered, may always go whole, however large). *sent is the
 * offset in requests->text written so far. Returns 1 when the socket is full (poll for
 * POLLOUT), else 0. */
static int send_requests(exec_child *child, const exec_requests *requests, size_t next,
                         size_t *sent, int *stdin_open) {
  if (next >= requests->printed)
    return 0;
  size_t limit = start_of(requests, next) + child->settings->in_flight_bytes;
  if (limit < requests->ends[next])
    limit = requests->ends[next];
  if (limit > requests->ends[requests->printed - 1])
    limit = requests->ends[requests->printed - 1];
  while (*stdin_open && *sent < limit) {
    ssize_t written =
        send(child->in_fd, requests->text + *sent, limit - *sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (written < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return 1;
      if (errno != EINTR)
        *stdin_open = 0; /* the child went away; its stdout tells how */
      continue;
    }
    *sent += (size_t)written;
  }
  return 0;
}

int exec_child_exchange(exec_child *child, exec_requests *requests, size_t *next, cJSON **answers,
                        char *reason, size_t reason_size) {
  const exec_settings *settings = child->settings;
  size_t first = *next;
  reason[0] = '\0';
  if (child->pid == 0 && start(child, reason, reason_size) != 0)
    return fail(child, 0, reason, reason_size);
  double deadline = now_seconds() + settings->timeout_ms / 1000.0;
  size_t sent = start_of(requests, *next);
  if (requests->sent > sent) /* written ahead to this child */
    sent = requests->sent;
  requests->sent = 0;
  int stdin_open = 1;
  for (;;) {
    if (requests->printed <= *next && requests->more(requests->context, reason, reason_size) != 0)
      goto failed;
    int socket_full = send_requests(child, requests, *next, &sent, &stdin_open);
    int got;
    size_t answered_before = *next;
    while (*next < requests->count &&
           (got = take_answer(child, requests->ids[*next], &answers[*next], reason, reason_size)) !=
               0) {
      if (got == -2 && *next > first) /* the surplus line blames the record it repeats */
        cJSON_Delete(answers[--*next]);
      if (got < 0)
        goto failed;
      ++*next;
    }
    if (*next == requests->count)
      break;
    /* Answers free room under the in-flight bound: send more before waiting. */
    if (*next > answered_before && sent < requests->ends[requests->printed - 1])
      continue;
    /* While the child works on what it has, print the next requests (unless the socket is
     * full and the bound reached: then the answers come first). */
    if (requests->printed < requests->count && !socket_full) {
      if (requests->more(requests->context, reason, reason_size) != 0)
        goto failed;
      continue;
    }
    if (child->answer_used - child->answer_start > EXEC_ANSWER_MAX) {
      snprintf(reason, reason_size, "%s answered a line of over %u MB", settings->name,
               EXEC_ANSWER_MAX >> 20);
      goto failed;
    }
    struct pollfd watched[3] = {{.fd = child->out_fd, .events = POLLIN},
                                {.fd = child->err_fd, .events = POLLIN},
                                {.fd = socket_full ? child->in_fd : -1, .events = POLLOUT}};
    double left = deadline - now_seconds();
    if (left <= 0) {
      snprintf(reason, reason_size, "%s did not answer within %d ms (%zu of %zu answers)",
               settings->name, settings->timeout_ms, *next - first, requests->count - first);
      goto failed;
    }
    if (poll(watched, 3, (int)(left * 1000) + 1) < 0 && errno != EINTR) {
      snprintf(reason, reason_size, "poll: %s", strerror(errno));
      goto failed;
    }
    if (watched[1].revents != 0)
      stderr_drain(child);
    if (watched[2].revents & (POLLERR | POLLHUP))
      stdin_open = 0;
    if (watched[0].revents != 0 && read_answers(child) < 0) {
      int killed;
      stderr_drain(child);
      int status = reap(child, 0.5, &killed);
      describe_status(status, killed, settings->name, reason, reason_size);
      size_t used = strlen(reason);
      snprintf(reason + used, reason_size - used, " after %zu of %zu answers", *next - first,
               requests->count - first);
      goto failed;
    }
  }
  /* Anything more already received is an answer nobody asked for. */
  if (child->answer_used > child->answer_start) {
    snprintf(reason, reason_size, "%s answered more lines than it was sent records",
             settings->name);
    cJSON_Delete(answers[--*next]); /* blamed on the last record */
    goto failed;
  }
  child->failures_in_a_row = 0;
  return 0;
failed:
  return fail(child, *next > first, reason, reason_size);
}

void exec_child_send_ahead(exec_child *child, exec_requests *requests) {
  char reason[256];
  requests->sent = 0;
  if (child->pid == 0 &&
      (now_seconds() < child->restart_after || start(child, reason, sizeof reason) != 0))
    return; /* the exchange starts it (after the backoff) or reports why it cannot */
  size_t sent = 0;
  int stdin_open = 1;
  while (stdin_open) {
    if (requests->printed < requests->count &&
        (requests->printed == 0 ||
         sent == requests->ends[requests->printed - 1]) && /* all printed ones went out */
        requests->more(requests->context, reason, sizeof reason) != 0)
      break;
    size_t before = sent;
    if (send_requests(child, requests, 0, &sent, &stdin_open) != 0 || sent == before)
      break; /* the socket is full, or the in-flight bound reached */
  }
  requests->sent = sent;
}

void exec_child_stop(exec_child *child) {
  if (child->pid > 0) {
    close_fd(&child->in_fd); /* end of input: a well-behaved child exits now */
    int killed;
    reap(child, child->settings->timeout_ms / 1000.0, &killed);
  }
  close_fd(&child->in_fd);
  close_fd(&child->out_fd);
  stderr_drain(child);
  close_fd(&child->err_fd);
  if (child->unlogged_lines > 0)
    child->host->log(child->stage, TP_LOG_WARN, "%s: %llu more stderr lines were not shown",
                     child->settings->name, child->unlogged_lines);
  child->unlogged_lines = 0;
  child->host->free(child->answer);
  child->answer = NULL;
  child->answer_used = child->answer_capacity = 0;
}
