/*
 * git-runner: runs git, and the Refinery's gates, for the town, so the town's large Node process
 * never forks.
 *
 * Forking a process copies its page tables: from a town of ~200 MB, each git run cost the town
 * ~2.5 ms of CPU in spawn alone, ~17 runs per bead (docs/performance.md, "Tenth pass"). This small
 * process starts git with posix_spawn (vfork-like) instead, many at once, and hands back what
 * each printed. The protocol and the Node side are in main/git/git-runner.ts; see native/README.md.
 *
 * Protocol, on stdin / stdout, every integer 32-bit little-endian:
 *   request:  length (of what follows), id, timeout ms (0: none), run flags, output cap (bytes;
 *             0: 64 MiB), argc, envc, then 1 + argc + envc NUL-terminated strings: the working
 *             folder ("": this process's), argv (argv[0] looked up on the run's PATH), then
 *             environment changes against this process's own: "NAME=value" sets, "NAME" unsets.
 *             Run flags: 1 its own process group (setpgroup 0): at its timeout the whole group is
 *             killed (SIGKILL), and when the child exits what is left of its group is killed;
 *             2 keep each output's last `cap` bytes (older ones dropped) instead of killing the
 *             child when an output goes over `cap`; 4 stderr into the stdout pipe (one output,
 *             in write order); 8 say when it started (a notice, below).
 *   response: length (of what follows), id, exit code (-1 when none), signal (0 when none),
 *             spawn errno (0 when the child started), flags (1: killed at its timeout, 2: output
 *             over the cap, killed, 4: a started notice, 8: output over the cap, its tail kept),
 *             stdout length, stderr length, stdout bytes, stderr bytes.
 *             A started notice (run flag 8, once posix_spawn succeeded; never for a child that
 *             did not start) has flags 4, the child's pid (= its group with run flag 1) in the exit
 *             code field and no output; the run's answer follows later.
 *
 * Invariants:
 * - One response per request (and at most one started notice before it), once the child has
 *   been reaped and what it wrote is read.
 * - Children get stdin from /dev/null, default signal handling and an empty signal mask.
 * - stdin's end (the town gone) stops new requests; the runner exits once its children are done,
 *   never killing a git in the middle of its work.
 * - A malformed request is a protocol error: the runner says so on stderr and exits 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_REQUEST (16u << 20)
#define MAX_OUTPUT ((size_t)64 << 20)
#define READ_CHUNK 65536

/* Run flags (requests). */
#define RUN_GROUP 1u
#define RUN_TAIL 2u
#define RUN_MERGED 4u
#define RUN_NOTIFY 8u
/* Response flags. */
#define ANS_TIMED_OUT 1u
#define ANS_OVER_LIMIT 2u
#define ANS_STARTED 4u
#define ANS_TRUNCATED 8u

typedef struct {
  unsigned char *data;
  size_t len, cap;
} bytes_t;

typedef struct child {
  uint32_t id;
  pid_t pid;
  int out_fd, err_fd; /* -1 once closed */
  bytes_t out, err;
  int reaped, status;
  int64_t deadline; /* ms on the monotonic clock; 0: none */
  uint32_t run_flags; /* RUN_* */
  size_t cap;         /* output cap, bytes */
  uint32_t flags;     /* ANS_* */
  struct child *next;
} child_t;

static child_t *children;
static int wake_pipe[2];
static bytes_t input;
static int input_open = 1;

