/* Supervisor: one long-lived process that runs many scenarios in sequence.
 * The TS driver writes request lines on stdin:
 *   start             begin a scenario: a fresh temp subdir and a freshly
 *                     exec'd worker "main" in a process group of its own;
 *                     reply: block "hello <pgid>".
 *   <proc> <request>  forwarded to that process's control socket; its reply
 *                     blocks are relayed, strictly one request at a time
 *                     (steps of different processes are ordered by the scenario).
 *   done              end the scenario: close its sockets, SIGKILL its group,
 *                     reap every process, remove its temp subdir; empty reply.
 * Each scenario thus starts exactly as a one-shot run did (exec'd image, the
 * supervisor's untouched rlimits and capabilities), and the driver can SIGKILL
 * one scenario's group on timeout while the supervisor (a child subreaper)
 * survives to reap it and go on with the next scenario. EOF on stdin ends the
 * current scenario and the supervisor.
 * Nothing outlives the driver, however it dies (SIGKILL, a second Ctrl-C): the
 * supervisor asks for SIGTERM when the driver's thread ends (PR_SET_PDEATHSIG,
 * then getppid() against the driver's pid it was given, in case it is already
 * gone), and on SIGTERM/SIGHUP/SIGINT kills the running scenario's group at
 * once; its stdin then reads EOF and the usual end removes the temp dirs. */
#define _GNU_SOURCE
#include "proto.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROCS 256
struct chan { int fd; int pending_fd; char buf[65536]; size_t pos, have; };
static struct chan *chans; /* heap: the supervisor is not a scenario process */
static char *in_buf; /* heap, like chans and obuf */
#define IN_BUF 65536
static size_t in_pos, in_have;
static char req[MLS_LINE_MAX + 64];
static const char *self_path, *base_dir;
static char scen_dir[1200];
static pid_t scen_pgid; /* 0: no scenario running */
static int chans_used; /* channels [0, chans_used) may be open */
static unsigned scen_seq;
static volatile sig_atomic_t scen_pgid_sig; /* scen_pgid, for the signal handler */
static volatile sig_atomic_t quitting; /* the driver is gone: finish the cleanup and exit */

/* Replies are gathered and written in large pieces: one write per batch of
 * replies instead of two per block. Flushed before blocking on stdin. */
static char *obuf;
#define OBUF (1 << 20)
static size_t olen;
static void quit(void);
static void oflush(void) {
  if (olen && write_all(1, obuf, olen) < 0) quit(); /* driver gone */
  olen = 0;
}
static void oput(const void *p, size_t n) {
  if (olen + n > OBUF) {
    oflush();
    if (n > OBUF) { if (write_all(1, p, n) < 0) quit(); return; }
  }
  memcpy(obuf + olen, p, n);
  olen += n;
}

static int chan_fill(struct chan *c) {
  if (c->pos > 0) { /* keep a partial header at the front */
    memmove(c->buf, c->buf + c->pos, c->have - c->pos);
    c->have -= c->pos;
    c->pos = 0;
  }
  if (c->have == sizeof c->buf) return -1; /* a header longer than the buffer: protocol error */
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
    char *nl;
    while (!(nl = memchr(c->buf + c->pos, '\n', c->have - c->pos)))
      if (chan_fill(c) < 0) return -1;
    size_t h = (size_t)(nl - (c->buf + c->pos)) + 1;
    char hdr[160];
    if (h >= sizeof hdr) return -1;
    memcpy(hdr, c->buf + c->pos, h);
    hdr[h] = 0;
    oput(hdr, h);
    c->pos += h;
    /* "<tag> <len>\n" */
    char *sp = memchr(hdr, ' ', h);
    if (!sp || sp == hdr) return -1;
    char *end;
    unsigned long long len = strtoull(sp + 1, &end, 10);
    if (*end != '\n') return -1;
    int is_end = sp - hdr == 3 && !memcmp(hdr, "end", 3);
    while (len > 0) {
      if (c->pos == c->have) {
        c->pos = c->have = 0;
        if (chan_fill(c) < 0) { /* died mid-block: pad so the driver stays in frame */
          static const char pad[256] = {0};
          while (len > 0) { size_t k = len > sizeof pad ? sizeof pad : (size_t)len; oput(pad, k); len -= k; }
          return -1;
        }
      }
      size_t n = c->have - c->pos;
      if (n > len) n = (size_t)len;
      oput(c->buf + c->pos, n);
      c->pos += n;
      len -= n;
    }
    if (is_end) return 0;
  }
}

static void reply_text(const char *tag, const char *text) {
  char hdr[64];
  int n = snprintf(hdr, sizeof hdr, "%s %zu\n", tag, strlen(text));
  oput(hdr, (size_t)n);
  oput(text, strlen(text));
  oput("end 0\n", 6);
}

