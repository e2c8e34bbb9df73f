// `mls doctor`, pure part: this host's facts against the stock machine the
// model defaults to (SPEC.md Part II "Host facts", III.2), one verdict per
// fact: its value here, the stock value, whether they differ and, when they
// do, what that changes for mls on this host. The command (commands/doctor.ts)
// gathers the input; everything here is a function of it (tested on canned facts).
import type { HostFacts as MachineFacts } from '../../schema/generated/types.js';
import { DEFAULT_BDI } from '../../runtime/backing-dev.js';
import { DEFAULT_MAX_MAP_COUNT } from '../../runtime/constants.js';
import { DEFAULT_IMAGE } from '../../runtime/image.js';
import { STOCK_SETTINGS } from '../../runtime/settings.js';
import { DEFAULT_KERNEL } from '../profiles/default.js';
import { plain, type Style } from './style.js';

export type Feature = 'memfd_secret' | 'droppable' | 'io_uring';

/** What the doctor knows of this host. */
export interface DoctorInput {
  /** uname -r */
  release: string;
  /** The executor's probes and the procfs/sysfs settings (undefined: the probe could not run). */
  machine?: MachineFacts | undefined;
  /** Why `machine` is missing. */
  machineError?: string | undefined;
  uid: number;
  /** CapBnd of this process (the executor inherits it). */
  capBnd?: string | undefined;
  capIpcLockPermitted: boolean;
  /** `ok` or the errno name `mls-exec probe` got. */
  features: Record<Feature, string>;
  /** The directory the host target's temp dirs are made in, and its filesystem. */
  tempDir: { path: string; filesFs?: 'tmpfs' | 'other' | undefined; readAheadKb?: number | undefined };
}

export interface Verdict {
  /** Stable key (JSON). */
  key: string;
  /** Human name. */
  fact: string;
  here: string;
  stock: string;
  differs: boolean;
  /** Whether the model has this fact (a setting or an image field), so `mls diff` can follow the host. */
  modelled: boolean;
  /** What the difference changes for mls here (only when it differs). */
  effect?: string;
}

/** The stock machine: the model's defaults (runtime/settings.ts, III.2; memlock: runtime/mm.ts). */
export const STOCK = {
  release: '6.18.44',
  zeroPage: STOCK_SETTINGS.zeroPage,
  hugeZeroPage: STOCK_SETTINGS.hugeZeroPage,
  pkeys: STOCK_SETTINGS.pkeys,
  anonVmFlags: 'rd wr mr mw me ac',
  softDirty: STOCK_SETTINGS.softDirty,
  pageSize: 4096,
  thpEnabled: 'madvise',
  thpSizes: 'never',
  shmemEnabled: 'never',
  defrag: 'madvise',
  overcommitMemory: 0,
  maxMapCount: DEFAULT_MAX_MAP_COUNT,
  memlock: String(8 << 20),
  capBnd: DEFAULT_IMAGE.capBnd!,
  filesFs: 'disk',
  readAheadKb: DEFAULT_BDI.raPages * 4,
} as const;

const yesNo = (b: boolean | undefined): string => (b === undefined ? 'unknown' : b ? 'yes' : 'no');
const bytes = (v: string): string => {
  if (v === 'unlimited') return v;
  const n = Number(v);
  return n % (1 << 20) === 0 ? `${n >> 20} MiB` : n % 1024 === 0 ? `${n >> 10} KiB` : `${n} B`;
};
const NOT_MODELLED = 'not modelled: mls diff/fuzz may diverge on';

/** mTHP sizes (all but the PMD size) that are not `never`, with `inherit` resolved to the top-level setting. */
export function enabledMthpSizes(m: MachineFacts): string[] {
  const pmdKb = `${(m.pageSize * (m.pageSize / 8)) >> 10}kB`; // one page table of 8-byte entries
  const top = m.thp?.enabled ?? 'never';
  return Object.entries(m.thp?.sizes ?? {})
    .filter(([size, v]) => size !== pmdKb && v !== 'never' && !(v === 'inherit' && top === 'never'))
    .map(([size, v]) => (v === 'inherit' ? `${size} inherit (${top})` : `${size} ${v}`));
}