static void fail(const char *what) {
  fprintf(stderr, "git-runner: %s: %s\n", what, strerror(errno));
  exit(2);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void append(bytes_t *b, const void *data, size_t len) {
  if (b->len + len > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + len) cap *= 2;
    unsigned char *grown = realloc(b->data, cap);
    if (!grown) fail("out of memory");
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
}

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(unsigned char *p, uint32_t v) {
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

static void write_all(const void *data, size_t len) {
  const unsigned char *p = data;
  while (len) {
    ssize_t n = write(STDOUT_FILENO, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) exit(errno == EPIPE ? 0 : 2); /* the town is gone: nobody to answer */
    p += n;
    len -= (size_t)n;
  }
}

static void on_child_exit(int sig) {
  (void)sig;
  int saved = errno;
  ssize_t ignored = write(wake_pipe[1], "x", 1);
  (void)ignored;
  errno = saved;
}

/* ---- answering ---- */

/* Sends at most the last `cap` bytes of each output (all of it when cap is 0). */
static void respond(uint32_t id, int code, int sig, int spawn_errno, uint32_t flags, const bytes_t *out, const bytes_t *err, size_t cap) {
  unsigned char head[32];
  size_t out_len = out ? out->len : 0, err_len = err ? err->len : 0;
  size_t out_skip = 0, err_skip = 0;
  if (cap && out_len > cap) { out_skip = out_len - cap; out_len = cap; }
  if (cap && err_len > cap) { err_skip = err_len - cap; err_len = cap; }
  put32(head, (uint32_t)(28 + out_len + err_len));
  put32(head + 4, id);
  put32(head + 8, (uint32_t)code);
  put32(head + 12, (uint32_t)sig);
  put32(head + 16, (uint32_t)spawn_errno);
  put32(head + 20, flags);
  put32(head + 24, (uint32_t)out_len);
  put32(head + 28, (uint32_t)err_len);
  write_all(head, sizeof head);
  if (out_len) write_all(out->data + out_skip, out_len);
  if (err_len) write_all(err->data + err_skip, err_len);
}

/* ---- starting a child ---- */

/* This process's environment with `overrides` applied: "NAME=value" replaces or adds NAME, a bare
 * "NAME" removes it. */
static char **environment_with(char **overrides, uint32_t count) {
  size_t base = 0;
  while (environ[base]) base++;
  char **env = calloc(base + count + 1, sizeof *env);
  if (!env) fail("out of memory");
  size_t n = 0;
  for (size_t i = 0; i < base; i++) {
    const char *eq = strchr(environ[i], '=');
    size_t name_len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
    int overridden = 0;
    for (uint32_t j = 0; j < count && !overridden; j++)
      overridden = strncmp(overrides[j], environ[i], name_len) == 0 && (overrides[j][name_len] == '=' || overrides[j][name_len] == 0);
    if (!overridden) env[n++] = environ[i];
  }
  for (uint32_t j = 0; j < count; j++)
    if (strchr(overrides[j], '=')) env[n++] = overrides[j];
  env[n] = NULL;
  return env;
}

/* The program to run: `name` itself when it holds a '/', else the first executable file of that
 * name on the PATH of the environment it will run with (as execFile looks it up), or NULL. */
static char *find_program(const char *name, char **env) {
  if (strchr(name, '/')) return strdup(name);
  const char *path = "/usr/local/bin:/usr/bin:/bin";
  for (char **e = env; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  size_t name_len = strlen(name);
  for (const char *dir = path; ; ) {
    const char *end = strchr(dir, ':');
    size_t dir_len = end ? (size_t)(end - dir) : strlen(dir);
    char *candidate = malloc(dir_len + name_len + 3);
    if (!candidate) fail("out of memory");
    if (dir_len) memcpy(candidate, dir, dir_len);
    else candidate[dir_len++] = '.';
    candidate[dir_len] = '/';
    memcpy(candidate + dir_len + 1, name, name_len + 1);
    struct stat st;
    if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0) return candidate;
    free(candidate);
    if (!end) return NULL;
    dir = end + 1;
  }
}

static void start(uint32_t id, uint32_t timeout_ms, uint32_t run_flags, uint32_t cap, const char *cwd, char **argv, char **overrides, uint32_t envc) {
  int out[2], err[2] = { -1, -1 };
  int merged = (run_flags & RUN_MERGED) != 0;
  if (pipe2(out, O_CLOEXEC) < 0 || (!merged && pipe2(err, O_CLOEXEC) < 0)) fail("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  if (*cwd) posix_spawn_file_actions_addchdir_np(&actions, cwd);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, merged ? out[1] : err[1], STDERR_FILENO);
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGCHLD);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  short spawn_flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (run_flags & RUN_GROUP) {
    posix_spawnattr_setpgroup(&attr, 0);
    spawn_flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr, spawn_flags);
  char **env = environment_with(overrides, envc);
  char *program = find_program(argv[0], env);
  pid_t pid;
  int rc = program ? posix_spawn(&pid, program, &actions, &attr, argv, env) : ENOENT;
  free(program);
  free(env);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  if (!merged) close(err[1]);
  if (rc != 0) {
    close(out[0]);
    if (!merged) close(err[0]);
    respond(id, -1, 0, rc, 0, NULL, NULL, 0);
    return;
  }
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  if (!merged) fcntl(err[0], F_SETFL, O_NONBLOCK);
  child_t *c = calloc(1, sizeof *c);
  if (!c) fail("out of memory");
  c->id = id;
  c->pid = pid;
  c->out_fd = out[0];
  c->err_fd = merged ? -1 : err[0];
  c->deadline = timeout_ms ? now_ms() + timeout_ms : 0;
  c->run_flags = run_flags;
  c->cap = cap ? cap : MAX_OUTPUT;
  c->next = children;
  children = c;
  if (run_flags & RUN_NOTIFY) respond(id, (int)pid, 0, 0, ANS_STARTED, NULL, NULL, 0);
}

/* Kills the child: its whole group (SIGKILL) when it has its own, else the child itself (SIGTERM). */
static void kill_child(const child_t *c) {
  if (c->run_flags & RUN_GROUP) kill(-c->pid, SIGKILL);
  else if (!c->reaped) kill(c->pid, SIGTERM);
}

/* ---- reading requests ---- */

/* Starts every complete request in the input; keeps a partial one for the next read. */
static void take_requests(void) {
  size_t at = 0;
  while (input.len - at >= 4) {
    uint32_t len = get32(input.data + at);
    if (len < 25 || len > MAX_REQUEST) {
      errno = EPROTO;
      fail("bad request length");
    }
    if (input.len - at - 4 < len) break;
    unsigned char *p = input.data + at + 4, *end = p + len;
    uint32_t id = get32(p), timeout_ms = get32(p + 4), run_flags = get32(p + 8), cap = get32(p + 12);
    uint32_t argc = get32(p + 16), envc = get32(p + 20);
    if (argc == 0 || argc > len || envc > len) {
      errno = EPROTO;
      fail("bad request counts");
    }
    char **strings = calloc((size_t)argc + envc + 2, sizeof *strings);
    if (!strings) fail("out of memory");
    char *s = (char *)p + 24;
    for (uint32_t i = 0; i < 1 + argc + envc; i++) {
      char *nul = memchr(s, 0, (size_t)((char *)end - s));
      if (!nul) {
        errno = EPROTO;
        fail("unterminated string in request");
      }
      strings[i] = s;
      s = nul + 1;
    }
    /* strings: the folder, argv, the env entries. argv must end in NULL: the env entries follow
     * it, so copy the env pointers out first. */
    char **argv = strings + 1;
    char **overrides = calloc((size_t)envc + 1, sizeof *overrides);
    if (!overrides) fail("out of memory");
    memcpy(overrides, argv + argc, envc * sizeof *overrides);
    argv[argc] = NULL;
    start(id, timeout_ms, run_flags, cap, strings[0], argv, overrides, envc);
    free(overrides);
    free(strings);
    at += 4 + len;
  }
  memmove(input.data, input.data + at, input.len - at);
  input.len -= at;
}

static void read_requests(void) {
  unsigned char chunk[READ_CHUNK];
  ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    input_open = 0;
    return;
  }
  append(&input, chunk, (size_t)n);
  take_requests();
}

/* ---- children's output and exits ---- */

static void drain(child_t *c, int *fd, bytes_t *b) {
  unsigned char chunk[READ_CHUNK];
  for (;;) {
    ssize_t n = read(*fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      close(*fd);
      *fd = -1;
      return;
    }
    if (c->run_flags & RUN_TAIL) {
      /* Only the last `cap` bytes are answered: keep at most twice that (moved down when over). */
      append(b, chunk, (size_t)n);
      if (b->len > 2 * c->cap) {
        memmove(b->data, b->data + b->len - c->cap, c->cap);
        b->len = c->cap;
        c->flags |= ANS_TRUNCATED;
      }
      continue;
    }
    if (b->len + (size_t)n > c->cap) {
      if (!(c->flags & ANS_OVER_LIMIT)) kill_child(c);
      c->flags |= ANS_OVER_LIMIT;
      continue; /* keep reading so the child is not stuck on a full pipe; what is over is dropped */
    }
    append(b, chunk, (size_t)n);
  }
}

static void reap(void) {
  char sink[64];
  while (read(wake_pipe[0], sink, sizeof sink) > 0) {}
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (child_t *c = children; c; c = c->next)
      if (c->pid == pid) {
        c->reaped = 1;
        c->status = status;
      }
  }
}

