/* user <uid> <gid> <keep mask|->: become another user the way tests do (SPEC §3.2),
 * in this order, replying with the first call that fails (what succeeded stays done,
 * as the model's runtime/creds.ts:setUser does):
 *   [keep] prctl(PR_SET_KEEPCAPS, 1); setgroups(0, NULL); setresgid(g, g, g);
 *   setresuid(u, u, u); [keep] capset(permitted = effective = mask).
 * The id change makes the process non-dumpable (kernel/cred.c:commit_creds), which
 * would hand its /proc files to root and deny it its own pagemap and exe link, so it
 * is set dumpable again. The scenario's temp dir and the files in it are opened up
 * first (while still root) so the new user can create, open and resolve them: the
 * model has no file permissions, and the host should not invent a difference. */
#define _GNU_SOURCE
#include "proto.h"
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void open_up_tmp_dir(void) {
  if (geteuid() != 0) return;
  char parent[1024];
  snprintf(parent, sizeof parent, "%s", tmp_dir);
  chmod(dirname(parent), 0711);
  chmod(tmp_dir, 01777);
  DIR *d = opendir(tmp_dir);
  if (!d) return;
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    fchmodat(dirfd(d), e->d_name, 0666, 0);
  }
  closedir(d);
}

void do_user(char **t, int n) {
  uint64_t uid, gid, mask = 0;
  int keep = n == 4 && strcmp(t[3], "-") != 0;
  if (n != 4 || parse_u64(t[1], &uid) || parse_u64(t[2], &gid) || (keep && parse_u64(t[3], &mask))) {
    reply_fail("user: bad arguments");
    return;
  }
  open_up_tmp_dir();
  if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) { reply_errno(errno); return; }
  if (setgroups(0, NULL) < 0 || setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0 ||
      setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) {
    int e = errno;
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    reply_errno(e);
    return;
  }
  prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  if (keep) {
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2] = {{0}};
    d[0].permitted = d[0].effective = (uint32_t)mask;
    d[1].permitted = d[1].effective = (uint32_t)(mask >> 32);
    if (syscall(SYS_capset, &h, d) < 0) { reply_errno(errno); return; }
  }
  reply_okv(0);
}
