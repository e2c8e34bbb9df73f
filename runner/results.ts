// The RunResults document every reporter consumes, and the closing line.
import type { FileResult, RunResults, Summary } from '../schema/generated/types.js';
import { TOOL_VERSION, modelVersion } from './version.js';

/** A failure that fails the run: an ERROR, or a FAIL not marked `todo`. */
export function isFailure(f: Pick<FileResult, 'outcome' | 'todo'>): boolean {
  return f.outcome === 'ERROR' || (f.outcome === 'FAIL' && f.todo === undefined);
}

/** A FAIL of a scenario marked `todo`: reported, fails nothing (TAP's `# TODO`). */
export function isTodoFailure(f: Pick<FileResult, 'outcome' | 'todo'>): boolean {
  return f.outcome === 'FAIL' && f.todo !== undefined;
}

export function summarize(files: readonly FileResult[]): Summary {
  const s: Summary = { passed: 0, failed: 0, errors: 0, skipped: 0, total: files.length };
  for (const f of files) {
    if (f.outcome === 'PASS') s.passed++;
    else if (f.outcome === 'SKIP') s.skipped++;
    else if (isTodoFailure(f)) s.todo = (s.todo ?? 0) + 1;
    else {
      s.failed++;
      if (f.outcome === 'ERROR') s.errors++;
    }
  }
  return s;
}

/** The line every run ends with (CI log readers look for it). */
export function summaryLine(s: Summary): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${s.todo ? `, ${s.todo} todo` : ''}`;
}

export function runResults(files: FileResult[], startedAt: Date, interrupted: boolean): RunResults {
  return {
    schemaVersion: 1,
    tool: { version: TOOL_VERSION, node: process.version, modelVersion: modelVersion() },
    startedAt: startedAt.toISOString(),
    durationMs: Math.max(0, Date.now() - startedAt.getTime()),
    interrupted,
    summary: summarize(files),
    files,
  };
}
