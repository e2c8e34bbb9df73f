// Why the host cannot run a scenario (SKIP reasons), decided before any
// process starts. The host never changes system-wide settings to meet a
// requirement (no sysctl writes), with one exception that is undone: as root, the
// huge pages a scenario maps are added to vm.nr_hugepages for that scenario only
// and taken back when it ends (hugePagesNeeded; native/src/hugetlb-pool.c).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import type { Scenario, VersionConstraint } from '../../../schema/generated/types.js';
import { effectiveSettings, settingsMismatch, settingsOfImage, type SettingValues } from '../../machine/settings.js';
import { backingDevOf, filesFsOf, type BackingDev } from './backing-dev.js';
import { usesShm } from './encode.js';
import { scenarioReads } from '../../evaluation/step-reads.js';
import { machineFacts, type MachineFacts } from './facts.js';

export interface HostFacts {
  uid: number;
  /** CAP_IPC_LOCK in the permitted set of this (the driver's) process; workers inherit it. */
  capIpcLockPermitted: boolean;
  hugePagesFree: number;
  /** The kernel has a hugetlb pool (HugePages_Total in /proc/meminfo: CONFIG_HUGETLB_PAGE); absent: not known. */
  hugetlbPool?: boolean;
  thp: boolean;
  /** `ok` or the errno name the probe got. */
  features: Record<'memfd_secret' | 'droppable' | 'io_uring', string>;
  release: string;
  /** How the kernel behaves where kernels differ (schema HostFacts, StartImage.facts); absent when the probe failed. */
  machine?: MachineFacts;
  /**
   * The filesystem scenario files are made in, when it is not this machine's os.tmpdir()
   * (a vm guest's /tmp): its read-ahead and whether it is tmpfs.
   */
  files?: Partial<BackingDev> & { filesFs?: 'tmpfs' | 'other' };
}

const read = (path: string): string => {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
};

let cached: HostFacts | undefined;

