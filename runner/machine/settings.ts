// Machine settings as the language names them (`requires zero_page=off`,
// `on pkeys=off`): what each target's run had, where each value comes from,
// and how a difference between a scenario and a host is explained. The
// vocabulary is grammar/names.ts SETTINGS; the model's side is
// runtime/settings.ts (MachineSettings) plus the start image's filesystem fields.
import type { HostFacts, Settings, StartImage } from '../../schema/generated/types.js';
import { SETTING_NAMES, SETTINGS, type SettingName } from '../../grammar/names.js';

/** Every setting with a value, as written in the language. */
export type SettingValues = Record<SettingName, string>;

/** The model's defaults: the stock test machine (SPEC Part II, host facts; III.2). */
export const MODEL_DEFAULTS: Readonly<SettingValues> = Object.freeze({
  zero_page: 'on',
  huge_zero_page: 'on',
  pkeys: 'on',
  soft_dirty: 'off',
  thp: 'madvise',
  files: 'disk',
  read_ahead_kb: '8192',
});

const onOff = (b: boolean): string => (b ? 'on' : 'off');

/**
 * What a host image says of the settings: its probed facts (image.facts) and the
 * filesystem of its temp dir. Only what it tells; the rest is left to the defaults.
 */
export function settingsOfImage(image: StartImage | undefined): Partial<SettingValues> {
  const out: Partial<SettingValues> = {};
  if (!image) return out;
  const f = image.facts;
  if (f) {
    out.zero_page = onOff(f.zeroPage);
    if (f.hugeZeroPage !== undefined) out.huge_zero_page = onOff(f.hugeZeroPage);
    out.pkeys = onOff(f.pkeys);
    out.soft_dirty = onOff(f.softDirty ?? f.anonVmFlags.split(/\s+/).includes('sd'));
    const thp = f.thp?.enabled;
    if (thp === 'always' || thp === 'madvise' || thp === 'never') out.thp = thp;
  }
  if (image.filesFs) out.files = image.filesFs === 'tmpfs' ? 'tmpfs' : 'disk';
  if (image.readAheadKb !== undefined) out.read_ahead_kb = String(image.readAheadKb);
  return out;
}

/**
 * The settings a model run has: defaults, then the run's (the host's facts under
 * diff/fuzz/record, or `--setting`), then what the scenario requires.
 */
export function effectiveSettings(...layers: Array<Partial<Record<string, string>> | undefined>): SettingValues {
  const out: SettingValues = { ...MODEL_DEFAULTS };
  for (const l of layers) {
    if (!l) continue;
    for (const n of SETTING_NAMES) if (l[n] !== undefined) out[n] = l[n]!;
  }
  // Files on tmpfs have no readahead: the filesystem decides read_ahead_kb unless stated.
  if (out.files === 'tmpfs' && !layers.some((l) => l?.read_ahead_kb !== undefined)) out.read_ahead_kb = '0';
  return out;
}

/** The ObservationLog form (read_ahead_kb as a number). */
export function logSettings(v: SettingValues): Settings {
  return { ...v, read_ahead_kb: Number(v.read_ahead_kb) } as Settings;
}

/** A log's settings back as language values; absent names take the model's defaults. */
export function valuesOfLog(s: Settings | undefined): SettingValues {
  const raw: Partial<Record<string, string>> = {};
  for (const [k, v] of Object.entries(s ?? {})) raw[k] = String(v);
  return effectiveSettings(raw);
}

/** `--setting name=value` (repeatable): parsed and checked against the vocabulary. */
export function parseSettingArgs(args: readonly string[]): Partial<SettingValues> | { error: string } {
  const out: Partial<SettingValues> = {};
  for (const a of args) {
    const m = /^([a-z_]+)=([A-Za-z0-9_]+)$/.exec(a);
    const name = m && SETTING_NAMES.find((n) => n === m[1]);
    if (!m || !name) return { error: `--setting takes name=value with a name among ${SETTING_NAMES.join(', ')} (got \`${a}\`)` };
    const allowed = SETTINGS[name];
    const ok = allowed === 'number' ? /^\d{1,9}$/.test(m[2]!) : (allowed as readonly string[]).includes(m[2]!);
    if (!ok) return { error: `--setting ${name} takes ${allowed === 'number' ? 'a decimal number' : (allowed as readonly string[]).join(' or ')} (got \`${m[2]}\`)` };
    out[name] = m[2]!;
  }
  return out;
}

/** A setting's value in words, for SKIP reasons and `mls doctor`. */
export function describeSetting(name: SettingName, value: string): string {
  switch (name) {
    case 'zero_page': return value === 'on' ? 'reads of untouched anonymous memory map the zero page' : 'reads of untouched anonymous memory allocate pages (no zero page)';
    case 'huge_zero_page': return value === 'on' ? 'reads of an untouched THP block map the huge zero page' : 'reads of an untouched THP block allocate a huge page (no huge zero page)';
    case 'pkeys': return value === 'on' ? 'PROT_EXEC-only mappings cannot be read (protection keys)' : 'PROT_EXEC-only mappings are readable (no protection keys)';
    case 'soft_dirty': return value === 'on' ? 'VmFlags print `sd` (CONFIG_MEM_SOFT_DIRTY)' : 'VmFlags print no `sd`';
    case 'thp': return `transparent huge pages are \`${value}\``;
    case 'files': return value === 'tmpfs' ? "the scenario's files live on tmpfs" : "the scenario's files live on a disk filesystem";
    case 'read_ahead_kb': return `read_ahead_kb of the scenario files' filesystem is ${value}`;
  }
}

/** Kernel command-line words that explain a fact (pvm_no_zero_page=1 for the zero page). */
function evidence(name: SettingName, facts: HostFacts | undefined): string {
  const words = facts?.bootParams ?? [];
  const related: Partial<Record<SettingName, RegExp>> = {
    zero_page: /zero_page/, huge_zero_page: /zero_page|transparent_hugepage/, pkeys: /pku|pkey/, thp: /^transparent_hugepage=/,
  };
  const re = related[name];
  const hit = re ? words.filter((w) => re.test(w)) : [];
  return hit.length ? `; ${hit.join(' ')}` : '';
}

/**
 * Why a host whose settings differ cannot run a scenario that assumes others, naming the fact
 * and both values, e.g. `host: reads of untouched anonymous memory allocate pages (no zero page)
 * (zero_page=off; pvm_no_zero_page=1); the scenario assumes zero_page=on`.
 */
export function settingsMismatch(required: Readonly<Record<string, string>> | undefined, host: SettingValues, facts?: HostFacts): string | undefined {
  for (const [k, want] of Object.entries(required ?? {})) {
    const name = SETTING_NAMES.find((n) => n === k);
    if (!name || host[name] === want) continue;
    return `host: ${describeSetting(name, host[name])} (${name}=${host[name]}${evidence(name, facts)}); the scenario assumes ${name}=${want}`;
  }
  return undefined;
}
