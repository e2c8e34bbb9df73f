/* mls-exec: shared declarations. The executor runs in two roles:
 *   supervisor: talks to the TS driver on stdin/stdout and to one control
 *               socket per scenario process (protocol in SPEC.md "Host target");
 *   worker:     one per scenario process; performs the steps addressed to it.
 * Workers never call malloc: every buffer is static, so the heap (brk) and the
 * mapping layout only change when a scenario step changes them. */
#ifndef MLS_PROTO_H
#define MLS_PROTO_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MLS_PAGE 4096ULL
#define MLS_MAX_TOKENS 16
#define MLS_LINE_MAX 4096

/* One buffer for every /proc read of a worker (smaps, maps, status, rollup):
 * the reads never nest, and the executor's image size is part of the values
 * scenarios record (total_vm), so static memory is spent sparingly. */
#define MLS_PROCBUF (65536 + MLS_LINE_MAX)
extern char procbuf[MLS_PROCBUF];

/* ---- framing (proto.c) ---- */
/* A reply is a sequence of blocks "<tag> <len>\n<len bytes>", ended by "end 0\n". */
extern int ctl_fd;
int send_block(const char *tag, const void *data, size_t n);
int send_blockf(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int send_block_fd(const char *tag, const void *data, size_t n, int fd_to_pass);
int send_end(void);   /* appends "end" and sends the buffered reply */
int send_end_held(void); /* appends "end"; the reply goes with the next send (a step and its snapshot: one write) */
int send_flush(void); /* sends what is buffered (before a passed fd, fork, exec) */
void send_pretouch(void);
int send_file_blocks(const char *tag, const char *path);
int write_all(int fd, const void *buf, size_t n);
/* Reads one request line (without '\n') from ctl_fd; 0 on EOF, -1 on error. */
int read_line(int fd, char *line, size_t cap);
int split_tokens(char *line, char **tok, int max);

/* ---- results ---- */
void reply_ok(const char *value);   /* value NULL: placement-dependent, omitted */
void reply_okv(long long value);
void reply_errno(int e);
void reply_signal(int sig);
void reply_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- regions (regions.c) ---- */
struct region { char name[64]; uint64_t base, len; };
extern char tmp_dir[1024];
extern uint64_t brk_start;
void regions_reset(void);
int region_bind(const char *name, uint64_t base, uint64_t len);
/* Resolves user or built-in regions; 0 if not bound. */
int region_lookup(const char *name, uint64_t *base, uint64_t *len);
int region_count(void);
const struct region *region_at(int i);
/* Token decoders: "r:<name>:<s|e>:<off>" / "n:<u64>"; "b:<u64>" / "l:<name>". */
int parse_addr(const char *tok, uint64_t *out);
int parse_len(const char *tok, uint64_t *out);
int parse_u64(const char *tok, uint64_t *out);
/* The region name behind the last -2 (unbound) from parse_addr/parse_len. */
const char *last_bad_region(void);
/* Iterate /proc/self/maps: cb(start, end, name, arg); stop when cb returns non-zero. */
int maps_each(int (*cb)(uint64_t, uint64_t, const char *, void *), void *arg);

/* ---- calls (calls.c, memaccess.c, observe.c, process.c) ---- */
/* Each returns after sending its reply blocks (not "end"). */
void do_call(char **tok, int n);
void do_access(char **tok, int n);
void do_grow_stack(char **tok, int n);
/* System V shm steps (shm.c); returns 0 when tok[0] is not one of them. */
int do_shm(char **tok, int n);
void do_user(char **tok, int n);
void do_every_mapping(char **tok, int n);
/* files.c */
void do_file(const char *name, uint64_t size, const char *fs);
void do_unlink(const char *name);
/* hugetlb-pool.c (supervisor) */
int hugetlb_reserve(unsigned pages);
void hugetlb_release(void);
int hugetlbfs_mount(const char *dir);
void signals_init(void);
/* snap [full]: "full" is the reference form (whole smaps, smaps_rollup and the
 * probe every time, regions from /proc/self/maps); tests check both agree. */
void do_snapshot(int full, int pages, int meminfo);
/* Page flags and system counters (pageflags.c): `snap [full] [pages] [meminfo]`. */
void pageflags_open(void);
void pageflags_pretouch(void);
void pageflags_drain(void);
const char *lru_batches_drain(void);
void pageflags_send(uint64_t base_page, uint64_t lo, uint64_t hi, const uint64_t (*vmas)[2], int nvmas);
void meminfo_send(void);
/* mlockall/munlockall may change mm->def_flags: the next snapshot probes again. */
void mcl_invalidate(void);
/* def_flags has no VM_LOCKED (a new mm, munlockall): snapshots report off without probing. */
void mcl_known_off(void);
/* A fork child: close the parent's cached /proc/self descriptors (observe.c). */
void proc_fds_forget(void);
/* Stream /proc/self/smaps line by line through `cb` (observe.c); `cb` returns nonzero to stop. */
typedef int (*smaps_line_fn)(char *line, size_t n, char *nl, void *ctx);
int smaps_each_line(smaps_line_fn cb, void *ctx);
/* The MCL_FUTURE probe (mcl-probe.c): a snapshot's `mcl` block, cached while off; `snap full` always probes. */
void mcl_report(void);
void mcl_probe_now(void);
void do_image(void);
/* Process control; do_fork returns 1 in the child (which must not reply). */
int do_fork(char **tok, int n);
void do_exec(char **tok, int n);
int worker_main(int fd, const char *tmp, int after_exec, int check);
/* Check mode: fault in every buffer a snapshot may touch, and some stack. */
void pretouch(void);
int supervisor_main(const char *self, const char *tmp, pid_t driver);
int probe_main(void);
/* `mls-exec facts`: zero page, huge zero page, pkeys, VmFlags, page size (facts.c). */
int facts_main(void);

#endif