function machineVerdicts(m: MachineFacts, tmpfsFiles: boolean): Verdict[] {
  const v: Verdict[] = [];
  const add = (x: Omit<Verdict, 'differs'>, differs: boolean): void => {
    const y: Verdict = { ...x, differs };
    if (!differs) delete y.effect;
    v.push(y);
  };
  add({
    key: 'zeroPage', fact: 'zero page', here: yesNo(m.zeroPage), stock: yesNo(STOCK.zeroPage), modelled: true,
    effect: m.zeroPage
      ? 'reads of untouched anonymous memory map the shared zero page (Rss, Locked stay 0); scenarios that assume real pages SKIP unless they state `on zero_page=on`'
      : 'reads of untouched anonymous memory allocate pages (Rss, Locked grow); scenarios that assume the zero page SKIP on this host unless they state both outcomes (`on zero_page=off`)',
  }, m.zeroPage !== STOCK.zeroPage);
  const hz = m.hugeZeroPage;
  add({
    key: 'hugeZeroPage', fact: 'huge zero page', here: hz === undefined ? 'not observed' : yesNo(hz), stock: yesNo(STOCK.hugeZeroPage), modelled: true,
    effect: hz === undefined
      ? 'a read of an untouched MADV_HUGEPAGE block was not mapped huge (THP never, or no huge page): THP scenarios observe 4 KiB faults'
      : hz
        ? 'reads of untouched THP blocks map the huge zero page (Rss 0)'
        : `reads of untouched THP blocks allocate a 2 MiB huge page (Rss, AnonHugePages grow by 2048 kB)${m.thp?.useZeroPage === false ? ', as transparent_hugepage/use_zero_page is 0' : ''}; scenarios that assume the huge zero page SKIP unless they state \`on huge_zero_page=off\``,
  }, hz !== STOCK.hugeZeroPage);
  add({
    key: 'pkeys', fact: 'protection keys', here: yesNo(m.pkeys), stock: yesNo(STOCK.pkeys), modelled: true,
    effect: m.pkeys
      ? 'PROT_EXEC-only mappings cannot be read: reads SIGSEGV, mlock fails to populate them (ENOMEM)'
      : 'PROT_EXEC-only mappings are readable: mlock populates them (0, not ENOMEM) and reads succeed, not SIGSEGV; scenarios that assume pkeys SKIP unless they state `on pkeys=off`',
  }, m.pkeys !== STOCK.pkeys);
  const letters = m.anonVmFlags.split(' ');
  const sd = m.softDirty ?? letters.includes('sd');
  const other = letters.filter((l) => l !== 'sd').join(' ') !== STOCK.anonVmFlags;
  add({
    key: 'anonVmFlags', fact: 'anonymous VmFlags', here: m.anonVmFlags, stock: STOCK.anonVmFlags, modelled: !other,
    effect: [
      sd ? 'every VMA prints `sd` (CONFIG_MEM_SOFT_DIRTY): exact VmFlags checks see one more letter; the model has it as soft_dirty=on' : '',
      other ? `${NOT_MODELLED} VmFlags letters (${letters.filter((l) => !STOCK.anonVmFlags.split(' ').includes(l) && l !== 'sd').join(' ') || 'some missing'})` : '',
    ].filter(Boolean).join('; '),
  }, sd !== STOCK.softDirty || other);
  add({
    key: 'pageSize', fact: 'page size', here: String(m.pageSize), stock: String(STOCK.pageSize), modelled: false,
    effect: `${NOT_MODELLED} every page-granular value (the model and the executor assume 4 KiB pages)`,
  }, m.pageSize !== STOCK.pageSize);
  const thp = m.thp;
  const enabled = thp?.enabled ?? 'absent';
  add({
    key: 'thp', fact: 'THP enabled (PMD size)', here: enabled, stock: STOCK.thpEnabled, modelled: true,
    effect: enabled === 'always'
      ? 'every anonymous mapping that spans an aligned 2 MiB block faults huge pages without MADV_HUGEPAGE (Rss, AnonHugePages in 2 MiB steps); the model has it as thp=always'
      : enabled === 'never' || enabled === 'absent'
        ? '`requires thp` scenarios SKIP; MADV_HUGEPAGE blocks fault 4 KiB pages'
        : `THP is ${enabled}: the model knows always, madvise and never only`,
  }, enabled !== STOCK.thpEnabled);
  const mthp = enabledMthpSizes(m);
  add({
    key: 'thpSizes', fact: 'mTHP sizes', here: mthp.length ? mthp.join(', ') : thp?.sizes ? 'never' : 'absent', stock: STOCK.thpSizes, modelled: false,
    effect: `${NOT_MODELLED} anonymous faults, which may allocate ${mthp.map((s) => s.split(' ')[0]).join('/')} folios (Rss grows by more than a page per fault)`,
  }, mthp.length > 0);
  const shmem = thp?.shmemEnabled ?? 'absent';
  add({
    key: 'shmemEnabled', fact: 'THP shmem_enabled', here: shmem, stock: STOCK.shmemEnabled, modelled: false,
    effect: `${NOT_MODELLED} ${tmpfsFiles ? "the scenario's files (the temp dir is tmpfs) and " : ''}shared anonymous and System V shm mappings, which may get huge pages`,
  }, shmem !== STOCK.shmemEnabled && shmem !== 'absent' && shmem !== 'deny');
  const defrag = thp?.defrag ?? 'absent';
  add({
    key: 'defrag', fact: 'THP defrag', here: defrag, stock: STOCK.defrag, modelled: false,
    effect: `${NOT_MODELLED} huge page faults under fragmentation (stall to compact, or fall back to 4 KiB pages)`,
  }, defrag !== STOCK.defrag && defrag !== 'absent');
  const oc = m.overcommitMemory;
  add({
    key: 'overcommitMemory', fact: 'vm.overcommit_memory', here: oc === undefined ? 'unknown' : String(oc), stock: String(STOCK.overcommitMemory), modelled: false,
    effect: `${NOT_MODELLED} ${oc === 2 ? 'writable private mappings, mremap and brk past the commit limit (ENOMEM)' : 'very large mappings (no heuristic refusal)'}`,
  }, oc !== undefined && oc !== STOCK.overcommitMemory);
  const mmc = m.maxMapCount;
  add({
    key: 'maxMapCount', fact: 'vm.max_map_count', here: mmc === undefined ? 'unknown' : String(mmc), stock: String(STOCK.maxMapCount), modelled: true,
    effect: `mmap, mprotect and munmap that split VMAs fail with ENOMEM past ${mmc} VMAs, not ${STOCK.maxMapCount}; the model follows this value under diff`,
  }, mmc !== undefined && mmc !== STOCK.maxMapCount);
  const ml = m.memlock;
  add({
    key: 'memlock', fact: 'RLIMIT_MEMLOCK', here: ml ? `${bytes(ml.soft)} soft, ${bytes(ml.hard)} hard` : 'unknown', stock: `${bytes(STOCK.memlock)} soft, ${bytes(STOCK.memlock)} hard`, modelled: true,
    effect: 'mlock, mlockall and MAP_LOCKED without CAP_IPC_LOCK hit the limit at another size (ENOMEM, EAGAIN), and setrlimit starts from it; the model follows these values under diff',
  }, ml !== undefined && (ml.soft !== STOCK.memlock || ml.hard !== STOCK.memlock));
  return v;
}

