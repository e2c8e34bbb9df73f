// Where a report goes: a stream (stdout) as it is produced, or a file written
// as it is produced into a temp file renamed over the target at the end, so CI
// never reads half a report. Nothing is joined into one string: a report may be
// larger than V8's longest string (2^29 characters), and it never sits whole in memory.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Sink {
  readonly toStdout: boolean;
  readonly isTTY: boolean;
  write(s: string): void;
  close(): Promise<void>;
}

export class StreamSink implements Sink {
  readonly toStdout = true;
  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean }) {}
  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }
  write(s: string): void {
    this.stream.write(s);
  }
  async close(): Promise<void> {}
}

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Bytes buffered before a write(2): few system calls, little memory. */
const FLUSH_AT = 1 << 20;

/** Temp files of sinks not yet closed: removed if the process exits first (no half report left beside the target). */
const open = new Set<string>();
let exitHook = false;
function removeUnfinished(): void {
  for (const tmp of open) rmSync(tmp, { force: true });
}

export class FileSink implements Sink {
  readonly toStdout = false;
  readonly isTTY = false;
  private readonly tmp: string;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingLength = 0;
  /** The target is not a regular file: written in place. */
  private direct = false;
  constructor(readonly path: string) {
    this.tmp = `${path}.${process.pid}.tmp`;
  }
  write(s: string): void {
    this.pending.push(s);
    this.pendingLength += s.length;
    if (this.pendingLength >= FLUSH_AT) this.flush();
  }
  private flush(): void {
    if (this.fd === undefined) {
      // A device or FIFO (`json=/dev/null`, `tap=/dev/stdout`) is written in place: a rename would replace it.
      if (statSync(this.path, { throwIfNoEntry: false })?.isFile() === false) {
        this.direct = true;
        this.fd = openSync(this.path, 'w');
        return this.flush();
      }
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.tmp, 'w');
      open.add(this.tmp);
      if (!exitHook) { exitHook = true; process.once('exit', removeUnfinished); }
    }
    if (this.pendingLength > 0) writeSync(this.fd, this.pending.length === 1 ? this.pending[0]! : this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
  }
  async close(): Promise<void> {
    this.flush();
    closeSync(this.fd!);
    this.fd = undefined;
    if (this.direct) return;
    renameSync(this.tmp, this.path);
    open.delete(this.tmp);
  }
}
