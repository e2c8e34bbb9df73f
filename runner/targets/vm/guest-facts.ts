// The guest's facts, from the reply its /init writes before the supervisor starts
// (native/init/init.c): the executor's `facts` and `probe` outputs, procfs/sysfs
// files and directory listings, the statfs type of the scenario dir. They take the
// place of the host's (runner/targets/host/requirements.ts, facts.ts): the same
// parsers read the guest's text, so a diff's model runs with the guest's settings.
import type { Reply } from '../host/supervisor.js';
import { combineFacts, parseFactsOutput, type FactFiles } from '../host/facts.js';
import type { HostFacts } from '../host/requirements.js';

const TMPFS_MAGIC = 0x01021994;

export interface GuestFacts {
  facts: HostFacts;
  /** CapBnd of the guest's supervisor (its init's, inherited). */
  capBnd?: string;
}

/** The preamble's files and listings as a FactFiles (what facts.ts reads on the host). */
export function guestFiles(reply: Reply): FactFiles & { block(tag: string): string | undefined } {
  const files = new Map<string, string>(), dirs = new Map<string, string[]>(), blocks = new Map<string, string>();
  for (const b of reply) {
    const text = b.data.toString('latin1');
    const nl = text.indexOf('\n');
    if (b.tag === 'file' && nl > 0) files.set(text.slice(0, nl), text.slice(nl + 1));
    else if (b.tag === 'dir' && nl > 0) dirs.set(text.slice(0, nl), text.slice(nl + 1).split('\n').filter(Boolean));
    else blocks.set(b.tag, text);
  }
  return {
    read: (path) => files.get(path),
    list: (dir) => dirs.get(dir) ?? [],
    block: (tag) => blocks.get(tag),
  };
}

/** What the guest says of itself; throws when the preamble is not one (an /init of another build). */
export function parseGuestFacts(reply: Reply): GuestFacts {
  const g = guestFiles(reply);
  const release = g.read('/proc/sys/kernel/osrelease')?.trim();
  const probe = g.block('probe'), factsText = g.block('facts');
  if (!release || probe === undefined || factsText === undefined) {
    throw new Error(`the guest's /init sent no facts (got ${reply.map((b) => b.tag).join(', ') || 'nothing'})`);
  }
  const status = g.read('/proc/self/status') ?? '';
  const capPrm = /^CapPrm:\s+([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  const capBnd = /^CapBnd:\s*([0-9a-f]{16})$/m.exec(status)?.[1];
  const meminfo = g.read('/proc/meminfo') ?? '';
  const free = /^HugePages_Free:\s+(\d+)$/m.exec(meminfo)?.[1] ?? '0';
  const thp = g.read('/sys/kernel/mm/transparent_hugepage/enabled') ?? '';
  const features: HostFacts['features'] = { memfd_secret: 'unprobed', droppable: 'unprobed', io_uring: 'unprobed' };
  for (const line of probe.split('\n')) {
    const [k, v] = line.split(' ');
    if (k && v && k in features) features[k as keyof HostFacts['features']] = v;
  }
  const fsType = parseInt(g.block('tmpfs_type') ?? '0', 16);
  const tmpfs = fsType === TMPFS_MAGIC;
  const facts: HostFacts = {
    uid: 0, // the guest's init and everything it starts run as root
    capIpcLockPermitted: ((BigInt('0x' + capPrm) >> 14n) & 1n) === 1n,
    hugePagesFree: Number(free),
    ...(meminfo ? { hugetlbPool: /^HugePages_Total:/m.test(meminfo) } : {}),
    thp: thp !== '' && !thp.includes('[never]'),
    features,
    release,
    // tmpfs has no backing device: no read-ahead (mm/fadvise.c:generic_fadvise returns early on it).
    files: tmpfs ? { filesFs: 'tmpfs', readAheadKb: 0, maxSectorsKb: 0 } : { filesFs: 'other' },
  };
  const machine = combineFacts(parseFactsOutput(factsText), g);
  if (machine) facts.machine = machine;
  return { facts, ...(capBnd ? { capBnd } : {}) };
}