/** Every verdict, in the order printed. */
export function doctorVerdicts(d: DoctorInput): Verdict[] {
  const v: Verdict[] = [];
  const add = (x: Verdict): void => {
    if (!x.differs) delete x.effect;
    v.push(x);
  };
  const profile = (r: string): string => `linux-${/^(\d+\.\d+)/.exec(r)?.[1] ?? '?'}`;
  add({
    key: 'release', fact: 'kernel release', here: `${d.release} (${profile(d.release)})`, stock: `${STOCK.release} (${DEFAULT_KERNEL})`,
    differs: profile(d.release) !== DEFAULT_KERNEL, modelled: true,
    effect: `scenarios written for ${DEFAULT_KERNEL} SKIP or take their version cases; the model runs ${DEFAULT_KERNEL} unless -k ${profile(d.release)} (mls list --kernels)`,
  });
  const tmpfsFiles = d.tempDir.filesFs === 'tmpfs';
  if (d.machine) v.push(...machineVerdicts(d.machine, tmpfsFiles));
  else {
    add({
      key: 'machine', fact: 'behaviour probes', here: `unavailable (${d.machineError ?? 'mls-exec facts gave no answer'})`, stock: 'available',
      differs: true, modelled: true, effect: 'zero page, huge zero page, pkeys and VmFlags are unknown here: build the executor (node native/build.mjs)',
    });
  }
  add({
    key: 'capBnd', fact: 'capability bounding set', here: d.capBnd ?? 'unknown', stock: STOCK.capBnd,
    differs: d.capBnd !== undefined && d.capBnd !== STOCK.capBnd, modelled: true,
    effect: 'the executor starts with other capabilities (cap raise, setrlimit above the hard limit); the model follows the image (capBnd)',
  });
  add({
    key: 'uid', fact: 'running as root', here: d.uid === 0 ? 'yes' : `no (uid ${d.uid})`, stock: 'yes', differs: d.uid !== 0, modelled: true,
    effect: '`requires root` and System V shm scenarios SKIP',
  });
  add({
    key: 'capIpcLock', fact: 'CAP_IPC_LOCK permitted', here: yesNo(d.capIpcLockPermitted), stock: 'yes', differs: !d.capIpcLockPermitted, modelled: true,
    effect: '`requires cap_ipc_lock` scenarios SKIP; every lock counts against RLIMIT_MEMLOCK',
  });
  const fsHere = d.tempDir.filesFs === undefined ? 'unknown' : tmpfsFiles ? 'tmpfs' : 'disk';
  add({
    key: 'filesFs', fact: `scenario files (${d.tempDir.path})`, here: fsHere, stock: STOCK.filesFs, differs: tmpfsFiles, modelled: true,
    effect: "each `file` is a shmem inode (no readahead, RssShmem, no writeback); the model follows the image (filesFs); set TMPDIR to a disk directory to match stock",
  });
  const ra = d.tempDir.readAheadKb;
  add({
    key: 'readAheadKb', fact: 'their read_ahead_kb', here: ra === undefined ? 'unknown' : String(ra), stock: String(STOCK.readAheadKb),
    differs: ra !== undefined && ra !== STOCK.readAheadKb, modelled: true,
    effect: 'file faults read ahead and fault around other windows (Rss of file mappings after a read); the model follows the image (readAheadKb)',
  });
  for (const f of ['memfd_secret', 'droppable', 'io_uring'] as const) {
    const here = d.features[f];
    add({
      key: f, fact: f, here, stock: 'ok', differs: here !== 'ok', modelled: true,
      effect: `\`requires ${f}\` scenarios SKIP; without the requirement the call's error is observed`,
    });
  }
  return v;
}

