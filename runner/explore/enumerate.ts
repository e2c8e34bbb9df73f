// Programs in order of size: statements, then regions (mappings), then
// argument magnitude (the sum of the statements' magnitudes), then the order
// of candidates. One level (n, r, m) is walked depth first, so programs are
// never stored. Pruned while walking (SPEC Exploring, "Pruning"):
// - renaming: regions and children are named in order of creation (statements.ts), one spelling per program;
// - commuting: two neighbouring independent statements only in ascending key order;
// - no-ops: a statement that cannot change state (munlock before anything was locked …) only ends a program;
// - explained: with `--all`, extensions of a program that already differs.
import type { Alphabet } from './alphabet.js';
import type { Space } from './space.js';
import { compareKeys, independent, type Candidate, type ProgramState } from './statements.js';

export interface Level { statements: number; regions: number; magnitude: number }

export interface Program {
  level: Level;
  /** Index of the program in its level (the order programs are tried in). */
  index: number;
  statements: Candidate[];
  /** Process names alive at the end, in order of creation. */
  procs: string[];
  /** The statements' ids joined: the program's identity. */
  readonly id: string;
}

export interface PruneCounts { commuting: number; noop: number; explained: number }

export interface WalkOptions {
  /** Programs (by id) whose extensions are not walked. */
  explained?: ReadonlySet<string>;
  prune: PruneCounts;
}

/**
 * Every program of one level, in order. `visit` returns false to stop. Returns whether some candidate was
 * too large for this magnitude (false: no program of a larger magnitude exists at this many statements
 * and regions).
 */
export function walkLevel(space: Space, level: Level, o: WalkOptions, visit: (p: Program) => boolean): { overflow: boolean; stopped: boolean } {
  let overflow = false;
  let stopped = false;
  let index = 0;
  const stack: Candidate[] = [];
  const bound = space.maxMagnitude;
  const idOf = (l: readonly Candidate[]): string => l.map((c) => c.id).join(' ');
  const go = (s: ProgramState, pos: number, magLeft: number, regionsLeft: number): void => {
    if (pos === level.statements) {
      if (magLeft !== 0 || regionsLeft !== 0) return;
      const statements = [...stack];
      const p: Program = { level, index: index++, statements, procs: s.procs.map((x) => x.name), get id() { return idOf(statements); } };
      if (!visit(p)) stopped = true;
      return;
    }
    const left = level.statements - pos - 1;
    const prev = stack[pos - 1];
    for (const c of space.candidates(s)) {
      if (stopped) return;
      const isMap = c.kind === 'mmap';
      if (isMap ? regionsLeft === 0 : left < regionsLeft) continue;
      if (c.magnitude > magLeft) { overflow = true; continue; }
      // The rest of the program could not use up the magnitude (the last statement must match it exactly).
      if (magLeft - c.magnitude > left * bound) continue;
      if (c.noop && left > 0) { o.prune.noop++; continue; }
      if (prev && independent(prev, c, s) && compareKeys(c.key, prev.key) < 0) { o.prune.commuting++; continue; }
      stack.push(c);
      if (left > 0 && o.explained?.size && o.explained.has(idOf(stack))) o.prune.explained++;
      else go(space.next(s, c), pos + 1, magLeft - c.magnitude, regionsLeft - (isMap ? 1 : 0));
      stack.pop();
    }
  };
  go(space.initial, 0, level.magnitude, level.regions);
  return { overflow, stopped };
}

/**
 * The levels of `depth` statements in order. `run(level)` walks one and says whether it overflowed; the
 * magnitude of a (statements, regions) pair grows until a level does not.
 */
export function* levels(a: Alphabet, depth: number): Generator<Level, void, boolean> {
  for (let n = 1; n <= depth; n++) {
    for (let r = 0; r <= Math.min(n, a.maxRegions); r++) {
      for (let m = 0; ; m++) {
        const overflow: boolean = yield { statements: n, regions: r, magnitude: m };
        if (!overflow) break;
      }
    }
  }
}
