// Where a report goes: a stream (stdout) as it is produced, or a file written
// once at the end, atomically (temp + rename), so CI never reads half a report.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
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

export class FileSink implements Sink {
  readonly toStdout = false;
  readonly isTTY = false;
  private readonly chunks: string[] = [];
  constructor(readonly path: string) {}
  write(s: string): void {
    this.chunks.push(s);
  }
  async close(): Promise<void> {
    writeFileAtomic(this.path, this.chunks.join(''));
  }
}
