/*
 * gt's native client: the fast path of every `gt` call (see native/README.md).
 *
 *   gt-client NODE_ENTRY [gt arguments...]        (bin/gt runs it; NODE_ENTRY is bin/gt.mjs)
 *
 * It finds the town the call names (--town, else $GT_TOWN, else ~/gt), connects to the town's
 * socket, says hello with the same token and actor the Node CLI would use, and sends one `cliRun`
 * request: the arguments, the working folder, $GT_TOWN, $HOME and $GT_AGENT, and the terminal. The
 * town runs the command with the Node CLI's own definitions, as the caller, and answers with what
 * it printed and its exit code; this writes that and exits with the code. A command that reads
 * stdin (a runtime hook's payload) is answered first with "send stdin": the client reads it (at
 * most 4 MiB) and asks again, once, on the same connection.
 *
 * Invariants:
 * - The town is the one implementation of every command: this never interprets a command.
 * - Whenever the town cannot answer for the call (no town, no socket, a refused hello, an older
 *   town, a command the town says must run in the caller's process, anything this cannot read),
 *   it execs the Node CLI with the same arguments, so the call behaves exactly as without it.
 *   Once the town may have read the request it never falls back (the command may have run): a
 *   hello not answered in time, or a connection lost before the answer, is the Node CLI's own error
 *   for it (exit 3).
 * - Plain libc, no dependencies. JSON is written with full string escaping (only valid UTF-8 is
 *   sent; anything else falls back) and read with a small complete parser.
 * - GT_NATIVE_TRACE=1 says on stderr which path a call took (for tests; off by default).
 */
#define _POSIX_C_SOURCE 200809L
#ifdef __APPLE__
#define _DARWIN_C_SOURCE /* TIOCGWINSZ */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* As the Node CLI (command.ts MAX_STDIN): the most of stdin a command reads. */
#define MAX_STDIN (4 << 20)
/* Node's townPaths() moves a socket whose path is longer than this to the temp folder under a hash
 * of the town's path; this client leaves such towns to the Node CLI. */
#define MAX_SOCKET_PATH 100
/* As the Node CLI: a town that does not answer the hello within this is not up. */
#define HELLO_TIMEOUT_MS 1500

static const char *node_entry;
static int arg_count;
static char **args;
static int trace;

/* ── growable byte buffer ─────────────────────────────────────────────────────────────────────── */

typedef struct {
  char *data;
  size_t len, cap;
} Buf;

static void buf_reserve(Buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1) cap *= 2;
  char *d = realloc(b->data, cap);
  if (!d) {
    fputs("gt: out of memory\n", stderr);
    exit(1);
  }
  b->data = d;
  b->cap = cap;
}