static int read_request(void) {
  size_t n = 0;
  for (;;) {
    if (in_pos == in_have) {
      oflush(); /* about to block: the driver must have every reply so far */
      ssize_t r = quitting ? 0 : read(0, in_buf, IN_BUF);
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

/* The scenario's files are flat (f-<name>, calls.c), a symlink's target is the file it made
 * elsewhere (/dev/shm, files.c), and `hugetlbfs` is its mount (hugetlb-pool.c): unmounting it
 * frees the file pages before the pool shrinks. */
static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    char path[1600], target[1600];
    for (struct dirent *e; (e = readdir(d));) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      ssize_t n = readlink(path, target, sizeof target - 1);
      if (n > 0) {
        target[n] = 0;
        unlink(target);
      }
      if (unlink(path) < 0 && errno == EISDIR && !strcmp(e->d_name, "hugetlbfs")) {
        umount2(path, MNT_DETACH);
        rmdir(path);
      }
    }
    closedir(d);
  }
  rmdir(dir);
}

/* Nothing of a scenario outlives it: every process it made is in its group
 * (scenario steps never call setpgid/setsid), and orphans are reparented to
 * this subreaper, so killing the group and waiting until ECHILD reaps them all. */
static int scen_ipc; /* the scenario runs in a private IPC namespace (System V shm steps) */

/* Remove every segment of the scenario's private IPC namespace. Once its processes
 * are reaped nothing is attached, so IPC_RMID destroys each at once and returns its
 * SHM_LOCK charge to the user before the next scenario starts (ipc/shm.c:do_shm_rmid);
 * freeing the namespace itself would do it only later, from a workqueue. */
static void remove_segments(void) {
  struct shm_info info;
  int max = shmctl(0, SHM_INFO, (struct shmid_ds *)&info);
  for (int i = 0; i <= max; i++) {
    struct shmid_ds ds;
    int id = shmctl(i, SHM_STAT, &ds);
    if (id >= 0) shmctl(id, IPC_RMID, NULL);
  }
}

/* The session dir and whatever is in it: scenario subdirs (flat) and stray files. On the way out
 * a scenario may have been half started (its subdir made, its group not yet known). */
static void remove_session_dir(void) {
  DIR *d = opendir(base_dir);
  if (d) {
    char path[1600];
    for (struct dirent *e; (e = readdir(d));) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      snprintf(path, sizeof path, "%s/%s", base_dir, e->d_name);
      if (unlink(path) < 0) remove_dir(path);
    }
    closedir(d);
  }
  rmdir(base_dir);
}

static void end_scenario(void) {
  if (!scen_pgid) { hugetlb_release(); return; } /* a start that failed after reserving */
  for (int i = 0; i < chans_used; i++) close_chan(&chans[i]);
  chans_used = 0;
  kill(-scen_pgid, SIGKILL);
  while (wait(NULL) > 0 || errno == EINTR) {}
  if (scen_ipc) remove_segments();
  remove_dir(scen_dir);
  hugetlb_release();
  scen_pgid = 0;
  scen_pgid_sig = 0;
}

/* The driver is gone (its pipe broke, or the parent-death signal came): the
 * scenario's processes die and are reaped, its dirs are removed, and so is the
 * session dir (empty by then). Never returns. */
static void quit(void) {
  olen = 0; /* nobody reads the replies */
  end_scenario();
  while (wait(NULL) > 0 || errno == EINTR) {}
  remove_session_dir();
  _exit(0);
}

/* Async-signal-safe: end the running scenario now; the main loop sees `quitting`
 * (its blocking reads return EINTR, or EOF once the scenario's sockets close). */
static void on_driver_gone(int sig) {
  (void)sig;
  quitting = 1;
  if (scen_pgid_sig > 0) kill(-scen_pgid_sig, SIGKILL);
}

/* "start check": the scenario's processes fault in their snapshot buffers
 * first (worker.c), so that consecutive snapshots can be compared exactly. */
