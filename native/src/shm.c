/* System V shared memory steps (ipc/shm.c): shmget, shmat, shmdt, shmctl.
 * A segment's id is stored in the scenario's temp dir as "s-<name>", so every
 * scenario process (forked before or after the shmget, or exec'd) resolves the
 * same name. The supervisor runs such scenarios in a private IPC namespace and
 * removes every segment at the end (supervisor.c), so none outlives its run. */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

static void seg_path(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/s-%s", tmp_dir, name); }

/* The id of segment `name`: -1 after a failed shmget (the call then fails as the kernel decides). */
static int seg_id(const char *name, int *id) {
  char path[1200], buf[32];
  seg_path(path, sizeof path, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { reply_fail("segment %s was never created (no shmget)", name); return -1; }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) { reply_fail("segment %s: unreadable id", name); return -1; }
  buf[n] = 0;
  *id = atoi(buf);
  return 0;
}

/* shmget <name> <size>: IPC_PRIVATE, IPC_CREAT | 0600. The id is not reported (it depends on history). */
static void do_shmget(char **t, int n) {
  uint64_t size;
  if (n != 3 || parse_u64(t[2], &size)) { reply_fail("shmget: bad arguments"); return; }
  int id = shmget(IPC_PRIVATE, (size_t)size, IPC_CREAT | 0600);
  int e = errno;
  char path[1200], buf[32];
  seg_path(path, sizeof path, t[1]);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) { reply_fail("shmget: cannot record the id: %s", strerror(errno)); return; }
  fchmod(fd, 0644); /* read by every scenario process, whichever user it became (user.c) */
  int len = snprintf(buf, sizeof buf, "%d", id);
  int w = write_all(fd, buf, (size_t)len);
  close(fd);
  if (w < 0) reply_fail("shmget: cannot record the id");
  else if (id < 0) reply_errno(e);
  else reply_ok(NULL);
}

/* shmat <bind|-> <name> <addr|-> <shmflg>: the region is the segment's size from IPC_STAT. */
static void do_shmat(char **t, int n) {
  uint64_t at = 0, flg;
  int id;
  if (n != 5 || parse_u64(t[4], &flg)) { reply_fail("shmat: bad arguments"); return; }
  if (strcmp(t[3], "-") != 0) {
    int r = parse_addr(t[3], &at);
    if (r == -2) { reply_fail("region %s is not bound in this process", last_bad_region()); return; }
    if (r) { reply_fail("bad address token %s", t[3]); return; }
  }
  if (seg_id(t[2], &id)) return;
  void *p = shmat(id, (void *)at, (int)flg);
  if (p == (void *)-1) { reply_errno(errno); return; }
  struct shmid_ds ds;
  if (shmctl(id, IPC_STAT, &ds) < 0) { reply_fail("shmat: IPC_STAT failed: %s", strerror(errno)); return; }
  if (strcmp(t[1], "-") != 0 && region_bind(t[1], (uint64_t)p, (uint64_t)ds.shm_segsz) < 0) reply_fail("too many regions");
  else reply_ok(NULL);
}

/* shmdt <addr> */
static void do_shmdt(char **t, int n) {
  uint64_t a;
  if (n != 2) { reply_fail("shmdt: bad arguments"); return; }
  int r = parse_addr(t[1], &a);
  if (r == -2) { reply_fail("region %s is not bound in this process", last_bad_region()); return; }
  if (r) { reply_fail("bad address token %s", t[1]); return; }
  if (shmdt((void *)a) < 0) reply_errno(errno);
  else reply_okv(0);
}

/* shmctl <name> <cmd>: IPC_RMID 0, SHM_LOCK 11, SHM_UNLOCK 12 (no buffer). */
static void do_shmctl(char **t, int n) {
  uint64_t cmd;
  int id;
  if (n != 3 || parse_u64(t[2], &cmd) || (cmd != IPC_RMID && cmd != SHM_LOCK && cmd != SHM_UNLOCK)) {
    reply_fail("shmctl: bad arguments");
    return;
  }
  if (seg_id(t[1], &id)) return;
  int rc = shmctl(id, (int)cmd, NULL);
  if (rc < 0) reply_errno(errno);
  else reply_okv(rc);
}

int do_shm(char **t, int n) {
  if (!strcmp(t[0], "shmget")) do_shmget(t, n);
  else if (!strcmp(t[0], "shmat")) do_shmat(t, n);
  else if (!strcmp(t[0], "shmdt")) do_shmdt(t, n);
  else if (!strcmp(t[0], "shmctl")) do_shmctl(t, n);
  else return 0;
  return 1;
}
