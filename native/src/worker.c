/* A scenario process: reads one request line at a time from its control
 * socket, performs it, replies with blocks ending in "end". fork and exec keep
 * the process addressable: the child gets a new control socket whose other end
 * travels to the supervisor with SCM_RIGHTS; exec re-runs this binary with the
 * same socket (fresh mm, bindings forgotten). */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char line[MLS_LINE_MAX];
static char self_path[1024];

int do_fork(char **t, int n) {
  (void)t;
  (void)n;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { reply_errno(errno); return 0; }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(sv[0]);
    close(sv[1]);
    reply_errno(e);
    return 0;
  }
  if (pid == 0) {
    proc_fds_forget(); /* they show the parent's mm */
    pageflags_open(); /* so does the pagemap descriptor */
    mcl_known_off(); /* a new mm: def_flags keeps only VM_INIT_DEF_MASK, no VM_LOCKED (kernel/fork.c:mm_init) */
    close(ctl_fd);
    close(sv[0]);
    ctl_fd = sv[1];
    return 1;
  }
  close(sv[1]);
  send_block_fd("result", "ok -", 4, sv[0]);
  close(sv[0]);
  return 0;
}

static int snap_after_exec, check_mode;

void do_exec(char **t, int n) {
  (void)t;
  (void)n;
  char fdstr[16];
  snprintf(fdstr, sizeof fdstr, "%d", ctl_fd);
  static const char *const modes[] = {"exec", "exec+", "exec-c", "exec+-c"};
  char *argv[] = {"mls-exec", "worker", fdstr, tmp_dir, (char *)modes[snap_after_exec + 2 * check_mode], NULL};
  char *envp[] = {NULL};
  execve(self_path, argv, envp);
  reply_errno(errno); /* only reached when exec failed */
}

int worker_main(int fd, const char *tmp, int after_exec, int check) {
  ctl_fd = fd;
  check_mode = check;
  if (check) pretouch();
  snprintf(tmp_dir, sizeof tmp_dir, "%s", tmp);
  ssize_t sl = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (sl > 0) self_path[sl] = 0;
  signals_init();
  pageflags_open(); /* while still root: pagemap shows PFNs to an opener with CAP_SYS_ADMIN */
  regions_reset();
  brk_start = (uint64_t)syscall(SYS_brk, 0);
  mcl_known_off(); /* exec made a new mm (fs/exec.c:bprm_mm_init → mm_init): no VM_LOCKED in def_flags */
  if (after_exec) { /* the exec step's reply (and snapshot, "exec+") comes from the new image */
    reply_okv(0);
    send_end();
    if (after_exec == 2) {
      do_snapshot(0, 0, 0);
      send_end();
    }
  }
  char *tok[MLS_MAX_TOKENS];
  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {} /* reap exited scenario children */
    int r = read_line(ctl_fd, line, sizeof line);
    if (r <= 0) _exit(0); /* supervisor gone or run finished */
    /* "+<request>": a snapshot follows the step's reply (trace mode). */
    int snap_after = line[0] == '+';
    snap_after_exec = snap_after;
    int n = split_tokens(line + snap_after, tok, MLS_MAX_TOKENS);
    if (n == 0) {
      for (int k = 0; k <= snap_after; k++) { reply_fail("empty request"); send_end(); }
      continue;
    }
    const char *op = tok[0];
    if (!strcmp(op, "exit")) _exit(0);
    /* Each step starts with every CPU's LRU and mlock batches empty: the executor's own
     * page faults since the last step (reply and snapshot buffers) would otherwise sit in
     * the lru_add batch and shift when it drains against the mlock batch, and a folio still
     * in lru_add when its mlock batch drains keeps mlock_count 0 (observe.c:do_image). */
    if (strcmp(op, "snap") && strcmp(op, "image")) (void)lru_batches_drain();
    if (!strcmp(op, "fork")) {
      if (do_fork(tok, n)) continue; /* child: silent, waits for its own requests */
    } else if (!strcmp(op, "exec")) do_exec(tok, n);
    else if (!strcmp(op, "snap")) {
      int full = 0, pages = 0, meminfo = 0;
      for (int k = 1; k < n; k++) {
        full |= !strcmp(tok[k], "full");
        pages |= !strcmp(tok[k], "pages");
        meminfo |= !strcmp(tok[k], "meminfo");
      }
      do_snapshot(full, pages, meminfo);
    }
    else if (!strcmp(op, "image")) do_image();
    else if (!strcmp(op, "read") || !strcmp(op, "write") || !strcmp(op, "access")) do_access(tok, n);
    else if (!strcmp(op, "grow_stack")) do_grow_stack(tok, n);
    else do_call(tok, n);
    if (!snap_after) {
      send_end();
      continue;
    }
    /* The step's reply and its snapshot leave in one write: one wake-up of the supervisor per step. */
    send_end_held();
    do_snapshot(0, 0, 0);
    send_end();
  }
}
