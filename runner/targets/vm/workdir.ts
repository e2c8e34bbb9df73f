// The vm target's host-side work dir (initramfs, console log). Its name carries the
// owning process id, so a run ended by SIGKILL (no cleanup ran) leaves a dir the next
// run recognises as stale and removes: one whose owner is no longer alive.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'mls-vm-';
const OWNED = /^mls-vm-(\d+)-[A-Za-z0-9]{6}$/;

/** Whether a process with this id exists (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes `mls-vm-<pid>-*` dirs under parent whose pid is dead; returns their names. */
export function sweepStaleWorkDirs(parent = tmpdir(), alive: (pid: number) => boolean = processAlive): string[] {
  let names: string[];
  try { names = readdirSync(parent); } catch { return []; }
  const removed: string[] = [];
  for (const name of names) {
    const m = OWNED.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    try { rmSync(join(parent, name), { recursive: true, force: true }); removed.push(name); } catch { /* another sweeper won */ }
  }
  return removed;
}

/** A fresh work dir owned by this process, after sweeping the stale ones. */
export function makeWorkDir(parent = tmpdir()): string {
  sweepStaleWorkDirs(parent);
  return mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
}
