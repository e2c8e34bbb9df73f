// Which kernel profile a per-profile value or a `kernel` header line applies
// to. Profile names are `linux-X.Y[+patch…]` (model) or a `uname -r` string
// (host: only version constraints can match it).
import type { KernelSelection, ProfileSelector, VersionConstraint } from '../../schema/generated/types.js';
import { MODEL_DEFAULTS, type SettingValues } from '../machine/settings.js';

export interface ParsedProfile {
  name: string;
  /** [major, minor, patchlevel]; undefined when the name carries no version. */
  version?: [number, number, number];
  patches: string[];
  /** The machine settings of the run (`on zero_page=off` selectors); absent: the model's defaults. */
  settings?: SettingValues;
}

export function parseProfile(name: string): ParsedProfile {
  const [base = '', ...patches] = name.split('+');
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(base);
  return m ? { name, version: [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)], patches } : { name, patches };
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function satisfies(profile: ParsedProfile, c: VersionConstraint): boolean {
  if (!profile.version) return false;
  const want = c.version.split('.').map(Number);
  // `4.4` constrains major.minor only: 4.4.302 == 4.4.
  const have = want.length < 3 ? [profile.version[0], profile.version[1], 0] : profile.version;
  const d = compareVersions(have, want);
  switch (c.op) {
    case '<': return d < 0;
    case '<=': return d <= 0;
    case '==': return d === 0;
    case '>=': return d >= 0;
    case '>': return d > 0;
  }
}

/** SPEC §3: a selector names a profile (exact), a patch the profile includes, a version constraint, or a machine setting of the run. */
export function selectorMatches(sel: ProfileSelector, profile: ParsedProfile): boolean {
  if (sel.settings) {
    const have = profile.settings ?? MODEL_DEFAULTS;
    if (!sel.settings.every((x) => have[x.name as keyof SettingValues] === x.value)) return false;
    if (sel.profile === undefined && sel.version === undefined) return true;
  }
  if (sel.profile !== undefined) {
    if (sel.profile === profile.name) return true;
    if (!profile.patches.includes(sel.profile)) return false;
  }
  if (sel.version !== undefined && !satisfies(profile, sel.version)) return false;
  return sel.profile !== undefined || sel.version !== undefined;
}

/** First matching case wins; the default otherwise. */
export function pickValue<T>(expect: { default: T; cases: Array<{ when: ProfileSelector; value: T }> }, profile: ParsedProfile): T {
  return pickCase(expect, profile).value;
}

/** The matching case itself (an expect case may also change the comparison: `has lo, lacks lo on posix-mlock`). */
export function pickCase<C extends { when: ProfileSelector; value: unknown }>(
  expect: { default: C['value']; cases: C[] }, profile: ParsedProfile,
): { value: C['value']; case?: C } {
  for (const c of expect.cases) if (selectorMatches(c.when, profile)) return { value: c.value, case: c };
  return { value: expect.default };
}

/** Why a scenario's `kernel` header lines exclude this profile, or undefined when they do not. */
export function kernelMismatch(sel: KernelSelection, profile: ParsedProfile): string | undefined {
  if (sel.profiles.length > 0 && !sel.profiles.some((p) => selectorMatches({ profile: p }, profile))) {
    return `scenario targets ${sel.profiles.join(', ')}, not ${profile.name}`;
  }
  for (const c of sel.constraints) {
    if (!satisfies(profile, c)) return `scenario needs kernel ${c.op} ${c.version}, not ${profile.name}`;
  }
  return undefined;
}
