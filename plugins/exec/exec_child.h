/* plugins/exec/exec_child.h - one co-process speaking NDJSON: start, exchange a batch, stop.
 *
 * The child gets one request line per record on stdin and must answer one line per record on
 * stdout, in order, each carrying the request's "id". Its stderr is drained whenever the
 * plugin waits on it: lines go to textpipe's log (each cut at EXEC_LOG_LINE_BYTES, at most
 * `stderr_lines` per child, the rest counted), and the last EXEC_TAIL_BYTES are kept for
 * failure messages. A child that fails (exits, times out, answers garbage) is killed and
 * reaped; the next exchange starts a new one, after a backoff that doubles with each failure
 * in a row (up to 64x) and resets when a batch succeeds.
 *
 * No libuv: posix_spawnp, a socket pair for stdin (send with MSG_NOSIGNAL: a dead child never
 * raises SIGPIPE in textpipe), pipes for stdout and stderr, poll() with the batch deadline.
 * One exec_child belongs to one worker; nothing here is shared between threads.
 */
#ifndef TP_EXEC_CHILD_H
#define TP_EXEC_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <textpipe/plugin.h>

#define EXEC_TAIL_BYTES     400
#define EXEC_LOG_LINE_BYTES 300
/* The longest answer line accepted; a longer one is garbage. */
#define EXEC_ANSWER_MAX (64u << 20)

typedef struct exec_settings {
  char *const *argv;      /* NULL-terminated; argv[0] is looked up on PATH */
  const char *name;       /* for messages: the program's file name */
  int timeout_ms;         /* per exchange */
  size_t in_flight_bytes; /* request bytes written but not yet answered, at most */
  int backoff_ms;         /* first restart delay */
  unsigned stderr_lines;  /* logged per child */
} exec_settings;

typedef struct exec_child {
  const exec_settings *settings;
  const tp_host *host;
  const tp_stage *stage;
  pid_t pid; /* 0: not running */
  int in_fd, out_fd, err_fd;
  char *answer; /* stdout bytes received; [answer_start, answer_used) not yet consumed */
  size_t answer_start, answer_used, answer_capacity;
  char log_line[EXEC_LOG_LINE_BYTES + 1];
  size_t log_line_used;
  int log_line_cut;
  char tail[EXEC_TAIL_BYTES]; /* ring of the last stderr bytes */
  size_t tail_next, tail_used;
  unsigned logged_lines;
  unsigned long long unlogged_lines;
  unsigned failures_in_a_row; /* exchanges that failed with no answer at all, in a row */
  double restart_after;       /* monotonic seconds */
  uint64_t next_id;
} exec_child;

/* A zeroed child bound to its settings (no process yet). */
void exec_child_init(exec_child *child, const exec_settings *settings, const tp_host *host,
                     const tp_stage *stage);

/* The requests of one exchange. They are printed as the exchange goes (more()), so that
 * textpipe prints the next ones while the child works on the first: request i is the line
 * text[start .. ends[i]) (start: ends[i - 1], or 0), newline included, with "id" ids[i]
 * (counting up by one); requests [0, printed) are printed. */
typedef struct exec_requests {
  size_t count;
  const uint64_t *ids;
  const char *text; /* may move when more() prints */
  const size_t *ends;
  size_t printed;
  size_t sent; /* bytes of text already written to the running child (exec_child_send_ahead) */
  /* Prints at least one more request (printed < count). 0, or -1 with the reason. */
  int (*more)(void *context, char *reason, size_t reason_size);
  void *context;
} exec_requests;

/* Sends requests [*next, count) (those past requests->sent, which send_ahead wrote to this
 * child), printing them as it goes, and reads the answers in order,
 * starting the child first when none runs. answers[i] receives each parsed answer object (the
 * caller frees them; NULL for an answer that is only {"id": N}); *next moves past each
 * answered request. Returns 0 when all came back; otherwise -1 with the child stopped, its
 * restart scheduled, and the reason ("...; stderr: <tail>") for record *next, the one to
 * blame: the first unanswered one, or the one whose answer came twice (its first answer is
 * then not among the answers). Records after it were not answered. */
int exec_child_exchange(exec_child *child, exec_requests *requests, size_t *next, cJSON **answers,
                        char *reason, size_t reason_size);

/* Before an exchange, without waiting: starts the child when none runs (unless a restart
 * backoff is still pending), then prints and sends requests from the first while the child's
 * stdin takes them at once and the in-flight bound allows, so the child works while the
 * caller does something else. Nothing here fails: a problem (the child cannot start or went
 * away) shows in the exchange that follows, which sends the rest. */
void exec_child_send_ahead(exec_child *child, exec_requests *requests);

/* Closes the child's stdin, waits for it to exit (killing it after the timeout), logs the
 * stderr it still writes, and frees the buffers. The child may be exchanged with again. */
void exec_child_stop(exec_child *child);

#endif /* TP_EXEC_CHILD_H */
