// The statement space of one alphabet, memoised: states are interned by value
// (many programs reach the same state: `a = mmap 1p` and `a = mmap 1p populate`
// leave the same region behind), and each state's candidates and each
// candidate's next state are built once. Walking a level then allocates almost
// nothing, which is what makes enumeration cheap next to running programs.
import type { Alphabet } from './alphabet.js';
import { candidates, initialState, type Candidate, type ProgramState } from './statements.js';

export class Space {
  private readonly states = new Map<string, ProgramState>();
  private readonly lists = new Map<ProgramState, Candidate[]>();
  private readonly nexts = new Map<Candidate, ProgramState>();
  /** No statement has a larger magnitude (a level's remaining magnitude beyond reach prunes the walk). */
  readonly maxMagnitude: number;
  readonly initial: ProgramState;

  constructor(readonly alphabet: Alphabet) {
    const a = alphabet;
    const pages = Math.max(...a.mapPages);
    const last = (l: readonly unknown[]): number => Math.max(0, l.length - 1);
    this.maxMagnitude = Math.max(
      last(a.mapPages) + last(a.mapProts) + last(a.mapShares) + last(a.mapFlags),
      pages,
      last(a.mremapFlags) + Math.max(a.mremapGrow.length, pages - 1),
      last(a.mlockallFlags), last(a.rlimitPages),
    );
    this.initial = this.intern(initialState());
  }

  private intern(s: ProgramState): ProgramState {
    const key = JSON.stringify(s);
    const known = this.states.get(key);
    if (known) return known;
    this.states.set(key, s);
    return s;
  }

  candidates(s: ProgramState): Candidate[] {
    let l = this.lists.get(s);
    if (!l) this.lists.set(s, (l = candidates(s, this.alphabet)));
    return l;
  }

  next(s: ProgramState, c: Candidate): ProgramState {
    let n = this.nexts.get(c);
    if (!n) this.nexts.set(c, (n = this.intern(c.next(s))));
    return n;
  }
}
