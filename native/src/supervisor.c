/* Supervisor: the TS driver writes "<proc> <request>" lines on stdin; the
 * supervisor forwards each request to that process's control socket and relays
 * the reply blocks to stdout, strictly one request at a time (steps of
 * different processes are ordered by the scenario). The scenario processes run
 * in their own process group, announced as "hello <pgid>", so the driver can
 * SIGKILL them all on timeout while the supervisor (a child subreaper) stays
 * alive to reap them. */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROCS 256
struct chan { int fd; int pending_fd; char buf[65536]; size_t pos, have; };
static struct chan *chans; /* heap: the supervisor is not a scenario process */
static char in_buf[65536];
static size_t in_pos, in_have;
static char req[MLS_LINE_MAX + 64];

static int out(const void *p, size_t n) { return write_all(1, p, n); }

static int chan_fill(struct chan *c) {
  if (c->pos == c->have) c->pos = c->have = 0;
  union { char b[CMSG_SPACE(sizeof(int) * 8)]; struct cmsghdr a; } u;
  struct iovec iov = {.iov_base = c->buf + c->have, .iov_len = sizeof c->buf - c->have};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b};
  ssize_t r;
  do r = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC); while (r < 0 && errno == EINTR);
  if (r <= 0) return -1;
  for (struct cmsghdr *m = CMSG_FIRSTHDR(&msg); m; m = CMSG_NXTHDR(&msg, m))
    if (m->cmsg_level == SOL_SOCKET && m->cmsg_type == SCM_RIGHTS) {
      int fd;
      memcpy(&fd, CMSG_DATA(m), sizeof fd);
      if (c->pending_fd >= 0) close(c->pending_fd);
      c->pending_fd = fd;
    }
  c->have += (size_t)r;
  return 0;
}

/* Relay one reply (blocks up to "end"). Returns 0, or -1 if the process ended. */
static int relay(struct chan *c) {
  for (;;) {
    char hdr[160];
    size_t h = 0;
    for (;;) { /* header line */
      if (c->pos == c->have && chan_fill(c) < 0) return -1;
      char ch = c->buf[c->pos++];
      if (h + 1 < sizeof hdr) hdr[h++] = ch;
      if (ch == '\n') break;
    }
    hdr[h] = 0;
    if (out(hdr, h) < 0) exit(1);
    unsigned long long len = 0;
    char tag[64];
    if (sscanf(hdr, "%63s %llu", tag, &len) != 2) return -1;
    while (len > 0) {
      if (c->pos == c->have) {
        if (c->have == sizeof c->buf) c->pos = c->have = 0;
        if (chan_fill(c) < 0) { /* died mid-block: pad so the driver stays in frame */
          static const char pad[256] = {0};
          while (len > 0) { size_t k = len > sizeof pad ? sizeof pad : (size_t)len; out(pad, k); len -= k; }
          return -1;
        }
      }
      size_t n = c->have - c->pos;
      if (n > len) n = (size_t)len;
      if (out(c->buf + c->pos, n) < 0) exit(1);
      c->pos += n;
      len -= n;
    }
    if (!strcmp(tag, "end")) return 0;
  }
}

static void reply_text(const char *tag, const char *text) {
  char hdr[64];
  int n = snprintf(hdr, sizeof hdr, "%s %zu\n", tag, strlen(text));
  out(hdr, (size_t)n);
  out(text, strlen(text));
  out("end 0\n", 6);
}

static int read_request(void) {
  size_t n = 0;
  for (;;) {
    if (in_pos == in_have) {
      ssize_t r = read(0, in_buf, sizeof in_buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return 0;
      in_pos = 0;
      in_have = (size_t)r;
    }
    char ch = in_buf[in_pos++];
    if (ch == '\n') break;
    if (n + 1 < sizeof req) req[n++] = ch;
  }
  req[n] = 0;
  return 1;
}

static void close_chan(struct chan *c) {
  if (c->fd >= 0) close(c->fd);
  if (c->pending_fd >= 0) close(c->pending_fd);
  c->fd = c->pending_fd = -1;
  c->pos = c->have = 0;
}

int supervisor_main(const char *self, const char *tmp) {
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  chans = calloc(MAX_PROCS, sizeof *chans);
  if (!chans) { perror("calloc"); return 1; }
  for (int i = 0; i < MAX_PROCS; i++) chans[i].fd = chans[i].pending_fd = -1;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) { perror("socketpair"); return 1; }
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    setpgid(0, 0);
    close(sv[0]);
    int fd = dup(sv[1]); /* without CLOEXEC: it must survive the exec */
    char fdstr[16];
    snprintf(fdstr, sizeof fdstr, "%d", fd);
    char *argv[] = {"mls-exec", "worker", fdstr, (char *)tmp, "start", NULL};
    char *envp[] = {NULL};
    execve(self, argv, envp);
    _exit(127);
  }
  setpgid(pid, pid); /* also from here, so the group exists before "hello" */
  close(sv[1]);
  chans[0].fd = sv[0];
  char hello[64];
  int hn = snprintf(hello, sizeof hello, "hello %d\n", (int)pid);
  out(hello, (size_t)hn);
  while (read_request()) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    char *sp = strchr(req, ' ');
    int idx = atoi(req);
    if (!sp || idx < 0 || idx >= MAX_PROCS) { reply_text("fail", "bad request"); continue; }
    struct chan *c = &chans[idx];
    const char *cmd = sp + 1;
    if (c->fd < 0) { reply_text("fail", "process is not running"); continue; }
    size_t cl = strlen(cmd);
    req[sp - req + 1 + cl] = '\n';
    if (write_all(c->fd, cmd, cl + 1) < 0 || relay(c) < 0) {
      int was_exit = !strncmp(cmd, "exit\n", 5);
      close_chan(c);
      if (was_exit) { /* the process ended as asked */
        reply_text("result", "ok -");
      } else reply_text("fail", "the process ended during the step (killed by a signal or the OOM killer?)");
      continue;
    }
    int child;
    if (sscanf(cmd, "fork %d", &child) == 1 && child > 0 && child < MAX_PROCS && c->pending_fd >= 0) {
      close_chan(&chans[child]);
      chans[child].fd = c->pending_fd;
      c->pending_fd = -1;
    }
  }
  /* End of run: closing the sockets makes every worker exit; reap them all. */
  for (int i = 0; i < MAX_PROCS; i++) close_chan(&chans[i]);
  while (wait(NULL) > 0 || errno == EINTR) {}
  return 0;
}
