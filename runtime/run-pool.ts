// Page-table runs (page-table.ts) as records in one growable buffer rather than
// as objects: a run is 32 bytes in one cache line — start and base (exact
// doubles), length, object number and the next run of its PMD (int32) — and the
// garbage collector never walks them. Freed records are reused (a free list
// threaded through `next`). PmdPage: the run-list heads of one PUD entry's PMDs.

/** No run: the end of a PMD's list, an empty slot. */
export const NIL = -1;

export class RunPool {
  private f: Float64Array;
  private i: Int32Array;
  private cap: number;
  private top = 0;
  private freeList = NIL;
  /** Runs allocated and not freed. */
  live = 0;

  /** Records ever handed out: ids below this are live runs or freed (length 0). */
  get used(): number { return this.top; }

  constructor(capacity = 32) {
    this.cap = capacity;
    const buf = new ArrayBuffer(capacity * 32);
    this.f = new Float64Array(buf);
    this.i = new Int32Array(buf);
  }

  start(r: number): number { return this.f[r * 4]!; }
  base(r: number): number { return this.f[r * 4 + 1]!; }
  len(r: number): number { return this.i[r * 8 + 4]!; }
  obj(r: number): number { return this.i[r * 8 + 5]!; }
  next(r: number): number { return this.i[r * 8 + 6]!; }

  setLen(r: number, len: number): void { this.i[r * 8 + 4] = len; }
  setNext(r: number, next: number): void { this.i[r * 8 + 6] = next; }
  set(r: number, start: number, len: number, base: number): void {
    this.f[r * 4] = start;
    this.f[r * 4 + 1] = base;
    this.i[r * 8 + 4] = len;
  }

  alloc(start: number, len: number, base: number, obj: number, next: number): number {
    let r = this.freeList;
    if (r !== NIL) this.freeList = this.next(r);
    else {
      if (this.top === this.cap) this.grow();
      r = this.top++;
    }
    this.set(r, start, len, base);
    this.i[r * 8 + 5] = obj;
    this.i[r * 8 + 6] = next;
    this.live++;
    return r;
  }

  free(r: number): void {
    this.i[r * 8 + 4] = 0;
    this.i[r * 8 + 6] = this.freeList;
    this.freeList = r;
    this.live--;
  }

  private grow(): void {
    this.cap *= 2;
    const buf = new ArrayBuffer(this.cap * 32);
    const f = new Float64Array(buf);
    f.set(this.f);
    this.f = f;
    this.i = new Int32Array(buf);
  }
}

/** PMDs per PMD page (PTRS_PER_PMD on x86_64). */
export const PMDS_PER_PAGE = 512;

/** Slots per lazily made block of a PmdPage. */
const SUB = 32;

/**
 * The PMDs of one PUD entry: slot i heads the run list of PMD (key * PMDS_PER_PAGE + i), or is NIL.
 * Slots come in blocks of SUB made on first store: a start image touches a few PMDs
 * in several GiB, and a zeroed 512-slot typed array per page cost more than the rest of it.
 */
export class PmdPage {
  private readonly subs: Array<number[] | undefined> = new Array<number[] | undefined>(PMDS_PER_PAGE / SUB);
  used = 0;

  get(s: number): number {
    const b = this.subs[(s / SUB) | 0];
    return b === undefined ? NIL : b[s % SUB]!;
  }

  set(s: number, r: number): void {
    const i = (s / SUB) | 0;
    let b = this.subs[i];
    if (b === undefined) {
      if (r === NIL) return;
      b = this.subs[i] = new Array<number>(SUB).fill(NIL);
    }
    b[s % SUB] = r;
  }
}
