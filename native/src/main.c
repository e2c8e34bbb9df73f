/* mls-exec entry: `supervise <tmpdir> [<driver pid>]` (started by the TS driver),
 * `worker <fd> <tmpdir> start|exec` (a scenario process, started by the
 * supervisor or by an exec step), `probe` (which optional kernel features work),
 * `facts` (how this kernel behaves where kernels differ: facts.c). */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Keeps the static image at the size scenarios were recorded with (native/build.mjs). */
#if defined(MLS_IMAGE_PAD) && MLS_IMAGE_PAD > 0
__attribute__((used)) char mls_image_pad[MLS_IMAGE_PAD];
#endif

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif

static void probe_line(const char *what, long rc, int e) {
  if (rc >= 0) printf("%s ok\n", what);
  else printf("%s %s\n", what, strerrorname_np(e));
}

int probe_main(void) {
  long fd = syscall(447, 0);
  probe_line("memfd_secret", fd, errno);
  if (fd >= 0) close((int)fd);
  void *p = mmap(NULL, MLS_PAGE, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
  probe_line("droppable", p == MAP_FAILED ? -1 : 0, errno);
  if (p != MAP_FAILED) munmap(p, MLS_PAGE);
  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  fd = syscall(SYS_io_uring_setup, 1, &params);
  probe_line("io_uring", fd, errno);
  if (fd >= 0) close((int)fd);
  return 0;
}

int main(int argc, char **argv) {
  /* supervise <tmpdir> [<driver pid>]: with the pid, the supervisor checks the driver is still its parent. */
  if ((argc == 3 || argc == 4) && !strcmp(argv[1], "supervise")) {
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) { perror("readlink /proc/self/exe"); return 1; }
    self[n] = 0;
    return supervisor_main(self, argv[2], argc == 4 ? (pid_t)atoi(argv[3]) : 0);
  }
  /* worker mode: start | exec, then "+" (a snapshot follows exec's reply) and/or "-c" (check mode) */
  if (argc == 5 && !strcmp(argv[1], "worker")) {
    const char *m = argv[4];
    int after_exec = !strncmp(m, "exec", 4) ? (strchr(m, '+') ? 2 : 1) : 0;
    return worker_main(atoi(argv[2]), argv[3], after_exec, strstr(m, "-c") != NULL);
  }
  /* guard <driver pid> <program> [args…]: exec the program (qemu for the vm target) so that it is
   * SIGKILLed when the driver's thread ends, however it ends (PR_SET_PDEATHSIG survives the exec). */
  if (argc >= 4 && !strcmp(argv[1], "guard")) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != (pid_t)atoi(argv[2])) return 1; /* the driver died before the prctl */
    execv(argv[3], argv + 3);
    perror(argv[3]);
    return 127;
  }
  if (argc == 2 && !strcmp(argv[1], "probe")) return probe_main();
  if (argc == 2 && !strcmp(argv[1], "facts")) return facts_main();
  fprintf(stderr, "usage: mls-exec supervise <tmpdir> [<driver pid>] | worker <fd> <tmpdir> start|exec[+][-c] | guard <pid> <program> [args…] | probe | facts\n");
  return 2;
}
