// The statements `mls explore` may use: a small, configurable alphabet. Every
// list is in order of magnitude (the first entry is the simplest reading), so
// the enumeration meets small programs first. A preset is named; a file is a
// JSON object of the same keys (any omitted key comes from `"preset"`, default
// `lock`).
import { readFileSync } from 'node:fs';

/** Calls on a page range of a region (offset and length in pages, inside the region). */
export const RANGE_CALLS = ['write', 'read', 'mlock', 'mlock2_onfault', 'munlock', 'munmap', 'mprotect_r', 'mprotect_none',
  'madvise_dontneed', 'mpin', 'munpin'] as const;
export type RangeCall = (typeof RANGE_CALLS)[number];

export const MAP_FLAGS = ['locked', 'populate'] as const;
export const MREMAP_FLAGS = ['maymove', 'nopopulate', 'dontunmap'] as const;

export interface Alphabet {
  name: string;
  /** Lengths (pages) of a new anonymous mapping. */
  mapPages: number[];
  /** Protections of a new mapping: `rw-`, `r--`, `---`. */
  mapProts: string[];
  mapShares: ('private' | 'shared')[];
  /** Flag sets of a new mapping ([] first). */
  mapFlags: (typeof MAP_FLAGS)[number][][];
  /** At most this many mappings in one program (region names a, b, c …). */
  maxRegions: number;
  rangeCalls: RangeCall[];
  /** Growth in pages an mremap may ask for (shrinks go down to 1 page). */
  mremapGrow: number[];
  /** Flag sets of mremap; a set with dontunmap keeps the length. */
  mremapFlags: (typeof MREMAP_FLAGS)[number][][];
  /** mlockall flag words (raw: undefined bits are how patches are told apart). */
  mlockallFlags: number[];
  munlockall: boolean;
  /** RLIMIT_MEMLOCK values (pages, soft = hard). */
  rlimitPages: number[];
  /** `cap drop ipc_lock`. */
  capDrop: boolean;
  fork: boolean;
  exec: boolean;
  /** Processes at most (main and its forked children). */
  maxProcs: number;
}

const LOCK: Alphabet = {
  name: 'lock',
  mapPages: [1, 2, 3, 4],
  mapProts: ['rw-', '---'],
  mapShares: ['private', 'shared'],
  mapFlags: [[], ['locked'], ['populate']],
  maxRegions: 2,
  rangeCalls: ['write', 'mlock', 'mlock2_onfault', 'munlock', 'munmap', 'mprotect_none', 'mpin', 'munpin'],
  mremapGrow: [1, 2],
  mremapFlags: [['maymove'], [], ['maymove', 'nopopulate'], ['maymove', 'dontunmap']],
  // CURRENT, FUTURE, both, CURRENT|ONFAULT, all three, then bits no mainline kernel defines (8, 16, 32).
  mlockallFlags: [1, 2, 3, 5, 7, 8, 17, 18, 50],
  munlockall: true,
  rlimitPages: [0, 1],
  capDrop: true,
  fork: true,
  exec: true,
  maxProcs: 2,
};

/** The smallest useful alphabet (tests: every program of depth 3 in well under a second). */
const TINY: Alphabet = {
  ...LOCK,
  name: 'tiny',
  mapPages: [1, 2],
  mapProts: ['rw-'],
  mapShares: ['private'],
  mapFlags: [[], ['locked']],
  rangeCalls: ['write', 'mlock', 'mlock2_onfault', 'munlock', 'munmap', 'mprotect_none'],
  mremapGrow: [1],
  mremapFlags: [['maymove']],
  mlockallFlags: [1, 2, 8],
  rlimitPages: [0],
  exec: false,
};

/** Everything the enumeration knows: more calls and sizes (deeper searches get slow quickly). */
const FULL: Alphabet = {
  ...LOCK,
  name: 'full',
  mapProts: ['rw-', '---', 'r--'],
  rangeCalls: [...RANGE_CALLS],
  mremapGrow: [1, 2, 4],
  mlockallFlags: [1, 2, 3, 4, 5, 6, 7, 8, 16, 17, 18, 19, 32, 50],
  rlimitPages: [0, 1, 4],
  maxRegions: 3,
};

