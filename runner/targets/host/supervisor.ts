// The TS side of the executor protocol: spawn `mls-exec supervise <tmp>` in a
// new session, pipeline request lines, read reply frames (blocks up to `end`).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface Block {
  tag: string;
  data: Buffer;
}
export type Reply = Block[];

export class Supervisor {
  readonly child: ChildProcessWithoutNullStreams;
  /** Process group of the scenario processes (announced by `hello`). */
  workerGroup = 0;
  stderr = '';
  private buf: Buffer = Buffer.alloc(0);
  private blocks: Block[] = [];
  private replies: Reply[] = [];
  private waiters: ((r: Reply | undefined) => void)[] = [];
  private helloWaiter: ((ok: boolean) => void) | undefined;
  private ended = false;
  readonly exited: Promise<void>;

  constructor(executable: string, tmpDir: string) {
    this.child = spawn(executable, ['supervise', tmpDir], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    this.child.stdout.on('data', (d: Buffer) => this.onData(d));
    this.child.stderr.on('data', (d: Buffer) => { if (this.stderr.length < 4096) this.stderr += d.toString(); });
    this.child.stdin.on('error', () => {}); // EPIPE after a kill is expected
    this.exited = new Promise((resolve) => {
      const end = (): void => {
        if (this.ended) return;
        this.ended = true;
        this.helloWaiter?.(false);
        for (const w of this.waiters.splice(0)) w(undefined);
        resolve();
      };
      this.child.on('close', end);
      // spawn failures (ENOENT, EACCES) may come without a 'close'.
      this.child.on('error', (e) => { this.stderr += String(e); end(); });
    });
  }

  /** Resolves true once the scenario processes exist. */
  hello(): Promise<boolean> {
    if (this.workerGroup) return Promise.resolve(true);
    if (this.ended) return Promise.resolve(false);
    return new Promise((resolve) => { this.helloWaiter = resolve; });
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
      Supervisor.killGroup(this.workerGroup);
      this.child.kill('SIGKILL');
    }
  }

  private parse(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = this.buf.subarray(0, nl).toString();
      if (!this.workerGroup && header.startsWith('hello ')) {
        this.workerGroup = Number(header.slice(6));
        this.buf = this.buf.subarray(nl + 1);
        this.helloWaiter?.(true);
        continue;
      }
      const sp = header.lastIndexOf(' ');
      const len = Number(header.slice(sp + 1));
      if (sp < 0 || !Number.isInteger(len)) throw new Error(`executor protocol: bad block header ${JSON.stringify(header)}`);
      if (this.buf.length < nl + 1 + len) return;
      const tag = header.slice(0, sp);
      const data = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + len));
      this.buf = this.buf.subarray(nl + 1 + len);
      if (tag === 'end') {
        const reply = this.blocks;
        this.blocks = [];
        const w = this.waiters.shift();
        if (w) w(reply);
        else this.replies.push(reply);
      } else this.blocks.push({ tag, data });
    }
  }

  /** SIGKILL a process group, ignoring groups that are already gone. */
  static killGroup(pgid: number): void {
    if (pgid <= 0) return;
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* ESRCH: already gone */ }
  }
}