static void buf_add(Buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* ── falling back to the Node CLI ─────────────────────────────────────────────────────────────── */

static void fallback(const char *why, ...) {
  if (trace) {
    va_list ap;
    va_start(ap, why);
    fputs("gt-native: node: ", stderr);
    vfprintf(stderr, why, ap);
    fputc('\n', stderr);
    va_end(ap);
  }
  char **nargv = calloc((size_t)arg_count + 3, sizeof(char *));
  if (!nargv) exit(1);
  const char *gt_node = getenv("GT_NODE");
  /* GT_NODE is the runtime the town runs on (the Electron binary in the app), as in bin/gt. */
  int electron = gt_node && *gt_node;
  nargv[0] = (char *)(electron ? gt_node : "node");
  nargv[1] = (char *)node_entry;
  signal(SIGPIPE, SIG_DFL); /* as inherited: ignoring it here must not leak into Node */
  for (int i = 0; i < arg_count; i++) nargv[i + 2] = args[i];
  if (electron) {
    setenv("ELECTRON_RUN_AS_NODE", "1", 1);
    execv(gt_node, nargv);
  } else {
    execvp("node", nargv);
  }
  fprintf(stderr, "gt: cannot run %s: %s\n", nargv[0], strerror(errno));
  exit(127);
}

/* ── JSON out ─────────────────────────────────────────────────────────────────────────────────── */

/* The length of the well-formed UTF-8 sequence at p (at most `left` bytes), or 0. */
static size_t utf8_length(const unsigned char *p, size_t left) {
  unsigned c = p[0], min;
  size_t n;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) n = 2, min = 0x80, c &= 0x1f;
  else if ((c & 0xf0) == 0xe0) n = 3, min = 0x800, c &= 0x0f;
  else if ((c & 0xf8) == 0xf0) n = 4, min = 0x10000, c &= 0x07;
  else return 0;
  if (n > left) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    c = (c << 6) | (p[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
  return n;
}

/* A JSON string of `len` bytes. Bytes that are not UTF-8: with `replace`, each becomes U+FFFD (as
 * Node decodes stdin); without, the call goes to Node (arguments and paths must arrive as Node
 * would read them). */
static void json_bytes(Buf *b, const char *s, size_t len, int replace) {
  buf_add(b, "\"", 1);
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  while (p < end) {
    char esc[8];
    size_t n = utf8_length(p, (size_t)(end - p));
    if (n == 0) {
      if (!replace) fallback("an argument or path is not UTF-8");
      buf_add(b, "\xef\xbf\xbd", 3);
      p++;
      continue;
    }
    if (n > 1) {
      buf_add(b, (const char *)p, n);
      p += n;
      continue;
    }
    switch (*p) {
      case '"': buf_add(b, "\\\"", 2); break;
      case '\\': buf_add(b, "\\\\", 2); break;
      case '\n': buf_add(b, "\\n", 2); break;
      case '\r': buf_add(b, "\\r", 2); break;
      case '\t': buf_add(b, "\\t", 2); break;
      default:
        if (*p < 0x20) {
          snprintf(esc, sizeof esc, "\\u%04x", *p);
          buf_str(b, esc);
        } else {
          buf_add(b, (const char *)p, 1);
        }
    }
    p++;
  }
  buf_add(b, "\"", 1);
}

static void json_string(Buf *b, const char *s) { json_bytes(b, s, strlen(s), 0); }

/* ── JSON in: a small complete parser into a tree ─────────────────────────────────────────────── */

enum { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

typedef struct Json Json;
struct Json {
  int type;
  double number;
  char *string; /* J_STRING: decoded (may hold NULs: length in `length`); J_OBJECT member: its key */
  size_t length;
  Json *child, *next; /* arrays and objects: first element; siblings */
};

typedef struct {
  const char *p, *end;
  int failed;
} Parser;

static void skip_space(Parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static Json *json_new(int type) {
  Json *j = calloc(1, sizeof(Json));
  if (!j) exit(1);
  j->type = type;
  return j;
}

static int hex4(Parser *ps, unsigned *out) {
  if (ps->end - ps->p < 4) return 0;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = *ps->p++;
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

static void utf8_put(Buf *b, unsigned c) {
  char u[4];
  if (c < 0x80) {
    u[0] = (char)c;
    buf_add(b, u, 1);
  } else if (c < 0x800) {
    u[0] = (char)(0xc0 | (c >> 6)), u[1] = (char)(0x80 | (c & 0x3f));
    buf_add(b, u, 2);
  } else if (c < 0x10000) {
    u[0] = (char)(0xe0 | (c >> 12)), u[1] = (char)(0x80 | ((c >> 6) & 0x3f)), u[2] = (char)(0x80 | (c & 0x3f));
    buf_add(b, u, 3);
  } else {
    u[0] = (char)(0xf0 | (c >> 18)), u[1] = (char)(0x80 | ((c >> 12) & 0x3f)), u[2] = (char)(0x80 | ((c >> 6) & 0x3f)), u[3] = (char)(0x80 | (c & 0x3f));
    buf_add(b, u, 4);
  }
}

/* A string after its opening quote, decoded to UTF-8 (a lone surrogate becomes U+FFFD, as Node
 * writes it to a stream). */
static int parse_string(Parser *ps, Buf *out) {
  while (ps->p < ps->end) {
    unsigned char c = (unsigned char)*ps->p++;
    if (c == '"') return 1;
    if (c < 0x20) return 0;
    if (c != '\\') {
      buf_add(out, (const char *)&c, 1);
      continue;
    }
    if (ps->p >= ps->end) return 0;
    char e = *ps->p++;
    unsigned u;
    switch (e) {
      case '"': buf_add(out, "\"", 1); break;
      case '\\': buf_add(out, "\\", 1); break;
      case '/': buf_add(out, "/", 1); break;
      case 'b': buf_add(out, "\b", 1); break;
      case 'f': buf_add(out, "\f", 1); break;
      case 'n': buf_add(out, "\n", 1); break;
      case 'r': buf_add(out, "\r", 1); break;
      case 't': buf_add(out, "\t", 1); break;
      case 'u':
        if (!hex4(ps, &u)) return 0;
        if (u >= 0xd800 && u <= 0xdbff && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
          Parser look = *ps;
          unsigned low;
          look.p += 2;
          if (hex4(&look, &low) && low >= 0xdc00 && low <= 0xdfff) {
            *ps = look;
            u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
          }
        }
        if (u >= 0xd800 && u <= 0xdfff) u = 0xfffd;
        utf8_put(out, u);
        break;
      default: return 0;
    }
  }
  return 0;
}

static Json *parse_value(Parser *ps, int depth);

static Json *parse_fail(Parser *ps) {
  ps->failed = 1;
  return NULL;
}

static Json *parse_value(Parser *ps, int depth) {
  if (depth > 64) return parse_fail(ps);
  skip_space(ps);
  if (ps->p >= ps->end) return parse_fail(ps);
  char c = *ps->p;
  if (c == '{' || c == '[') {
    int object = c == '{';
    char close = object ? '}' : ']';
    Json *j = json_new(object ? J_OBJECT : J_ARRAY), **tail = &j->child;
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      return j;
    }
    for (;;) {
      char *key = NULL;
      if (object) {
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != '"') return parse_fail(ps);
        ps->p++;
        Buf k = {0};
        buf_reserve(&k, 0);
        if (!parse_string(ps, &k)) return parse_fail(ps);
        key = k.data;
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != ':') return parse_fail(ps);
        ps->p++;
      }
      Json *v = parse_value(ps, depth + 1);
      if (!v) return parse_fail(ps);
      /* An object member keeps its key in a wrapper: key in `string`, value as its child. */
      if (object) {
        Json *member = json_new(J_NULL);
        member->string = key;
        member->child = v;
        v = member;
      }
      *tail = v;
      tail = &v->next;
      skip_space(ps);
      if (ps->p >= ps->end) return parse_fail(ps);
      if (*ps->p == ',') {
        ps->p++;
        continue;
      }
      if (*ps->p == close) {
        ps->p++;
        return j;
      }
      return parse_fail(ps);
    }
  }
  if (c == '"') {
    ps->p++;
    Buf s = {0};
    buf_reserve(&s, 0);
    if (!parse_string(ps, &s)) return parse_fail(ps);
    Json *j = json_new(J_STRING);
    j->string = s.data;
    j->length = s.len;
    return j;
  }
  static const struct { const char *word; int type; } words[] = {{"null", J_NULL}, {"true", J_TRUE}, {"false", J_FALSE}};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
    size_t n = strlen(words[i].word);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, words[i].word, n) == 0) {
      ps->p += n;
      return json_new(words[i].type);
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    char tmp[64];
    size_t n = 0;
    while (ps->p + n < ps->end && n < sizeof tmp - 1 && strchr("+-.eE0123456789", ps->p[n])) n++;
    memcpy(tmp, ps->p, n);
    tmp[n] = 0;
    char *stop;
    double d = strtod(tmp, &stop);
    if (stop != tmp + n) return parse_fail(ps);
    ps->p += n;
    Json *j = json_new(J_NUMBER);
    j->number = d;
    return j;
  }
  return parse_fail(ps);
}

