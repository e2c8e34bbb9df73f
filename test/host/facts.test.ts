// runner/targets/host/facts.ts on canned text (a stock machine, this one, a
// Debian-like kernel with THP `always` and soft-dirty), and `mls-exec facts`
// run on this machine (format only: machines differ).
import { existsSync } from 'node:fs';
import t from 'tap';
import {
  combineFacts, machineFacts, parseBootParams, parseFactsOutput, parseInteger, parseLimits, parseThpSelected,
  runFactsProbe, thpFacts, type FactFiles,
} from '../../runner/targets/host/facts.js';
import { hostFacts } from '../../runner/targets/host/requirements.js';
import { createHostTarget, executablePath } from '../../runner/targets/host.js';
import * as ir from './ir.js';

const THP = '/sys/kernel/mm/transparent_hugepage';
const SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048];

/** A fake procfs/sysfs: path → text; directories listed from the paths. */
function files(map: Record<string, string>): FactFiles {
  return {
    read: (p) => map[p],
    list: (d) => [...new Set(Object.keys(map).filter((p) => p.startsWith(d + '/')).map((p) => p.slice(d.length + 1).split('/')[0]!))],
  };
}

function machine(o: { enabled: string; sizes?: string; pmd?: string; cmdline: string; limits?: string }): Record<string, string> {
  const m: Record<string, string> = {
    [`${THP}/enabled`]: o.enabled,
    [`${THP}/defrag`]: 'always defer defer+madvise [madvise] never\n',
    [`${THP}/shmem_enabled`]: 'always within_size advise [never] deny force\n',
    [`${THP}/use_zero_page`]: '1\n',
    '/proc/sys/vm/overcommit_memory': '0\n',
    '/proc/sys/vm/max_map_count': '65530\n',
    '/proc/self/limits': `Limit                     Soft Limit           Hard Limit           Units     \nMax stack size            8388608              unlimited            bytes     \n${o.limits ?? 'Max locked memory         8388608              8388608              bytes     '}\nMax address space         unlimited            unlimited            bytes     \n`,
    '/proc/cmdline': o.cmdline,
  };
  for (const kb of SIZES) m[`${THP}/hugepages-${kb}kB/enabled`] = kb === 2048 ? (o.pmd ?? 'always [inherit] madvise never\n') : (o.sizes ?? 'always inherit madvise [never]\n');
  return m;
}

// Captured with `mls-exec facts` on the stock test machine (6.18.44, PKU, zero page) and on this one.
const STOCK_OUT = 'zero_page 1\nhuge_zero_page 1\npkeys 1\nanon_vmflags rd wr mr mw me ac\npage_size 4096\n';
const HERE_OUT = 'zero_page 0\nhuge_zero_page 0\npkeys 0\nanon_vmflags rd wr mr mw me ac\npage_size 4096\n';
const HERE_CMDLINE = 'mitigations=auto,no_guest_host console=ttyS0 quiet pti=on no_timer_check pvm_no_zero_page=1 tsc=unstable rdinit=/process_api -- --firecracker-init --addr 0.0.0.0:2024\n';

t.test('parseFactsOutput: values, `-` and unknown keys', async (t) => {
  t.same(parseFactsOutput(STOCK_OUT), { zeroPage: true, hugeZeroPage: true, pkeys: true, anonVmFlags: 'rd wr mr mw me ac', pageSize: 4096 });
  t.same(parseFactsOutput(HERE_OUT), { zeroPage: false, hugeZeroPage: false, pkeys: false, anonVmFlags: 'rd wr mr mw me ac', pageSize: 4096 });
  t.same(parseFactsOutput('zero_page -\nhuge_zero_page -\npkeys 1\nnew_fact 7\nanon_vmflags rd wr mr mw me ac sd \npage_size 16384\n'),
    { pkeys: true, anonVmFlags: 'rd wr mr mw me ac sd', pageSize: 16384 });
  t.same(parseFactsOutput(''), {});
});

t.test('parseThpSelected, parseInteger, parseLimits, parseBootParams', async (t) => {
  t.equal(parseThpSelected('always [madvise] never\n'), 'madvise');
  t.equal(parseThpSelected('[always] madvise never\n'), 'always');
  t.equal(parseThpSelected('always within_size advise [never] deny force\n'), 'never');
  t.equal(parseThpSelected('always defer defer+madvise [madvise] never'), 'madvise');
  t.equal(parseThpSelected('always madvise never'), undefined);
  t.equal(parseThpSelected(undefined), undefined);
  t.equal(parseInteger('65530\n'), 65530);
  t.equal(parseInteger('2'), 2);
  t.equal(parseInteger(''), undefined);
  t.equal(parseInteger('x'), undefined);
  t.same(parseLimits(machine({ enabled: '', cmdline: '' })['/proc/self/limits']!), { soft: '8388608', hard: '8388608' });
  t.same(parseLimits('Max locked memory         65536                unlimited            bytes\n'), { soft: '65536', hard: 'unlimited' });
  t.equal(parseLimits('Max stack size 1 2 bytes\n'), undefined);
  t.same(parseBootParams(HERE_CMDLINE), ['pvm_no_zero_page=1'], 'words after -- belong to init');
  t.same(parseBootParams('BOOT_IMAGE=/vmlinuz root=/dev/sda1 transparent_hugepage=never nopku hugepages=16 -- nopku'),
    ['transparent_hugepage=never', 'nopku', 'hugepages=16']);
  t.same(parseBootParams(''), []);
});

