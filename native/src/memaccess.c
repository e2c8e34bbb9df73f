/* Memory accesses with fault recovery. SIGSEGV/SIGBUS raised by a touched byte
 * are caught on an alternate signal stack and turned into the step's result, so
 * the process survives (SPEC.md §3: `=> SIGSEGV`). */
#define _GNU_SOURCE
#include "proto.h"
const char *last_bad_region(void);
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t in_access;
static volatile sig_atomic_t fault_sig;
static char altstack[65536];

static void on_fault(int sig) {
  if (in_access) {
    fault_sig = sig;
    in_access = 0;
    siglongjmp(fault_jmp, 1);
  }
  /* A fault outside a step is an executor bug: die with the signal. */
  signal(sig, SIG_DFL);
  raise(sig);
}

void signals_init(void) {
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fault;
  sa.sa_flags = SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

/* Touch one byte; the caller has armed fault_jmp. */
static inline unsigned char touch(uint64_t addr, int write, unsigned char value) {
  volatile unsigned char *p = (volatile unsigned char *)addr;
  if (write) { *p = value; return value; }
  return *p;
}

/* read <addr> <len> | write <addr> <len> <value> | access <addr> <len> <count> <seed> <r|w> */
void do_access(char **t, int n) {
  uint64_t addr, len, value = 0x5a, count = 0, seed = 0;
  const char *op = t[0];
  int random = !strcmp(op, "access");
  int rc = n >= 3 ? parse_addr(t[1], &addr) : -1;
  if (!rc) rc = parse_len(t[2], &len);
  if (!rc && !strcmp(op, "write")) rc = n == 4 ? parse_u64(t[3], &value) : -1;
  if (!rc && random) rc = n == 6 ? (parse_u64(t[3], &count) || parse_u64(t[4], &seed)) : -1;
  if (rc == -2) { reply_fail("region %s is not bound in this process", last_bad_region()); return; }
  if (rc) { reply_fail("%s: bad arguments", op); return; }
  int write = random ? t[5][0] == 'w' : !strcmp(op, "write");
  volatile unsigned char last = 0;
  volatile uint64_t i = 0;
  if (sigsetjmp(fault_jmp, 1)) { reply_signal(fault_sig); return; }
  in_access = 1;
  if (random) {
    uint64_t pages = len / MLS_PAGE, x = seed ? seed : 0x9E3779B97F4A7C15ULL;
    if (pages == 0) pages = 1;
    for (i = 0; i < count; i++) { /* xorshift64*, SPEC.md §3.7 */
      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      uint64_t page = (x * 0x2545F4914F6CDD1DULL) % pages;
      last = touch(addr + page * MLS_PAGE, write, (unsigned char)value);
    }
  } else {
    /* One byte at addr, then the first byte of every later page of the range. */
    last = touch(addr, write, (unsigned char)value);
    uint64_t end = addr + len;
    for (uint64_t p = (addr & ~(MLS_PAGE - 1)) + MLS_PAGE; len > 1 && p < end && p > addr; p += MLS_PAGE)
      last = touch(p, write, (unsigned char)value);
  }
  in_access = 0;
  if (!write && !random && len <= 1) reply_okv(last);
  else reply_okv(0);
}

/* grow_stack <len>: grow [stack] until it reaches len bytes below its top, by
 * writing one byte in every page from just below the stack pointer down to
 * top - len, in order, as a deep recursion would. The depth is measured from
 * the VMA's top, not from the stack pointer, whose start offset the kernel
 * randomises per exec (arch_align_stack): that way the growth, and the
 * locked_vm it adds, is the same on every run and the model can predict it.
 * Pages above the stack pointer are never written. The handler runs on the
 * alternate stack, so a failed expansion is reported as SIGSEGV. */
__attribute__((noinline)) void do_grow_stack(char **t, int n) {
  uint64_t len, base, vlen;
  if (n != 2 || parse_len(t[1], &len)) { reply_fail("grow_stack: bad arguments"); return; }
  if (!region_lookup("stack", &base, &vlen)) { reply_fail("grow_stack: no [stack] VMA"); return; }
  uint64_t top = base + vlen, pages = (len + MLS_PAGE - 1) / MLS_PAGE;
  uint64_t target = pages * MLS_PAGE >= top ? 0 : top - pages * MLS_PAGE;
  uint64_t sp = (uint64_t)__builtin_frame_address(0) & ~(uint64_t)(MLS_PAGE - 1);
  if (sigsetjmp(fault_jmp, 1)) { reply_signal(fault_sig); return; }
  in_access = 1;
  for (uint64_t a = sp - MLS_PAGE; a >= target && a < sp; a -= MLS_PAGE) *(volatile unsigned char *)a = 0;
  in_access = 0;
  reply_okv(0);
}
