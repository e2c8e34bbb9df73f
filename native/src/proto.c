/* Framing and result replies shared by supervisor and worker. */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int ctl_fd = -1;
static char fmtbuf[8192];
char procbuf[MLS_PROCBUF];
/* A reply is gathered here and sent with one write at "end" (a snapshot is
 * a dozen blocks: one syscall instead of two per block). */
static char obuf[32768];
static size_t olen;

int write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK) w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int send_flush(void) {
  int r = olen ? write_all(ctl_fd, obuf, olen) : 0;
  olen = 0;
  return r;
}

static int put(const void *p, size_t n) {
  if (olen + n > sizeof obuf) {
    if (send_flush() < 0) return -1;
    if (n > sizeof obuf) return write_all(ctl_fd, p, n);
  }
  memcpy(obuf + olen, p, n);
  olen += n;
  return 0;
}

static int send_header(const char *tag, size_t n, int fd_to_pass) {
  char hdr[128];
  int h = snprintf(hdr, sizeof hdr, "%s %zu\n", tag, n);
  if (fd_to_pass < 0) return put(hdr, (size_t)h);
  /* The passed descriptor rides on the header bytes (SCM_RIGHTS), after what is buffered. */
  if (send_flush() < 0) return -1;
  struct iovec iov = {.iov_base = hdr, .iov_len = (size_t)h};
  union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
  ssize_t w;
  do w = sendmsg(ctl_fd, &msg, MSG_NOSIGNAL); while (w < 0 && errno == EINTR);
  if (w < 0) return -1;
  if (w < h) return write_all(ctl_fd, hdr + w, (size_t)(h - w));
  return 0;
}

int send_block_fd(const char *tag, const void *data, size_t n, int fd_to_pass) {
  if (send_header(tag, n, fd_to_pass) < 0) return -1;
  return n ? put(data, n) : 0;
}

int send_block(const char *tag, const void *data, size_t n) { return send_block_fd(tag, data, n, -1); }

int send_blockf(const char *tag, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(fmtbuf, sizeof fmtbuf, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof fmtbuf) n = sizeof fmtbuf - 1;
  return send_block(tag, fmtbuf, (size_t)n);
}

int send_end(void) {
  if (put("end 0\n", 6) < 0) return -1;
  return send_flush();
}

int send_end_held(void) { return put("end 0\n", 6); }

/* /proc files have no size up front: stream them as several blocks with the same tag. */
int send_file_blocks(const char *tag, const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return send_blockf("fail", "cannot open %s: %s", path, strerror(errno));
  for (;;) {
    ssize_t r = read(fd, procbuf, sizeof procbuf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (send_block(tag, procbuf, (size_t)r) < 0) { close(fd); return -1; }
  }
  close(fd);
  return 0;
}

/* The supervisor sends a process one request and waits for its reply, so at
 * most one line is ever in the socket: a plain read cannot take bytes that
 * belong after a fork or exec. (Bytes past the newline would break that rule;
 * they are kept for the next call rather than lost.) */
static char inbuf[MLS_LINE_MAX];
static size_t in_have;

int read_line(int fd, char *line, size_t cap) {
  size_t n = 0;
  for (;;) {
    char *nl = memchr(inbuf, '\n', in_have);
    if (nl) {
      size_t k = (size_t)(nl - inbuf);
      size_t copy = k < cap - 1 - n ? k : cap - 1 - n;
      memcpy(line + n, inbuf, copy);
      n += copy;
      memmove(inbuf, nl + 1, in_have - k - 1);
      in_have -= k + 1;
      line[n] = 0;
      return 1;
    }
    if (in_have == sizeof inbuf) { /* overlong line: keep its start, drop the rest */
      size_t copy = in_have < cap - 1 - n ? in_have : cap - 1 - n;
      memcpy(line + n, inbuf, copy);
      n += copy;
      in_have = 0;
    }
    ssize_t r = read(fd, inbuf + in_have, sizeof inbuf - in_have);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return n || in_have ? -1 : 0;
    in_have += (size_t)r;
  }
}

int split_tokens(char *line, char **tok, int max) {
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r(line, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save)) tok[n++] = t;
  return n;
}

void reply_ok(const char *value) { send_blockf("result", "ok %s", value ? value : "-"); }
void reply_okv(long long value) { send_blockf("result", "ok %lld", value); }

void reply_errno(int e) {
  const char *name = strerrorname_np(e);
  if (name) send_blockf("result", "errno %s", name);
  else send_blockf("result", "errno E%d", e);
}

void reply_signal(int sig) {
  const char *name = sigabbrev_np(sig);
  if (name) send_blockf("result", "signal SIG%s", name);
  else send_blockf("result", "signal SIG%d", sig);
}

void reply_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(fmtbuf, sizeof fmtbuf, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof fmtbuf) n = sizeof fmtbuf - 1;
  send_block("fail", fmtbuf, (size_t)n);
}

void send_pretouch(void) {
  memset(obuf, 0, sizeof obuf);
  memset(fmtbuf, 0, sizeof fmtbuf);
  memset(inbuf, 0, sizeof inbuf);
}