/* Answers and frees every child that has exited. Its output is all in the pipes by then: what is
 * still readable is read; a pipe still held open by a grandchild is not waited for. A child with
 * its own group has what is left of the group killed first (a leader reaped keeps its group id
 * from being reused while a member lives). */
static void finish_exited(void) {
  for (child_t **link = &children; *link;) {
    child_t *c = *link;
    if (!c->reaped) {
      link = &c->next;
      continue;
    }
    if (c->run_flags & RUN_GROUP) kill(-c->pid, SIGKILL);
    if (c->out_fd >= 0) drain(c, &c->out_fd, &c->out);
    if (c->err_fd >= 0) drain(c, &c->err_fd, &c->err);
    if (c->out_fd >= 0) close(c->out_fd);
    if (c->err_fd >= 0) close(c->err_fd);
    int code = WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1;
    int sig = WIFSIGNALED(c->status) ? WTERMSIG(c->status) : 0;
    uint32_t flags = c->flags;
    if ((c->run_flags & RUN_TAIL) && (c->out.len > c->cap || c->err.len > c->cap)) flags |= ANS_TRUNCATED;
    respond(c->id, code, sig, 0, flags, &c->out, &c->err, (c->run_flags & RUN_TAIL) ? c->cap : 0);
    *link = c->next;
    free(c->out.data);
    free(c->err.data);
    free(c);
  }
}

