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
static char filebuf[65536];

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

static int send_header(const char *tag, size_t n, int fd_to_pass) {
  char hdr[128];
  int h = snprintf(hdr, sizeof hdr, "%s %zu\n", tag, n);
  if (fd_to_pass < 0) return write_all(ctl_fd, hdr, (size_t)h);
  /* The passed descriptor rides on the header bytes (SCM_RIGHTS). */
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
  return n ? write_all(ctl_fd, data, n) : 0;
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

int send_end(void) { return write_all(ctl_fd, "end 0\n", 6); }

/* /proc files have no size up front: stream them as several blocks with the same tag. */
int send_file_blocks(const char *tag, const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return send_blockf("fail", "cannot open %s: %s", path, strerror(errno));
  for (;;) {
    ssize_t r = read(fd, filebuf, sizeof filebuf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (send_block(tag, filebuf, (size_t)r) < 0) { close(fd); return -1; }
  }
  close(fd);
  return 0;
}

/* Unbuffered on purpose: a worker may fork or exec right after this line and
 * must not carry read-ahead bytes into the child or lose them across exec. */
int read_line(int fd, char *line, size_t cap) {
  size_t n = 0;
  for (;;) {
    char c;
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return n ? -1 : 0;
    if (c == '\n') break;
    if (n + 1 < cap) line[n++] = c;
  }
  line[n] = 0;
  return 1;
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