/** `mls doctor --json`. */
export function doctorJson(d: DoctorInput): { facts: DoctorInput; verdicts: Verdict[]; differences: number } {
  const verdicts = doctorVerdicts(d);
  return { facts: d, verdicts, differences: verdicts.filter((v) => v.differs).length };
}

/** `mls doctor`: one line per fact (`!` marks a difference, the effect under it), then the boot parameters. */
export function renderDoctor(d: DoctorInput, style: Style = plain): string {
  const verdicts = doctorVerdicts(d);
  const wFact = Math.max(4, ...verdicts.map((v) => v.fact.length));
  const wHere = Math.max(4, ...verdicts.map((v) => v.here.length));
  const out = [
    `mls doctor: this host against the stock machine the model defaults to (SPEC.md Part II, "Host facts")`,
    '',
    `  ${'fact'.padEnd(wFact)}  ${'here'.padEnd(wHere)}  stock`,
  ];
  for (const v of verdicts) {
    const line = `${v.differs ? '!' : ' '} ${v.fact.padEnd(wFact)}  ${v.here.padEnd(wHere)}  ${v.stock}`;
    out.push(v.differs ? style.yellow(line) : line);
    if (v.differs && v.effect) out.push(`    ${style.dim('→')} ${v.effect}`);
  }
  const n = verdicts.filter((v) => v.differs).length;
  out.push('');
  out.push(n === 0 ? 'No differences: host results should match the model.' : `${n} difference${n === 1 ? '' : 's'} from stock (marked !).`);
  const boot = d.machine?.bootParams;
  if (boot?.length) out.push(`Kernel parameters that change mm: ${boot.join(' ')} (explanation only: every fact above was probed by behaviour).`);
  return out.join('\n') + '\n';
}
