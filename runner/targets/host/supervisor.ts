// The TS side of the executor protocol: spawn `mls-exec supervise <tmp>` in a
// new session, pipeline request lines, read reply frames (blocks up to `end`).
// One supervisor runs many scenarios in sequence (session.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface Block {
  tag: string;
  data: Buffer;
}
export type Reply = Block[];

const EMPTY = Buffer.alloc(0);

/** The block tags the driver reads (native/src): returned as these constants instead of a new string per block. */
const TAGS = ['vmas', 'resident', 'region', 'status', 'vmcount', 'mcl', 'result', 'rollup', 'smaps', 'fail', 'hello', 'brk', 'mmaptop', 'mlocked', 'unevictable', 'pageflags', 'meminfo'];

function tagAt(buf: Buffer, h: number, sp: number): string {
  const n = sp - h;
  for (const t of TAGS) {
    if (t.length !== n) continue;
    let k = 0;
    while (k < n && buf[h + k] === t.charCodeAt(k)) k++;
    if (k === n) return t;
  }
  return buf.toString('latin1', h, sp);
}

export class Supervisor {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  private buf: Buffer = Buffer.alloc(0);
  private blocks: Block[] = [];
  private replies: Reply[] = [];
  private waiters: ((r: Reply | undefined) => void)[] = [];
  private ended = false;
  readonly exited: Promise<void>;

  /** The executor's supervisor on this machine, in a session of its own. */
  static spawn(executable: string, tmpDir: string): Supervisor {
    return new Supervisor(spawn(executable, ['supervise', tmpDir, String(process.pid)], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: {} }));
  }

  /**
   * `child` speaks the protocol on its stdin/stdout. `preamble`: its first reply is not a
   * request's (a vm guest's facts, written before its supervisor starts) and goes there instead.
   */
  constructor(child: ChildProcessWithoutNullStreams, private preamble?: (r: Reply) => void) {
    this.child = child;
    this.child.stdout.on('data', (d: Buffer) => this.onData(d));
    this.child.stderr.on('data', (d: Buffer) => { if (this.stderr.length < 4096) this.stderr += d.toString(); });
    this.child.stdin.on('error', () => {}); // EPIPE after a kill is expected
    this.exited = new Promise((resolve) => {
      const end = (): void => {
        if (this.ended) return;
        this.ended = true;
        for (const w of this.waiters.splice(0)) w(undefined);
        resolve();
      };
      this.child.on('close', end);
      // spawn failures (ENOENT, EACCES) may come without a 'close'.
      this.child.on('error', (e) => { this.stderr += String(e); end(); });
    });
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** While idle, a session's supervisor must not keep the Node process alive. */
  setRef(on: boolean): void {
    for (const h of [this.child, this.child.stdout, this.child.stderr, this.child.stdin] as { ref?: () => void; unref?: () => void }[]) {
      if (on) h.ref?.();
      else h.unref?.();
    }
  }

  send(lines: string[]): void {
    if (lines.length) this.child.stdin.write(lines.join('\n') + '\n');
  }

  /** The next reply in request order; undefined when the supervisor is gone. */
  next(): Promise<Reply | undefined> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  closeInput(): void {
    this.child.stdin.end();
  }

  private onData(d: Buffer): void {
    if (this.ended) return;
    try {
      this.parse(d);
    } catch (e) {
      // A garbled stream is an executor bug: end the run instead of throwing from an event handler.
      this.stderr += `executor protocol error: ${(e as Error).message}\n`;
      this.kill();
    }
  }

  /** Frames `<tag> <len>\n<len bytes>`, read by offset (no header string per block, no re-slicing of the buffer). */
  private parse(d: Buffer): void {
    const buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    const n = buf.length;
    let pos = 0;
    for (;;) {
      const h = pos;
      let i = h, sp = -1;
      for (; i < n; i++) {
        const c = buf[i]!;
        if (c === 10) break;
        if (c === 32) sp = i;
      }
      if (i >= n) break; // the header is not complete yet
      let len = 0;
      for (let j = sp + 1; j < i && len === len; j++) {
        const c = buf[j]! - 48;
        len = c >= 0 && c <= 9 ? len * 10 + c : NaN;
      }
      if (sp <= h || sp + 1 === i || !Number.isSafeInteger(len)) {
        throw new Error(`executor protocol: bad block header ${JSON.stringify(buf.toString('latin1', h, i))}`);
      }
      const data = i + 1;
      if (n < data + len) break;
      pos = data + len;
      if (sp - h === 3 && buf[h] === 101 && buf[h + 1] === 110 && buf[h + 2] === 100) { // "end"
        const reply = this.blocks;
        this.blocks = [];
        const pre = this.preamble;
        if (pre) { this.preamble = undefined; pre(reply); continue; }
        const w = this.waiters.shift();
        if (w) w(reply);
        else this.replies.push(reply);
      } else this.blocks.push({ tag: tagAt(buf, h, sp), data: buf.subarray(data, pos) });
    }
    this.buf = pos < n ? buf.subarray(pos) : EMPTY;
  }

  /** SIGKILL the supervisor's whole session group (itself, not the scenario groups). */
  kill(): void {
    Supervisor.killGroup(this.child.pid ?? 0);
    this.child.kill('SIGKILL');
  }

  /** SIGKILL a process group, ignoring groups that are already gone. */
  static killGroup(pgid: number): void {
    if (pgid <= 0) return;
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* ESRCH: already gone */ }
  }
}