export function hostFacts(executable: string): HostFacts {
  if (cached) return cached;
  const status = read('/proc/self/status');
  const capPrm = /^CapPrm:\s+([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  const meminfo = read('/proc/meminfo');
  const free = /^HugePages_Free:\s+(\d+)$/m.exec(meminfo)?.[1] ?? '0';
  const thp = read('/sys/kernel/mm/transparent_hugepage/enabled');
  const features: HostFacts['features'] = { memfd_secret: 'unprobed', droppable: 'unprobed', io_uring: 'unprobed' };
  try {
    const out = execFileSync(executable, ['probe'], { encoding: 'utf8', timeout: 5000 });
    for (const line of out.split('\n')) {
      const [k, v] = line.split(' ');
      if (k && v && k in features) features[k as keyof HostFacts['features']] = v;
    }
  } catch (e) {
    for (const k of Object.keys(features) as (keyof HostFacts['features'])[]) features[k] = `probe failed: ${String(e)}`;
  }
  cached = {
    uid: process.getuid?.() ?? -1,
    capIpcLockPermitted: ((BigInt('0x' + capPrm) >> 14n) & 1n) === 1n,
    hugePagesFree: Number(free),
    ...(meminfo ? { hugetlbPool: /^HugePages_Total:/m.test(meminfo) } : {}),
    thp: thp !== '' && !thp.includes('[never]'),
    features,
    release: release(),
  };
  const machine = machineFacts(executable);
  if (machine) cached.machine = machine;
  return cached;
}

function versionTuple(v: string): number[] {
  return (v.match(/^\d+(\.\d+){0,2}/)?.[0] ?? '0').split('.').map(Number).concat([0, 0, 0]).slice(0, 3);
}

export function versionSatisfies(version: string, c: VersionConstraint): boolean {
  const a = versionTuple(version), b = versionTuple(c.version);
  // A constraint written as major.minor compares major.minor only (6.18.44 == 6.18).
  const n = c.version.split('.').length;
  let cmp = 0;
  for (let i = 0; i < n && cmp === 0; i++) cmp = Math.sign(a[i]! - b[i]!);
  switch (c.op) {
    case '<': return cmp < 0;
    case '<=': return cmp <= 0;
    case '==': return cmp === 0;
    case '>=': return cmp >= 0;
    case '>': return cmp > 0;
  }
}

let lastProfile: { rel: string; profile: string } | undefined;

/** The host kernel as a profile name: plain mainline `linux-<major>.<minor>`. */
export function hostProfile(rel: string): string {
  if (lastProfile?.rel === rel) return lastProfile.profile; // asked for every scenario, always the same release
  const [a, b] = versionTuple(rel);
  lastProfile = { rel, profile: `linux-${a}.${b}` };
  return lastProfile.profile;
}

const HUGE = 2 * 1024 * 1024;

let settingsCache: { facts: HostFacts; dir: string; value: SettingValues } | undefined;

/**
 * The host's machine settings in the language's terms: its probed facts, and the
 * filesystem of the temp dir the sessions' dirs are made in (os.tmpdir(), as HostSession).
 */
export function hostSettings(f: HostFacts): SettingValues {
  const dir = tmpdir();
  if (settingsCache?.facts === f && settingsCache.dir === dir) return settingsCache.value;
  const fs = f.files ? f.files.filesFs : filesFsOf(dir);
  const image = { vmas: [], brkStart: '0', ...(f.files ?? backingDevOf(dir)), ...(fs ? { filesFs: fs } : {}), ...(f.machine ? { facts: f.machine } : {}) };
  settingsCache = { facts: f, dir, value: effectiveSettings(settingsOfImage(image)) };
  return settingsCache.value;
}

/**
 * The 2 MiB pages a scenario may take from the hugetlb pool: its MAP_HUGETLB mappings and
 * hugetlbfs files (at least 1 with `requires hugetlb`), and whether it needs a hugetlbfs mount.
 * As root the supervisor adds them to vm.nr_hugepages for the scenario and takes them back
 * after it (native/src/hugetlb-pool.c); otherwise they must be free already.
 */
export function hugePagesNeeded(s: Scenario): { pages: number; hugetlbfs: boolean } {
  let bytes = 0;
  let hugetlbfs = false;
  const onHugetlbfs = new Set<string>();
  for (const st of s.steps) {
    if (st.op === 'mmap' && st.flags.includes('hugetlb')) bytes += st.len.bytes !== undefined ? Number(st.len.bytes) : HUGE;
    if (st.op === 'file' && st.fs === 'hugetlbfs') { hugetlbfs = true; onHugetlbfs.add(st.file); bytes += Number(st.size); }
    // A private mapping of a hugetlbfs file reserves its own pages for copies on write (hugetlb_reserve_pages).
    if (st.op === 'mmap' && st.share === 'private' && st.file !== undefined && onHugetlbfs.has(st.file)) {
      bytes += st.len.bytes !== undefined ? Number(st.len.bytes) : HUGE;
    }
  }
  const pages = Math.ceil(bytes / HUGE);
  return { pages: s.requires.includes('hugetlb') ? Math.max(1, pages) : pages, hugetlbfs };
}

/** The reason to SKIP, or undefined when the host can run the scenario. */
export function skipReason(s: Scenario, f: HostFacts): string | undefined {
  const req = new Set(s.requires);
  if (req.has('model')) return 'requires model';
  if (s.env.image === 'empty') return 'image empty is model only (the host always starts from the executor image)';
  if (s.env.maxMapCount !== undefined) return 'max_map_count is model only (the host never changes vm.max_map_count)';
  const profile = hostProfile(f.release);
  if (s.kernels.profiles.length > 0 && !s.kernels.profiles.includes(profile)) {
    return `targets kernel ${s.kernels.profiles.join(', ')}; this kernel is ${f.release} (${profile})`;
  }
  for (const c of s.kernels.constraints) {
    if (!versionSatisfies(f.release, c)) return `needs kernel ${c.op} ${c.version}; this kernel is ${f.release}`;
  }
  if (req.has('root') && f.uid !== 0) return `requires root (running as uid ${f.uid})`;
  const reads = scenarioReads(s);
  if (reads.pages && f.uid !== 0) return `page flags need root: /proc/kpageflags and the PFNs of /proc/self/pagemap (running as uid ${f.uid})`;
  if (reads.meminfo && f.uid !== 0) return `system counters need root: /proc/sys/vm/stat_refresh folds the per-CPU counts (running as uid ${f.uid})`;
  if (req.has('cap_ipc_lock') && !f.capIpcLockPermitted) return 'requires CAP_IPC_LOCK, which is not in the permitted set';
  if (f.uid !== 0 && s.steps.some(usesShm)) {
    return `System V shm steps run in a private IPC namespace, which needs root (running as uid ${f.uid})`;
  }
  const huge = hugePagesNeeded(s);
  if ((huge.pages > 0 || huge.hugetlbfs) && f.hugetlbPool === false) {
    return 'maps huge pages, and this kernel has no hugetlb pool (no HugePages_Total in /proc/meminfo, no vm.nr_hugepages)';
  }
  if (huge.hugetlbfs && f.uid !== 0) {
    return `a file on hugetlbfs needs a hugetlbfs mount, which the host makes as root in a private mount namespace (running as uid ${f.uid})`;
  }
  if (huge.pages > 0 && f.uid !== 0 && f.hugePagesFree < huge.pages) {
    return `needs ${huge.pages} free 2 MiB huge page(s); HugePages_Free is ${f.hugePagesFree}, and only root may raise vm.nr_hugepages for the scenario (running as uid ${f.uid})`;
  }
  if (req.has('thp') && !f.thp) return 'requires transparent huge pages (THP is off here)';
  for (const feat of ['memfd_secret', 'droppable', 'io_uring'] as const) {
    if (req.has(feat) && f.features[feat] !== 'ok') return `requires ${feat}, unavailable here (${f.features[feat]})`;
  }
  return settingsMismatch(s.env.settings, hostSettings(f), f.machine);
}