static Json *json_parse(const char *text, size_t len) {
  Parser ps = {text, text + len, 0};
  Json *j = parse_value(&ps, 0);
  skip_space(&ps);
  return ps.failed || !j || ps.p != ps.end ? NULL : j;
}

/* An object's member value by key, or NULL. */
static Json *json_get(const Json *o, const char *key) {
  if (!o || o->type != J_OBJECT) return NULL;
  for (Json *m = o->child; m; m = m->next)
    if (m->string && strcmp(m->string, key) == 0) return m->child;
  return NULL;
}

static const char *json_text(const Json *j) { return j && j->type == J_STRING ? j->string : NULL; }

/* ── finding the town ─────────────────────────────────────────────────────────────────────────── */

/* Normalises an absolute path in place as Node's path.resolve does: no ".", "..", empty segments
 * or trailing slash. */
static void normalize(char *path) {
  char *out = path;
  const char *p = path;
  while (*p) {
    while (*p == '/') p++;
    const char *seg = p;
    while (*p && *p != '/') p++;
    size_t n = (size_t)(p - seg);
    if (n == 0 || (n == 1 && seg[0] == '.')) continue;
    if (n == 2 && seg[0] == '.' && seg[1] == '.') {
      while (out > path && *--out != '/') {}
      continue;
    }
    *out++ = '/';
    memmove(out, seg, n);
    out += n;
  }
  if (out == path) *out++ = '/';
  *out = 0;
}