export const PRESETS: Readonly<Record<string, Alphabet>> = { lock: LOCK, tiny: TINY, full: FULL };

export class AlphabetError extends Error {}

const PROTS = ['rw-', 'r--', '---'];

function checkList<T>(key: string, v: unknown, ok: (x: unknown) => x is T): T[] {
  if (!Array.isArray(v) || !v.every(ok)) throw new AlphabetError(`"${key}" must be a list (see the preset 'full' for the values)`);
  return v;
}

const isInt = (min: number) => (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min;
const isIn = <T extends string>(set: readonly T[]) => (x: unknown): x is T => typeof x === 'string' && (set as readonly string[]).includes(x);
const isSetOf = <T extends string>(set: readonly T[]) => (x: unknown): x is T[] => Array.isArray(x) && x.every(isIn(set));

/** An alphabet from a JSON object: unknown keys and wrong values are errors that name the key. */
export function alphabetOf(o: Record<string, unknown>, name: string): Alphabet {
  const base = o['preset'] === undefined ? LOCK : PRESETS[String(o['preset'])];
  if (!base) throw new AlphabetError(`unknown preset '${String(o['preset'])}' (presets: ${Object.keys(PRESETS).join(', ')})`);
  const a: Alphabet = { ...base, name };
  for (const [k, v] of Object.entries(o)) {
    switch (k) {
      case 'preset': break;
      case 'mapPages': a.mapPages = checkList(k, v, isInt(1)); break;
      case 'mapProts': a.mapProts = checkList(k, v, isIn(PROTS)); break;
      case 'mapShares': a.mapShares = checkList(k, v, isIn(['private', 'shared'] as const)); break;
      case 'mapFlags': a.mapFlags = checkList(k, v, isSetOf(MAP_FLAGS)); break;
      case 'rangeCalls': a.rangeCalls = checkList(k, v, isIn(RANGE_CALLS)); break;
      case 'mremapGrow': a.mremapGrow = checkList(k, v, isInt(1)); break;
      case 'mremapFlags': a.mremapFlags = checkList(k, v, isSetOf(MREMAP_FLAGS)); break;
      case 'mlockallFlags': a.mlockallFlags = checkList(k, v, isInt(0)); break;
      case 'rlimitPages': a.rlimitPages = checkList(k, v, isInt(0)); break;
      case 'maxRegions': case 'maxProcs':
        if (!isInt(1)(v) || v > 8) throw new AlphabetError(`"${k}" must be an integer 1…8`);
        a[k] = v;
        break;
      case 'munlockall': case 'capDrop': case 'fork': case 'exec':
        if (typeof v !== 'boolean') throw new AlphabetError(`"${k}" must be true or false`);
        a[k] = v;
        break;
      default: throw new AlphabetError(`unknown key "${k}" (keys: preset, ${Object.keys(LOCK).filter((x) => x !== 'name').join(', ')})`);
    }
  }
  if (a.mapPages.length === 0 || a.mapProts.length === 0 || a.mapShares.length === 0 || a.mapFlags.length === 0) {
    throw new AlphabetError('a mapping needs at least one length, protection, sharing and flag set');
  }
  return a;
}

/** `--alphabet`: a preset name, or a JSON file. */
export function loadAlphabet(spec: string | undefined, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Alphabet {
  if (spec === undefined) return LOCK;
  const preset = PRESETS[spec];
  if (preset) return preset;
  let text: string;
  try {
    text = readFile(spec);
  } catch {
    throw new AlphabetError(`'${spec}' is neither a preset (${Object.keys(PRESETS).join(', ')}) nor a readable file`);
  }
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new AlphabetError(`${spec}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new AlphabetError(`${spec}: must be a JSON object`);
  try {
    return alphabetOf(o as Record<string, unknown>, spec);
  } catch (e) {
    throw new AlphabetError(`${spec}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
