// Pure watch logic (vitest's watcher.ts idea): from the content hashes before
// and after a batch of file events, decide what to re-run. Events are only
// hints: a save that changes no byte re-runs nothing.
export interface WatchSnapshot {
  /** Scenario file (display path) → sha256 of its content. */
  files: ReadonlyMap<string, string>;
  /** Hash of the code the runs depend on (grammar/, runtime/); a change re-runs everything. */
  code: string;
}

export interface RerunPlan {
  /** Files to run now, sorted. */
  run: string[];
  added: string[];
  changed: string[];
  removed: string[];
  /** The code changed: every file re-runs. */
  all: boolean;
}

export function planRerun(prev: WatchSnapshot, next: WatchSnapshot): RerunPlan {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [file, hash] of next.files) {
    const before = prev.files.get(file);
    if (before === undefined) added.push(file);
    else if (before !== hash) changed.push(file);
  }
  for (const file of prev.files.keys()) if (!next.files.has(file)) removed.push(file);
  const all = prev.code !== next.code;
  const run = all ? [...next.files.keys()] : [...added, ...changed];
  return { run: run.sort(), added: added.sort(), changed: changed.sort(), removed: removed.sort(), all };
}

/** The line shown above each re-run: "re-ran 1 of 240 scenarios (changed: a.mls)". */
export function describePlan(plan: RerunPlan, total: number): string {
  const parts: string[] = [];
  if (plan.all) parts.push('grammar or model changed');
  if (plan.changed.length) parts.push(`changed: ${short(plan.changed)}`);
  if (plan.added.length) parts.push(`added: ${short(plan.added)}`);
  if (plan.removed.length) parts.push(`removed: ${short(plan.removed)}`);
  return `re-ran ${plan.run.length} of ${total} scenario${total === 1 ? '' : 's'}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

function short(files: string[]): string {
  return files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`;
}
