// Programs of an alphabet as text, for the enumeration tests.
import { printScenario } from '../../grammar/print.js';
import { PRESETS } from '../../runner/explore/alphabet.js';
import { levels, walkLevel, type Program, type PruneCounts } from '../../runner/explore/enumerate.js';
import { programScenario } from '../../runner/explore/run.js';
import { Space } from '../../runner/explore/space.js';

/** A program's statements, one per line, without the trailing (empty) expects. */
export function programText(p: Pick<Program, 'statements' | 'procs'>): string {
  return printScenario(programScenario(p)).split('\n').slice(2).filter((l) => l && !/^(in \w+ \{|\})$/.test(l)).map((l) => l.replace(/ => any$/, '')).join('\n');
}

/** Every program of `preset` up to `depth` statements, in enumeration order. */
export function allPrograms(preset: string, depth: number): { programs: Program[]; prune: PruneCounts } {
  const a = PRESETS[preset]!;
  const space = new Space(a);
  const prune: PruneCounts = { commuting: 0, noop: 0, explained: 0 };
  const programs: Program[] = [];
  const gen = levels(a, depth);
  for (let nx = gen.next(false); !nx.done;) {
    const w = walkLevel(space, nx.value, { prune }, (p) => { programs.push(p); return true; });
    nx = gen.next(w.overflow);
  }
  return { programs, prune };
}
