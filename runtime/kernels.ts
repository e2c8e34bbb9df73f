// The kernel profile registry: mainline bases (the history gates, each with the
// version and commit that opened it) and the seed proposals as patches. Any
// `linux-X.Y[+patch…]` of a known base and known patches can be built; `all`
// (the matrix) is the registered list below. SPEC.md Part IV documents each one.
import { LINUX_6_18, MAINLINE_6_18, PatchConflict, applyPatch, type Behaviour, type KernelProfile, type Patch } from './profile.js';
import { MCL_INHERIT_PATCH } from './patches/mcl-inherit.js';
import { MCL_NOPOPULATE_LOCKED_PATCH } from './patches/mcl-nopopulate-locked.js';
import { MREMAP_NOPOPULATE_PATCH } from './patches/mremap-nopopulate.js';
import { ONFAULT_MREMAP_POPULATES_PATCH } from './patches/onfault-mremap-populates.js';
import { POSIX_MLOCK_PATCH } from './patches/posix-mlock.js';
import { VM_PINNED_PATCH } from './patches/vm-pinned.js';

type Version = readonly [number, number];

const atLeast = (v: Version, major: number, minor: number): boolean => v[0] > major || (v[0] === major && v[1] >= minor);

/** Mainline behaviour of version v: every gate of Behaviour closed below its version. */
export function mainlineBehaviour(v: Version): Behaviour {
  return {
    ...MAINLINE_6_18,
    lockOnFault: atLeast(v, 4, 4),
    relockCountsTwice: !atLeast(v, 4, 9),
    limitChargesLockedAgain: !atLeast(v, 4, 9),
    defaultMemlockBytes: atLeast(v, 5, 16) ? 8n << 20n : 64n << 10n,
    smapsShowsLockOnFault: atLeast(v, 6, 2),
    mapDroppable: atLeast(v, 6, 11),
    mremapDontunmap: atLeast(v, 5, 7),
    // The move_vma refactoring (Lorenzo Stoakes, "mm/mremap: initial refactor of
    // move_vma()", March 2025) is in neither 6.12 nor earlier bases; 6.18 has it.
    dontunmapLeaksLockedVm: atLeast(v, 6, 15),
    mremapMovesVmas: atLeast(v, 6, 17),
    memfdSecret: atLeast(v, 5, 14),
    ioUring: atLeast(v, 5, 1),
    execOnlyPkey: atLeast(v, 4, 6),
    madvGuard: atLeast(v, 6, 13),
    mremapChecksFirst: atLeast(v, 6, 17),
    mremapLooksUpFirst: atLeast(v, 5, 16),
    dontunmapMergesSource: atLeast(v, 6, 15),
    dontunmapUnlocksWholeVma: atLeast(v, 6, 15),
    dontunmapCopyMerges: atLeast(v, 6, 12),
    mergeWithCloseHook: atLeast(v, 6, 12),
    faultAroundStopsAtEof: atLeast(v, 6, 12),
    anonThpAligned: atLeast(v, 6, 8),
    populateStopsAtHole: atLeast(v, 6, 10),
    mmapGathersFirst: atLeast(v, 6, 12),
    secretmemLocked: !atLeast(v, 6, 12) || atLeast(v, 6, 16),
    mprotectUnaccounts: atLeast(v, 6, 6),
    mergeIntoAnonless: atLeast(v, 6, 16),
  };
}

export interface BaseInfo { version: Version; summary: string }

