// The machine's facts (schema HostFacts, StartImage.facts): how this kernel
// behaves where kernels differ without a version telling (SPEC.md Part II,
// "Host facts"). The behaviour probes run in the executor (`mls-exec facts`,
// native/src/facts.c: zero page, huge zero page, pkeys, VmFlags, page size);
// the settings come from procfs/sysfs text. Parsers are pure (tested on canned
// text, test/host/facts.test.ts); reading files is separate, and a missing file
// (no THP, no /sys) leaves its field absent. Read once per process: nothing
// here changes while mls runs (the host never writes system settings).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { HostFacts as MachineFacts } from '../../../schema/generated/types.js';

export type { MachineFacts };

/** What `mls-exec facts` printed; a field is absent when its probe answered `-` or nothing. */
export interface ExecutorFacts {
  zeroPage?: boolean;
  hugeZeroPage?: boolean;
  pkeys?: boolean;
  anonVmFlags?: string;
  pageSize?: number;
}

const bool = (v: string | undefined): boolean | undefined => (v === '1' ? true : v === '0' ? false : undefined);

/** `key value` lines of `mls-exec facts`; unknown keys and `-` values are ignored. */
export function parseFactsOutput(text: string): ExecutorFacts {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\w+) ?(.*)$/.exec(line.trimEnd());
    if (m) kv.set(m[1]!, m[2]!);
  }
  const out: ExecutorFacts = {};
  const zero = bool(kv.get('zero_page')), huge = bool(kv.get('huge_zero_page')), pkeys = bool(kv.get('pkeys'));
  if (zero !== undefined) out.zeroPage = zero;
  if (huge !== undefined) out.hugeZeroPage = huge;
  if (pkeys !== undefined) out.pkeys = pkeys;
  const flags = kv.get('anon_vmflags');
  if (flags !== undefined && flags !== '-') out.anonVmFlags = flags.trim().split(/\s+/).filter(Boolean).join(' ');
  const page = Number(kv.get('page_size'));
  if (Number.isInteger(page) && page > 0) out.pageSize = page;
  return out;
}

/** The `[selected]` word of a sysfs choice file (`always [madvise] never` → `madvise`). */
export function parseThpSelected(text: string | undefined): string | undefined {
  return text === undefined ? undefined : /\[([^\]\s]+)\]/.exec(text)?.[1];
}

/** A sysfs/procfs file holding one integer (`65530\n`). */
export function parseInteger(text: string | undefined): number | undefined {
  const s = text?.trim();
  if (!s || !/^-?\d+$/.test(s)) return undefined;
  return Number(s);
}

/** RLIMIT_MEMLOCK from /proc/<pid>/limits: `Max locked memory  8388608  8388608  bytes`. */
export function parseLimits(text: string): MachineFacts['memlock'] | undefined {
  const m = /^Max locked memory\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  return m ? { soft: m[1]!, hard: m[2]! } : undefined;
}

/**
 * Kernel parameters known to change what mm scenarios observe. Explanation only:
 * every fact is probed by behaviour, these just say why it differs.
 */
export const MM_BOOT_PARAMS: readonly string[] = [
  'pvm_no_zero_page', // mm_forbids_zeropage() on PVM guests: reads allocate real pages
  'transparent_hugepage', 'transparent_hugepage_shmem', 'transparent_hugepage_tmpfs', 'thp_anon',
  'nopku', // no protection keys: PROT_EXEC-only is readable
  'hugepages', 'hugepagesz', 'default_hugepagesz', 'hugetlb_free_vmemmap',
  'norandmaps', 'init_on_alloc', 'init_on_free', 'numa_balancing', 'mem', 'kernelcore', 'movablecore',
];

/** The mm-relevant words of /proc/cmdline, in order (those after `--` belong to init). */
export function parseBootParams(cmdline: string): string[] {
  const out: string[] = [];
  for (const word of cmdline.trim().split(/\s+/)) {
    if (word === '--') break;
    if (MM_BOOT_PARAMS.includes(word.split('=')[0]!)) out.push(word);
  }
  return out;
}

