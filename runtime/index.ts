// The model's public surface: a System of tasks and the system calls, one
// function per call, each validating its arguments before it changes anything.
export * from './constants.js';
export * from './errno.js';
export { System } from './system.js';
export { STOCK_SETTINGS, type MachineSettings } from './settings.js';
export { Task, Mm, canDoMlock, mlockFutureOk } from './mm.js';
export { LINUX_6_18, applyPatch, PatchConflict, type KernelProfile, type Behaviour, type Patch } from './profile.js';
export { findProfile, profileNames, profileProblem, profileCatalogue, buildProfile, mainlineBehaviour, BASES, PATCHES, REGISTERED, type ProfileInfo } from './kernels.js';
export { sysMmap, sysMemfdSecretMap, type MmapRequest } from './mmap.js';
export { sysMunmap } from './munmap.js';
export { sysMlock, sysMlock2, sysMunlock, sysMlockall, sysMunlockall, normaliseRange } from './mlock.js';
export { sysMprotect } from './mprotect.js';
export { sysMremap } from './mremap.js';
export { sysMadvise } from './madvise.js';
export { sysMsync } from './msync.js';
export { sysBrk } from './brk.js';
export { sysShmget, sysShmat, sysShmdt, sysShmctl, shmNattch, SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC, type ShmctlCmd } from './shm.js';
export { sysPin, sysUnpin, sysMpin, sysMunpin } from './pin.js';
export { fork, exitTask } from './fork.js';
export { capable, capSetEffective, doPrlimit, rootCreds, setUser, ALL_CAPS, type Creds, type CapName } from './creds.js';
export { exec } from './exec.js';
export { readByte, readByteAt, writeByte, writeByteAt, touchPage, growStack, randomPages, randomPageNumbers } from './access.js';
export { DEFAULT_IMAGE, loadImage, loadEmpty } from './image.js';
export { status, smaps, rollupLocked, vmFlags, vmaName, mincore, mincoreRanges, mclFuture, mapsLineCount, type SmapsView } from './procfs.js';
export { assertInvariants, checkMm, InvariantError } from './invariants.js';
export { MemObject } from './pages.js';
export * as vm from './vma.js';
