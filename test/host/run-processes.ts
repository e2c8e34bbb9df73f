// What a host run left behind: its processes are found by the private TMPDIR
// the test gave it (the supervisor's and every worker's argv name their temp
// dir; fork children share their parent's argv), and its temp dirs in there.
import { readdirSync, readFileSync } from 'node:fs';

export interface Leftover {
  pid: number;
  state: string;
  vmLckKb: number;
  cmd: string;
}

/** Live (non-zombie) processes whose command line mentions `dir`, with their VmLck. */
export function processesMentioning(dir: string): Leftover[] {
  const out: Leftover[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd: string, status: string;
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (!cmd.includes(dir)) continue;
      status = readFileSync(`/proc/${d}/status`, 'latin1');
    } catch {
      continue; // gone meanwhile
    }
    const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? '?';
    if (state === 'Z') continue; // dead, its memory freed; waiting for a parent (init) to reap it
    out.push({ pid: Number(d), state, vmLckKb: Number(/^VmLck:\s+(\d+)/m.exec(status)?.[1] ?? 0), cmd });
  }
  return out;
}

/** Session temp dirs (`mls-host-*`) left in `tmp`. */
export function hostTempDirs(tmp: string): string[] {
  return readdirSync(tmp).filter((n) => n.startsWith('mls-host-'));
}

/** Polls until nothing of the run is left or `ms` passed; returns what is left. */
export async function settle(tmp: string, ms = 3000): Promise<{ procs: Leftover[]; dirs: string[] }> {
  const until = Date.now() + ms;
  for (;;) {
    const left = { procs: processesMentioning(tmp), dirs: hostTempDirs(tmp) };
    if ((left.procs.length === 0 && left.dirs.length === 0) || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once a process of the run whose command line matches `re` exists (or after `ms`). */
export async function waitForProcess(tmp: string, re: RegExp, ms = 15000): Promise<Leftover | undefined> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const p = processesMentioning(tmp).find((x) => re.test(x.cmd));
    if (p) return p;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}