static void start_scenario(int check, int ipc, unsigned huge_pages, int hugetlbfs) {
  end_scenario();
  /* Huge pages the scenario maps, added to the pool until it ends (hugetlb-pool.c). */
  if (hugetlb_reserve(huge_pages) < 0) {
    reply_text("fail", "cannot reserve the scenario's huge pages (vm.nr_hugepages could not be raised by as many: needs root and free memory)");
    return;
  }
  /* A scenario with System V shm steps gets a fresh IPC namespace (the supervisor's,
   * inherited by its processes): its segments are invisible to the rest of the
   * machine, and remove_segments only ever sees the scenario's own. */
  scen_ipc = ipc;
  if (ipc && unshare(CLONE_NEWIPC) < 0) {
    reply_text("fail", "cannot create a private IPC namespace for System V shm (unshare: needs CAP_SYS_ADMIN)");
    return;
  }
  snprintf(scen_dir, sizeof scen_dir, "%s/%u", base_dir, scen_seq++);
  int sv[2];
  if (mkdir(scen_dir, 0700) < 0 && errno != EEXIST) { reply_text("fail", "cannot create the scenario's temp dir"); return; }
  if (hugetlbfs && hugetlbfs_mount(scen_dir) < 0) {
    reply_text("fail", "cannot mount hugetlbfs for the scenario's files (a private mount namespace needs CAP_SYS_ADMIN)");
    return;
  }
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) { reply_text("fail", "socketpair failed"); return; }
  /* Everything the child needs is prepared here: after vfork it only makes
   * system calls (no copy of the supervisor's memory, no copy-on-write faults). */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  int fd = 3;
  while (fd == sv[0] || fd == sv[1] || fd == null) fd++;
  char fdstr[16];
  snprintf(fdstr, sizeof fdstr, "%d", fd);
  char *argv[] = {"mls-exec", "worker", fdstr, scen_dir, check ? "start-c" : "start", NULL};
  char *envp[] = {NULL};
  pid_t sup_pid = getpid();
  pid_t pid = vfork();
  if (pid == 0) {
    setpgid(0, 0);
    /* If the supervisor is SIGKILLed the scenario's first process goes too (kept across its exec;
     * fork children do not inherit it, so a scenario's own process tree is untouched). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != sup_pid) _exit(127);
    /* The driver's pipes stay with the supervisor: a scenario process holding
     * them would keep the driver waiting for their end after a kill. */
    if (null >= 0) { dup2(null, 0); dup2(null, 1); dup2(null, 2); }
    if (dup2(sv[1], fd) < 0) _exit(127); /* without CLOEXEC: it must survive the exec */
    execve(self_path, argv, envp);
    _exit(127);
  }
  if (null >= 0) close(null);
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    reply_text("fail", "fork failed");
    return;
  }
  setpgid(pid, pid); /* also from here, so the group exists before "hello" */
  close(sv[1]);
  chans[0].fd = sv[0];
  chans_used = 1;
  scen_pgid = pid;
  scen_pgid_sig = pid;
  char hello[32];
  snprintf(hello, sizeof hello, "%d", (int)pid);
  reply_text("hello", hello);
  oflush(); /* now: the driver needs the group to enforce its timeout */
}

/* "<proc> [+]<request>": with "+" the process also takes a snapshot right
 * after the step and sends it as a second reply (one round trip per step). */
static void forward(void) {
  while (waitpid(-1, NULL, WNOHANG) > 0) {}
  char *sp = strchr(req, ' ');
  int idx = atoi(req);
  const char *cmd = sp ? sp + 1 : "";
  int replies = 1 + (cmd[0] == '+'), relayed = 0;
  const char *op = cmd + (cmd[0] == '+');
  const char *why = "process is not running";
  struct chan *c = sp && idx >= 0 && idx < MAX_PROCS ? &chans[idx] : NULL;
  if (!c) why = "bad request";
  else if (c->fd >= 0) {
    size_t cl = strlen(cmd);
    req[sp - req + 1 + cl] = '\n';
    int ok = write_all(c->fd, cmd, cl + 1) == 0;
    for (; ok && relayed < replies; relayed++) {
      if (relay(c) < 0) { ok = 0; break; }
      int child;
      if (relayed == 0 && sscanf(op, "fork %d", &child) == 1 && child > 0 && child < MAX_PROCS && c->pending_fd >= 0) {
        close_chan(&chans[child]);
        if (child >= chans_used) chans_used = child + 1;
        chans[child].fd = c->pending_fd;
        c->pending_fd = -1;
      }
    }
    if (ok) return;
    close_chan(c);
    if (relayed == 0 && !strncmp(op, "exit\n", 5)) { /* the process ended as asked */
      reply_text("result", "ok -");
      relayed++;
    }
    why = "the process ended during the step (killed by a signal or the OOM killer?)";
  }
  for (; relayed < replies; relayed++) reply_text("fail", why);
}

int supervisor_main(const char *self, const char *tmp, pid_t driver) {
  self_path = self;
  base_dir = tmp;
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_driver_gone; /* no SA_RESTART: blocking reads return EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (driver > 0 && getppid() != driver) quitting = 1; /* the driver died before the prctl */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  chans = calloc(MAX_PROCS, sizeof *chans);
  in_buf = malloc(IN_BUF);
  obuf = malloc(OBUF);
  if (!chans || !in_buf || !obuf) { perror("malloc"); return 1; }
  for (int i = 0; i < MAX_PROCS; i++) chans[i].fd = chans[i].pending_fd = -1;
  while (read_request()) {
    if (!strncmp(req, "start", 5) && (req[5] == 0 || req[5] == ' ')) {
      const char *o = req + 5;
      const char *h = strstr(o, " hugetlb=");
      start_scenario(strstr(o, " check") != NULL, strstr(o, " ipc") != NULL, h ? (unsigned)strtoul(h + 9, NULL, 10) : 0,
                     strstr(o, " hugetlbfs") != NULL);
    }
    else if (!strcmp(req, "done")) { end_scenario(); oput("end 0\n", 6); oflush(); }
    else if (!scen_pgid) reply_text("fail", "no scenario started");
    else forward();
  }
  if (quitting) quit();
  end_scenario();
  oflush();
  while (wait(NULL) > 0 || errno == EINTR) {}
  remove_session_dir(); /* the driver may be gone without cleaning up */
  return 0;
}