/** Where the settings are read from: a path → its text (undefined when missing), a dir → its entries. */
export interface FactFiles {
  read(path: string): string | undefined;
  list(dir: string): string[];
}

const THP = '/sys/kernel/mm/transparent_hugepage';

/** The THP settings of sysfs; undefined without /sys/kernel/mm/transparent_hugepage (CONFIG_TRANSPARENT_HUGEPAGE=n). */
export function thpFacts(files: FactFiles): MachineFacts['thp'] | undefined {
  const enabled = parseThpSelected(files.read(`${THP}/enabled`));
  if (enabled === undefined) return undefined;
  const thp: NonNullable<MachineFacts['thp']> = { enabled };
  const defrag = parseThpSelected(files.read(`${THP}/defrag`));
  if (defrag !== undefined) thp.defrag = defrag;
  const shmem = parseThpSelected(files.read(`${THP}/shmem_enabled`));
  if (shmem !== undefined) thp.shmemEnabled = shmem;
  const zero = parseInteger(files.read(`${THP}/use_zero_page`));
  if (zero !== undefined) thp.useZeroPage = zero !== 0;
  const sizes: Record<string, string> = {};
  const dirs = files.list(THP).map((d) => /^hugepages-(\d+)kB$/.exec(d)?.[1]).filter((kb) => kb !== undefined);
  for (const kb of dirs.map(Number).sort((a, b) => a - b)) {
    const v = parseThpSelected(files.read(`${THP}/hugepages-${kb}kB/enabled`));
    if (v) sizes[`${kb}kB`] = v;
  }
  if (Object.keys(sizes).length) thp.sizes = sizes;
  return thp;
}

/** The executor's probes plus the settings files; undefined when the probes gave no answer at all. */
export function combineFacts(exec: ExecutorFacts, files: FactFiles): MachineFacts | undefined {
  if (exec.zeroPage === undefined || exec.pkeys === undefined || exec.anonVmFlags === undefined || exec.pageSize === undefined) {
    return undefined;
  }
  const f: MachineFacts = { zeroPage: exec.zeroPage, pkeys: exec.pkeys, anonVmFlags: exec.anonVmFlags, pageSize: exec.pageSize };
  if (exec.hugeZeroPage !== undefined) f.hugeZeroPage = exec.hugeZeroPage;
  f.softDirty = exec.anonVmFlags.split(' ').includes('sd');
  const thp = thpFacts(files);
  if (thp) f.thp = thp;
  const overcommit = parseInteger(files.read('/proc/sys/vm/overcommit_memory'));
  if (overcommit !== undefined) f.overcommitMemory = overcommit;
  const maxMap = parseInteger(files.read('/proc/sys/vm/max_map_count'));
  if (maxMap !== undefined) f.maxMapCount = maxMap;
  // The executor inherits this process's rlimits (the supervisor keeps them untouched).
  const memlock = parseLimits(files.read('/proc/self/limits') ?? '');
  if (memlock) f.memlock = memlock;
  const cmdline = files.read('/proc/cmdline');
  if (cmdline !== undefined) f.bootParams = parseBootParams(cmdline);
  return f;
}

/** This machine's files. */
export const hostFiles: FactFiles = {
  read(path) {
    try { return readFileSync(path, 'latin1'); } catch { return undefined; }
  },
  list(dir) {
    try { return readdirSync(dir); } catch { return []; }
  },
};

/** Runs `mls-exec facts`; the text it printed, or an Error saying why there is none. */
export function runFactsProbe(executable: string): string | Error {
  try {
    return execFileSync(executable, ['facts'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

let cached: { executable: string; value: MachineFacts | undefined } | undefined;

/**
 * This machine's facts, probed once per process (undefined when the executor
 * cannot run or its probes gave no answer: then the image carries none).
 */
export function machineFacts(executable: string): MachineFacts | undefined {
  if (cached?.executable === executable) return cached.value;
  const out = runFactsProbe(executable);
  const value = typeof out === 'string' ? combineFacts(parseFactsOutput(out), hostFiles) : undefined;
  cached = { executable, value };
  return value;
}