static int kill_overdue(void) {
  int64_t now = now_ms(), next = -1;
  for (child_t *c = children; c; c = c->next) {
    if (!c->deadline || c->reaped) continue;
    if (c->deadline <= now) {
      kill_child(c);
      c->flags |= ANS_TIMED_OUT;
      c->deadline = 0;
      continue;
    }
    if (next < 0 || c->deadline - now < next) next = c->deadline - now;
  }
  return next < 0 ? -1 : (int)next;
}

int main(void) {
  if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0) fail("pipe");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_child_exit;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  for (;;) {
    if (!input_open && !children) return 0;
    size_t count = 0;
    for (child_t *c = children; c; c = c->next) count += (c->out_fd >= 0) + (c->err_fd >= 0);
    struct pollfd *fds = calloc(count + 2, sizeof *fds);
    child_t **owner = calloc(count + 2, sizeof *owner);
    if (!fds || !owner) fail("out of memory");
    size_t n = 0;
    fds[n++] = (struct pollfd){ .fd = wake_pipe[0], .events = POLLIN };
    if (input_open) fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
    size_t first_child = n;
    for (child_t *c = children; c; c = c->next) {
      if (c->out_fd >= 0) { owner[n] = c; fds[n++] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN }; }
      if (c->err_fd >= 0) { owner[n] = c; fds[n++] = (struct pollfd){ .fd = c->err_fd, .events = POLLIN }; }
    }
    int ready = poll(fds, n, kill_overdue());
    if (ready < 0 && errno != EINTR) fail("poll");
    if (ready > 0) {
      for (size_t i = first_child; i < n; i++) {
        if (!fds[i].revents) continue;
        child_t *c = owner[i];
        if (fds[i].fd == c->out_fd) drain(c, &c->out_fd, &c->out);
        else if (fds[i].fd == c->err_fd) drain(c, &c->err_fd, &c->err);
      }
      if (input_open && first_child == 2 && fds[1].revents) read_requests();
    }
    free(fds);
    free(owner);
    reap();
    finish_exited();
  }
}