/* The last --town value before "--" (as parseArgs reads it), or NULL. */
static const char *town_flag(void) {
  const char *flag = NULL;
  for (int i = 0; i < arg_count; i++) {
    if (strcmp(args[i], "--") == 0) break;
    if (strcmp(args[i], "--town") == 0 && i + 1 < arg_count) flag = args[++i];
    else if (strncmp(args[i], "--town=", 7) == 0) flag = args[i] + 7;
  }
  return flag;
}

static char *join_path(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *s = malloc(n);
  if (!s) exit(1);
  snprintf(s, n, "%s/%s", a, b);
  return s;
}

static int is_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return 0;
  return 1;
}

/* ── the socket ───────────────────────────────────────────────────────────────────────────────── */

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int write_all(int fd, const char *data, size_t len) {
  while (len) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

/* The next line from the socket into `line` (without its newline); `pending` keeps what follows.
 * Returns 1, or 0 when the connection ended first, or -1 on timeout (deadline_ms < 0: none). */
static int read_line(int fd, Buf *pending, Buf *line, long deadline_ms) {
  for (;;) {
    char *nl = pending->len ? memchr(pending->data, '\n', pending->len) : NULL;
    if (nl) {
      size_t n = (size_t)(nl - pending->data);
      line->len = 0;
      buf_add(line, pending->data, n);
      memmove(pending->data, nl + 1, pending->len - n - 1);
      pending->len -= n + 1;
      return 1;
    }
    if (deadline_ms >= 0) {
      long left = deadline_ms - now_ms();
      if (left <= 0) return -1;
      struct pollfd pfd = {fd, POLLIN, 0};
      int r = poll(&pfd, 1, (int)left);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) return -1;
    }
    buf_reserve(pending, 65536);
    ssize_t n = read(fd, pending->data + pending->len, 65536);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    pending->len += (size_t)n;
  }
}

static int is_tty(int fd) { return isatty(fd) ? 1 : 0; }

