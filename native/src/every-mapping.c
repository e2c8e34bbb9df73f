/* every_mapping <mlock|munlock|mlock2> <flags>: the call on [start, end) of every
 * line of /proc/self/maps, read while calling as LTP mlock03 reads it with fgets
 * (regions.c:maps_each reads 64 KiB at a time; a later line's bounds never move
 * because of a call on an earlier whole VMA). Every call is made; the reply is the
 * first failure's errno, else 0 (runtime/every-mapping.ts is the model's). */
#define _GNU_SOURCE
#include "proto.h"
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_mlock2
#define SYS_mlock2 325
#endif

struct each { int call; uint64_t flags; int first_errno; };

static int one(uint64_t s, uint64_t e, const char *name, void *arg) {
  (void)name;
  struct each *x = arg;
  long rc = x->call == 0 ? mlock((void *)s, e - s)
          : x->call == 1 ? munlock((void *)s, e - s)
          : syscall(SYS_mlock2, s, e - s, x->flags);
  if (rc < 0 && !x->first_errno) x->first_errno = errno;
  return 0;
}

void do_every_mapping(char **t, int n) {
  struct each x = {0, 0, 0};
  if (n != 3 || parse_u64(t[2], &x.flags)) { reply_fail("every_mapping: bad arguments"); return; }
  if (!strcmp(t[1], "mlock")) x.call = 0;
  else if (!strcmp(t[1], "munlock")) x.call = 1;
  else if (!strcmp(t[1], "mlock2")) x.call = 2;
  else { reply_fail("every_mapping: unknown call %s", t[1]); return; }
  if (maps_each(one, &x) < 0) { reply_fail("every_mapping: cannot read /proc/self/maps"); return; }
  if (x.first_errno) reply_errno(x.first_errno);
  else reply_okv(0);
}