t.test('a stock machine', async (t) => {
  const f = combineFacts(parseFactsOutput(STOCK_OUT), files(machine({ enabled: 'always [madvise] never\n', cmdline: 'console=ttyS0 quiet\n' })));
  t.same(f, {
    zeroPage: true, pkeys: true, anonVmFlags: 'rd wr mr mw me ac', pageSize: 4096, hugeZeroPage: true, softDirty: false,
    thp: {
      enabled: 'madvise', defrag: 'madvise', shmemEnabled: 'never', useZeroPage: true,
      sizes: { '16kB': 'never', '32kB': 'never', '64kB': 'never', '128kB': 'never', '256kB': 'never', '512kB': 'never', '1024kB': 'never', '2048kB': 'inherit' },
    },
    overcommitMemory: 0, maxMapCount: 65530, memlock: { soft: '8388608', hard: '8388608' }, bootParams: [],
  });
});

t.test('a Debian-like kernel: THP always, soft-dirty, an mTHP size', async (t) => {
  const out = 'zero_page 1\nhuge_zero_page 1\npkeys 1\nanon_vmflags rd wr mr mw me ac sd\npage_size 4096\n';
  const f = combineFacts(parseFactsOutput(out), files(machine({
    enabled: '[always] madvise never\n', sizes: 'always [inherit] madvise never\n', cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.12.0-1-amd64 root=UUID=x ro quiet\n',
    limits: 'Max locked memory         8388608              8388608              bytes',
  })))!;
  t.equal(f.softDirty, true);
  t.equal(f.anonVmFlags, 'rd wr mr mw me ac sd');
  t.equal(f.thp?.enabled, 'always');
  t.equal(f.thp?.sizes?.['64kB'], 'inherit');
  t.same(f.bootParams, []);
});

t.test('this machine: pvm_no_zero_page, no PKU', async (t) => {
  const f = combineFacts(parseFactsOutput(HERE_OUT), files(machine({ enabled: 'always [madvise] never\n', cmdline: HERE_CMDLINE })))!;
  t.equal(f.zeroPage, false);
  t.equal(f.hugeZeroPage, false);
  t.equal(f.pkeys, false);
  t.same(f.bootParams, ['pvm_no_zero_page=1']);
});

t.test('missing files leave fields absent; no probe answer, no facts', async (t) => {
  const f = combineFacts(parseFactsOutput(HERE_OUT), files({}))!;
  t.same(f, { zeroPage: false, pkeys: false, anonVmFlags: 'rd wr mr mw me ac', pageSize: 4096, hugeZeroPage: false, softDirty: false });
  t.equal(thpFacts(files({ [`${THP}/enabled`]: 'always [madvise] never\n' }))?.sizes, undefined);
  t.same(thpFacts(files({ [`${THP}/enabled`]: 'always [madvise] never\n' })), { enabled: 'madvise' });
  t.equal(thpFacts(files({})), undefined, 'CONFIG_TRANSPARENT_HUGEPAGE=n');
  t.equal(combineFacts(parseFactsOutput('zero_page -\npkeys 1\n'), files({})), undefined);
  t.equal(machineFacts('/nonexistent/mls-exec'), undefined);
});

const exe = executablePath();
const canRun = process.platform === 'linux' && process.arch === 'x64' && existsSync(exe);

t.test('mls-exec facts on this machine: well-formed', { skip: !canRun && 'host executor not built' }, async (t) => {
  const out = runFactsProbe(exe);
  if (typeof out !== 'string') throw out;
  // Observed here (Linux 6.18.44 booted with pvm_no_zero_page=1, a CPU without PKU):
  // zero_page 0, huge_zero_page 0, pkeys 0. Not asserted: machines differ.
  const lines = out.trimEnd().split('\n');
  t.same(lines.map((l) => l.split(' ')[0]), ['zero_page', 'huge_zero_page', 'pkeys', 'anon_vmflags', 'page_size']);
  t.match(out, /^zero_page [01]$/m);
  t.match(out, /^huge_zero_page [01-]$/m);
  t.match(out, /^pkeys [01]$/m);
  t.match(out, /^anon_vmflags rd wr( [a-z]{2})*$/m);
  t.match(out, /^page_size [1-9]\d*$/m);
  const f = machineFacts(exe);
  t.ok(f, 'combined with procfs/sysfs');
  t.equal(machineFacts(exe), f, 'cached per process');
  t.equal(f?.softDirty, f?.anonVmFlags.split(' ').includes('sd'));
});

t.test('a host run carries the facts in its StartImage, and hostFacts() has them', { skip: !canRun && 'host executor not built' }, async (t) => {
  const log = await createHostTarget(exe).run(ir.scenario([ir.mmap('m', ir.P)]), { kernel: 'host', trace: false, timeoutMs: 10000 });
  t.equal(log.outcome, 'completed', log.message ?? '');
  t.same(log.image?.facts, machineFacts(exe));
  t.same(hostFacts(exe).machine, machineFacts(exe));
});