/* One cliRun request line; `input` is the caller's stdin when the town asked for it (else NULL). */
static void append_request(Buf *out, int id, const char *cwd, const char *input, size_t input_len) {
  char head[64];
  snprintf(head, sizeof head, "{\"t\":\"req\",\"id\":%d,\"name\":\"cliRun\",\"args\":{\"argv\":[", id);
  buf_str(out, head);
  for (int i = 0; i < arg_count; i++) {
    if (i) buf_add(out, ",", 1);
    json_string(out, args[i]);
  }
  buf_str(out, "],\"cwd\":");
  json_string(out, cwd);
  buf_str(out, ",\"env\":{");
  static const char *const names[] = {"GT_TOWN", "HOME", "GT_AGENT"};
  int comma = 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *value = getenv(names[i]);
    if (!value) continue;
    if (comma) buf_add(out, ",", 1);
    buf_add(out, "\"", 1);
    buf_str(out, names[i]);
    buf_str(out, "\":");
    json_string(out, value);
    comma = 1;
  }
  struct winsize ws;
  int columns = 0;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) columns = ws.ws_col;
  char terminal[160];
  snprintf(terminal, sizeof terminal, "},\"terminal\":{\"stdin\":%s,\"stdout\":%s,\"stderr\":%s,\"columns\":%d}",
           is_tty(STDIN_FILENO) ? "true" : "false", is_tty(STDOUT_FILENO) ? "true" : "false", is_tty(STDERR_FILENO) ? "true" : "false", columns);
  buf_str(out, terminal);
  if (input) {
    buf_str(out, ",\"stdin\":");
    json_bytes(out, input, input_len, 1);
  }
  buf_str(out, "}}\n");
}

