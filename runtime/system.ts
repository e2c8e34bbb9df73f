// The machine the model simulates: processes (tasks with their mm), files, the
// sysctls that matter (vm.max_map_count), the huge page pool and the kernel
// profile. No I/O: "files" are page cache objects with a size.
import { Checkpoint } from './checkpoint.js';
import { DEFAULT_BDI, type BackingDev } from './backing-dev.js';
import { DEFAULT_MAX_MAP_COUNT } from './constants.js';
import type { ThpMode } from './huge-memory.js';
import { MemObject } from './pages.js';
import { Mm, Task } from './mm.js';
import { ShmIds } from './shm-ids.js';
import { UserCharges } from './ucounts.js';
import { STOCK_SETTINGS, type MachineSettings } from './settings.js';
import { LINUX_6_18, type KernelProfile } from './profile.js';

export class System {
  readonly tasks: Task[] = [];
  readonly files = new Map<string, MemObject>();
  /** Names removed by `unlink` (runtime/files.ts): opening them again is ENOENT. */
  readonly unlinkedFiles = new Set<string>();
  /** vm.max_map_count (mm/mmap.c:sysctl_max_map_count). */
  maxMapCount = DEFAULT_MAX_MAP_COUNT;
  /** user_struct->locked_vm of each user (uid): io_uring's charges, in pages (ucounts.ts). */
  readonly userLockedVm = new UserCharges();
  /** System V shared memory segments and each user's SHM_LOCK charge (shm.ts). */
  readonly shm = new ShmIds();
  /** Free 2 MiB pages in the hugetlb pool (nr_hugepages - used). */
  hugePagesFree = 64;
  /** /sys/kernel/mm/transparent_hugepage/enabled (runtime/huge-memory.ts); `madvise` as on the test machine. */
  thp: ThpMode = 'madvise';
  /** The backing device of the filesystem where the scenario's files are created (the start image's, runtime/backing-dev.ts). */
  tmpBdi: BackingDev = DEFAULT_BDI;
  /**
   * Whether that filesystem is tmpfs (the start image's filesFs): then a scenario's `file`
   * is a shmem inode, not a regular file (runtime/files.ts:createFile).
   */
  tmpIsTmpfs = false;
  /** Machine facts beyond the kernel version (zero page, protection keys, soft-dirty): runtime/settings.ts. */
  readonly settings: MachineSettings = { ...STOCK_SETTINGS };
  /** One shared object for every process's [vdso] page (mapped system-wide). */
  readonly vdso: MemObject;
  /** PFN-mapped [vvar] pages (vm_normal_page is NULL: no Rss). */
  readonly vvar: MemObject;
  /** fatal_signal_pending for the model's long loops: the runner's deadline (checkpoint.ts). */
  readonly checkpoint = new Checkpoint();

  constructor(readonly profile: KernelProfile = LINUX_6_18) {
    this.vdso = new MemObject('special', '[vdso]');
    this.vdso.externalMapcount = 1000;
    this.vdso.sizeBytes = 2n * 4096n;
    this.vdso.cache.add(0, 2);
    this.vvar = new MemObject('zero', '[vvar]');
  }

  newTask(name: string): Task {
    const t = new Task(name, new Mm(this));
    // The initial RLIMIT_MEMLOCK (init's MLOCK_LIMIT): 64 KiB before v5.16.
    const m = this.profile.behaviour.defaultMemlockBytes;
    t.rlimits.memlock = { cur: m, max: m };
    this.tasks.push(t);
    return t;
  }

  liveTasks(): Task[] { return this.tasks.filter((t) => t.alive); }
}
