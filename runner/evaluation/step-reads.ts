// What an expect step reads beyond the usual snapshot (SPEC.md §3.6): page flags
// (/proc/kpageflags, after draining the LRU batches) and system counters
// (/proc/meminfo after stat_refresh). Both are costly or disturb the system, so
// only the steps that use them ask for them, on every target alike.
import type { Scenario } from '../../schema/generated/types.js';
import { PAGE_FLAG_FIELDS, SYSTEM_FIELDS } from '../../grammar/names.js';

type Step = Scenario['steps'][number];
const PAGES = new Set<string>(PAGE_FLAG_FIELDS);
const SYSTEM = new Set<string>(SYSTEM_FIELDS);

export interface StepReads { pages: boolean; meminfo: boolean }

export function stepReads(step: Step): StepReads {
  if (step.op !== 'expect') return { pages: false, meminfo: false };
  const fields = step.checks.map((c) => c.field as string);
  if (step.capture) fields.push(step.capture.field);
  return { pages: fields.some((f) => PAGES.has(f)), meminfo: fields.some((f) => SYSTEM.has(f)) };
}

/** Whether any step of the scenario reads page flags or system counters (the host needs root). */
export function scenarioReads(s: Scenario): StepReads {
  const r = { pages: false, meminfo: false };
  for (const st of s.steps) { const x = stepReads(st); r.pages ||= x.pages; r.meminfo ||= x.meminfo; }
  return r;
}
