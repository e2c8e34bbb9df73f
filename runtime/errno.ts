// Results of modelled system calls. The kernel returns -errno; the model returns
// a tagged value so callers cannot forget to check it.

export type Errno =
  | 'EPERM' | 'ENOENT' | 'EINTR' | 'EBADF' | 'EAGAIN' | 'ENOMEM' | 'EACCES' | 'EFAULT'
  | 'EBUSY' | 'EEXIST' | 'EINVAL' | 'ENFILE' | 'EFBIG' | 'ENOSPC' | 'ENOSYS' | 'EOVERFLOW'
  | 'EOPNOTSUPP' | 'ENOTSUPP' | 'ENODEV' | 'ETXTBSY' | 'ESRCH' | 'EHWPOISON';

export type Signal = 'SIGSEGV' | 'SIGBUS';

export type SysResult =
  | { ok: true; value: bigint; address?: boolean }
  | { ok: false; errno: Errno }
  | { ok: false; signal: Signal };

export const OK: SysResult = Object.freeze({ ok: true, value: 0n }) as SysResult;
export const ok = (value: bigint = 0n, address = false): SysResult => (address ? { ok: true, value, address } : { ok: true, value });
export const err = (errno: Errno): SysResult => ({ ok: false, errno });
export const sig = (signal: Signal): SysResult => ({ ok: false, signal });

/** Internal: kernel functions returning 0 or -errno. */
export type KRet = 0 | Errno;