/** Registered bases, oldest first: each shows one or more history gates. */
export const BASES: ReadonlyMap<string, BaseInfo> = new Map<string, BaseInfo>([
  ['linux-4.3', { version: [4, 3], summary: 'before lock-on-fault: no mlock2 (ENOSYS), MCL_ONFAULT EINVAL, RLIMIT_MEMLOCK 64 KiB' }],
  ['linux-4.4', { version: [4, 4], summary: 'lock-on-fault (mlock2, VM_LOCKONFAULT sticky across mremap); overlapping locks counted twice' }],
  ['linux-5.15', { version: [5, 15], summary: 'MREMAP_DONTUNMAP without the locked_vm leak; RLIMIT_MEMLOCK 64 KiB; no "lf" in smaps' }],
  ['linux-6.1', { version: [6, 1], summary: 'RLIMIT_MEMLOCK 8 MiB; still no "lf" in smaps, no MAP_DROPPABLE' }],
  ['linux-6.12', { version: [6, 12], summary: '"lf" in smaps, MAP_DROPPABLE; mremap before the 2025 rework (no DONTUNMAP leak)' }],
  ['linux-6.18', { version: [6, 18], summary: 'the host kernel (6.18.44): every behaviour observed, incl. the MREMAP_DONTUNMAP locked_vm leak' }],
]);

export const PATCHES: ReadonlyMap<string, Patch> = new Map<string, Patch>(
  [POSIX_MLOCK_PATCH, MCL_INHERIT_PATCH, VM_PINNED_PATCH, ONFAULT_MREMAP_POPULATES_PATCH, MREMAP_NOPOPULATE_PATCH, MCL_NOPOPULATE_LOCKED_PATCH]
    .map((p) => [p.name, p]),
);

/** The matrix of `--kernel all`: every base, every patch on linux-6.18, and mcl-inherit on its own era's numbering. */
export const REGISTERED: readonly string[] = [
  ...BASES.keys(),
  ...[...PATCHES.keys()].map((p) => `linux-6.18+${p}`),
  'linux-4.3+mcl-inherit',
];

function baseProfile(name: string): KernelProfile | undefined {
  if (name === LINUX_6_18.name) return LINUX_6_18;
  const info = BASES.get(name);
  if (!info) return undefined;
  return Object.freeze({ ...LINUX_6_18, name, version: `${info.version[0]}.${info.version[1]}`, behaviour: Object.freeze(mainlineBehaviour(info.version)) });
}

const cache = new Map<string, KernelProfile>();

/** Build `base+patch+…`; throws PatchConflict when two patches do not compose. undefined: unknown name. */
export function buildProfile(name: string): KernelProfile | undefined {
  const hit = cache.get(name);
  if (hit) return hit;
  const [baseName = '', ...patchNames] = name.split('+');
  let p = baseProfile(baseName);
  if (!p) return undefined;
  for (const n of patchNames) {
    const patch = PATCHES.get(n);
    if (!patch) return undefined;
    p = applyPatch(p, patch);
  }
  cache.set(name, p);
  return p;
}

/** A profile, or undefined for unknown names and patches that do not compose. */
export function findProfile(name: string): KernelProfile | undefined {
  try {
    return buildProfile(name);
  } catch (e) {
    if (e instanceof PatchConflict) return undefined;
    throw e;
  }
}

/** Why a name is not a usable profile (unknown base/patch, or a conflict); undefined when it is. */
export function profileProblem(name: string): string | undefined {
  try {
    if (buildProfile(name)) return undefined;
  } catch (e) {
    if (e instanceof PatchConflict) return e.message;
    throw e;
  }
  const [b = '', ...ps] = name.split('+');
  if (!BASES.has(b)) return `unknown base '${b}' (bases: ${[...BASES.keys()].join(', ')})`;
  const bad = ps.find((p) => !PATCHES.has(p));
  return `unknown patch '${bad}' (patches: ${[...PATCHES.keys()].join(', ')})`;
}

export function profileNames(): string[] { return [...REGISTERED]; }

export interface ProfileInfo { name: string; summary: string; source: string }

/** `mls list --kernels`: one line of description and the source of each registered profile. */
export function profileCatalogue(): ProfileInfo[] {
  return REGISTERED.map((name) => {
    const [b = '', ...ps] = name.split('+');
    if (ps.length === 0) return { name, summary: BASES.get(b)!.summary, source: `mainline v${BASES.get(b)!.version.join('.')} (SPEC.md Part IV)` };
    const last = PATCHES.get(ps[ps.length - 1]!)!;
    return { name, summary: last.summary, source: last.source };
  });
}