/* All of stdin, up to MAX_STDIN bytes. */
static Buf read_stdin(void) {
  Buf in = {0};
  buf_reserve(&in, 0);
  while (in.len < MAX_STDIN) {
    buf_reserve(&in, 65536);
    size_t want = MAX_STDIN - in.len < 65536 ? MAX_STDIN - in.len : 65536;
    ssize_t n = read(STDIN_FILENO, in.data + in.len, want);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    in.len += (size_t)n;
  }
  in.data[in.len] = 0;
  return in;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: gt-client NODE_ENTRY [gt arguments...] (bin/gt runs it)\n", stderr);
    return 2;
  }
  node_entry = argv[1];
  args = argv + 2;
  arg_count = argc - 2;
  const char *t = getenv("GT_NATIVE_TRACE");
  trace = t && *t && strcmp(t, "0") != 0;

  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) fallback("no working folder");

  /* The town: --town, else GT_TOWN, else ~/gt; relative to the working folder. */
  const char *flag = town_flag();
  const char *env_town = getenv("GT_TOWN");
  const char *home = getenv("HOME");
  const char *named = flag && *flag ? flag : env_town && *env_town ? env_town : NULL;
  char *town = named ? (named[0] == '/' ? strdup(named) : join_path(cwd, named)) : home && *home ? join_path(home, "gt") : NULL;
  if (!town) fallback("no town named and no HOME");
  if (town[0] != '/') {
    char *abs = join_path(cwd, town);
    free(town);
    town = abs;
  }
  normalize(town);
  if (!is_ascii(town)) fallback("the town's path is not ASCII");

  /* An agent's environment names its town's socket (GT_SOCKET, beside GT_TOWN): it is used as long
   * as the call names no other town (the town checks that the call is its own anyway). */
  const char *env_socket = getenv("GT_SOCKET");
  char *socket_path = !(flag && *flag) && env_town && *env_town && env_socket && *env_socket ? strdup(env_socket) : join_path(town, ".runtime/gt.sock");
  if (strlen(socket_path) > MAX_SOCKET_PATH) fallback("the town's socket path is long (it lives in the temp folder)");

  /* Who speaks: as the Node CLI (command.ts actorFromEnv, tokenFromEnv). */
  const char *agent = getenv("GT_AGENT");
  const char *actor = agent && *agent ? agent : "overseer";
  const char *agent_token = getenv("GT_SOCKET_TOKEN");
  char *token = NULL;
  if (agent && *agent && agent_token && *agent_token) {
    token = strdup(agent_token);
  } else {
    char *secrets = join_path(town, "secrets.json");
    int fd = open(secrets, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fallback("no secrets.json");
    Buf text = {0};
    for (;;) {
      buf_reserve(&text, 4096);
      ssize_t n = read(fd, text.data + text.len, 4096);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.len += (size_t)n;
      if (text.len > (1 << 20)) break;
    }
    close(fd);
    Json *s = text.data ? json_parse(text.data, text.len) : NULL;
    const char *api = json_text(json_get(s, "apiToken"));
    if (!api || strlen(api) < 32) fallback("secrets.json has no readable token");
    token = strdup(api);
  }

  int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  if (sock < 0) fallback("no socket");
  fcntl(sock, F_SETFD, FD_CLOEXEC); /* not inherited by Node if the call falls back */
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) fallback("town not reachable at %s: %s", socket_path, strerror(errno));
  signal(SIGPIPE, SIG_IGN);

  /* The hello and the request in one write (the town reads them in order). */
  Buf out = {0};
  buf_str(&out, "{\"t\":\"hello\",\"token\":");
  json_string(&out, token);
  buf_str(&out, ",\"actor\":");
  json_string(&out, actor);
  buf_str(&out, "}\n");
  append_request(&out, 1, cwd, NULL, 0);
  Buf pending = {0}, line = {0};
  /* As the Node CLI, the request follows the hello at once: a refused hello means the town never
   * read the request, so falling back then is safe. */
  if (write_all(sock, out.data, out.len) < 0) fallback("the town closed the socket");
  long deadline = now_ms() + HELLO_TIMEOUT_MS;
  int r = read_line(sock, &pending, &line, deadline);
  if (r < 0) {
    /* Not a fallback: the town may still read the request and run it. The Node CLI's own words. */
    fprintf(stderr, "gt: the town at %s did not answer: is `gt up` running?\n", town);
    return 3;
  }
  if (r == 0) fallback("the town closed the socket at the hello");
  Json *welcome = json_parse(line.data, line.len);
  const char *kind = json_text(json_get(welcome, "t"));
  if (!kind || strcmp(kind, "welcome") != 0) fallback("hello refused: %s", line.data);

  /* The answer (no events: nothing was subscribed); a second round when the town asks for stdin. */
  Json *res = NULL, *result = NULL;
  for (int round = 1;; round++) {
    for (;;) {
      r = read_line(sock, &pending, &line, -1);
      if (r <= 0) {
        fputs("gt: the town closed the connection\n", stderr);
        return 3;
      }
      res = json_parse(line.data, line.len);
      kind = json_text(json_get(res, "t"));
      if (kind && strcmp(kind, "res") == 0) break;
      /* A protocol error before the request ran (e.g. the request line was too large). */
      if (kind && strcmp(kind, "error") == 0) fallback("the town refused the request: %s", line.data);
    }
    Json *ok = json_get(res, "ok");
    result = json_get(res, "result");
    /* Refused before the command ran: an older town (no cliRun), arguments it cannot take, stopping. */
    if (!ok || ok->type != J_TRUE) fallback("cliRun refused: %s", line.data);
    Json *ran = json_get(result, "ran");
    if (ran && ran->type == J_TRUE) break;
    Json *wants = json_get(result, "stdin");
    const char *reason = json_text(json_get(result, "reason"));
    if (round > 1 || !wants || wants->type != J_TRUE) fallback("the town says: %s", reason ? reason : "not here");
    Buf input = read_stdin();
    out.len = 0;
    append_request(&out, 2, cwd, input.data, input.len);
    if (write_all(sock, out.data, out.len) < 0) {
      fputs("gt: the town closed the connection\n", stderr);
      return 3;
    }
  }
  close(sock);
  Json *code = json_get(result, "exitCode");
  Json *output = json_get(result, "output");
  if (!code || code->type != J_NUMBER || !output || output->type != J_ARRAY) {
    fputs("gt: the town's answer is malformed\n", stderr);
    return 1;
  }
  if (trace) fputs("gt-native: town\n", stderr);
  for (Json *chunk = output->child; chunk; chunk = chunk->next) {
    Json *fd = chunk->type == J_ARRAY ? chunk->child : NULL;
    Json *text = fd ? fd->next : NULL;
    if (!fd || fd->type != J_NUMBER || !text || text->type != J_STRING) continue;
    /* A reader that went away (gt … | head) ends the output, as it would Node's. */
    write_all(fd->number == 2 ? STDERR_FILENO : STDOUT_FILENO, text->string, text->length);
  }
  return (int)code->number;
}
