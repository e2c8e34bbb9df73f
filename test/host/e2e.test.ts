// The host target end to end on hand-written IR: real syscalls, logs valid
// against schema/observation.schema.json. Expected kernel values are the ones
// observed on this host (reference §11 cases, marked [C] there).
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import t from 'tap';
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { createHostTarget } from '../../runner/targets/host.js';
import * as ir from './ir.js';

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const schema = JSON.parse(readFileSync(new URL('../../schema/observation.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const host = createHostTarget();
const K = 1024, P = ir.P;

async function run(s: Scenario, trace = false): Promise<ObservationLog> {
  const log = await host.run(s, { kernel: 'host', trace, timeoutMs: 10000 });
  if (!validate(log)) throw new Error(JSON.stringify(validate.errors));
  return log;
}
const snapAt = (log: ObservationLog, step: number) => log.steps.find((o) => o.step === step)!.snapshot!;
const resultAt = (log: ObservationLog, step: number) => log.steps.find((o) => o.step === step)!.result!;

t.before(async () => {
  const a = await host.available();
  if (!a.ok) throw new Error(`host target unavailable: ${a.reason}`);
});

t.test('mlock2 ONFAULT, touch, munlock (case 26)', async (t) => {
  const log = await run(ir.scenario([
    ir.mmap('p', 4 * P),
    ir.mlock2(ir.at('p'), ir.whole('p'), 1),
    ir.expectSnap(),
    ir.access('write', ir.at('p'), ir.b(1)),
    ir.access('read', ir.at('p', P), ir.b(1)),
    ir.expectSnap(),
    ir.range('munlock', ir.at('p'), ir.whole('p')),
    ir.expectSnap(),
  ]));
  t.equal(log.outcome, 'completed');
  t.ok(log.image && log.image.vmas.some((v) => v.name === '[stack]'), 'start image reported');
  const a = snapAt(log, 2), b = snapAt(log, 5), c = snapAt(log, 7);
  t.equal(a.status.VmLck, 16 * K);
  t.same(a.regions['p']!.vmas[0]!.flags.filter((f) => f === 'lo' || f === 'lf'), ['lo', 'lf']);
  t.equal(a.regions['p']!.vmas[0]!.rss, 0);
  // Observed on 6.18.44: 4 kB with the zero page (stock), 8 kB where reads of untouched anon
  // allocate a page (booted pvm_no_zero_page=1): the host's probed fact says which machine this is.
  const zeroPage = log.image?.facts?.zeroPage !== false;
  t.equal(b.regions['p']!.vmas[0]!.rss, zeroPage ? 4 * K : 8 * K);
  t.equal(b.regions['p']!.vmas[0]!.locked, zeroPage ? 4 * K : 8 * K);
  t.same(b.regions['p']!.resident, [[0, 2]], 'the read page (zero page or not) counts as resident for mincore');
  t.equal(resultAt(log, 4).value, '0', 'read returns the byte');
  t.equal(c.status.VmLck, 0);
  t.equal(c.regions['p']!.vmas[0]!.locked, 0);
});

t.test('errno results, signals and placement-free values', async (t) => {
  const log = await run(ir.scenario([
    ir.mmap('p', 4 * P, { prot: 'r--' }),
    ir.mlock2(ir.at('p'), ir.b(P), 2),
    ir.access('write', ir.at('p'), ir.b(1)),
    ir.range('mpin', ir.at('p'), ir.b(P)),
    ir.range('mlock', ir.raw(1), ir.b(0)),
    ir.mlockall(0),
  ]));
  t.same(log.steps.map((s) => s.result), [
    { outcome: 'ok' }, { outcome: 'errno', errno: 'EINVAL' }, { outcome: 'signal', signal: 'SIGSEGV' },
    { outcome: 'errno', errno: 'ENOSYS' }, { outcome: 'errno', errno: 'ENOMEM' }, { outcome: 'errno', errno: 'EINVAL' },
  ]);
});

t.test('fork keeps the child alive; exec gives a fresh mm (cases 36, 56, 57)', async (t) => {
  const log = await run(ir.scenario([
    ir.mmap('p', 4 * P, { share: 'shared' }),
    ir.range('mlock', ir.at('p'), ir.whole('p')),
    ir.mlockall(2),
    ir.fork('kid'),
    ir.access('read', ir.at('p'), ir.whole('p'), 'kid'),
    ir.expectSnap('main'),
    ir.expectSnap('kid'),
    ir.noarg('exec', 'kid'),
    ir.expectSnap('kid'),
    ir.noarg('exit', 'kid'),
    ir.expectSnap('main'),
  ]));
  t.equal(log.outcome, 'completed');
  const parent = snapAt(log, 5), child = snapAt(log, 6), execd = snapAt(log, 8);
  t.equal(parent.status.VmLck, 16 * K);
  t.equal(parent.regions['p']!.vmas[0]!.pss, 8 * K, 'shared with the child: PSS halved');
  t.equal(parent.regions['p']!.vmas[0]!.locked, 8 * K);
  t.equal(parent.mclFuture, 'on');
  t.equal(child.status.VmLck, 0);
  t.equal(child.mclFuture, 'off', 'MCL_FUTURE is not inherited');
  t.notOk(child.regions['p']!.vmas[0]!.flags.includes('lo'));
  t.notOk('p' in execd.regions, 'exec forgets region names');
  t.ok('stack' in execd.regions && 'heap' in execd.regions, 'built-ins are bound again');
  t.same(resultAt(log, 9), { outcome: 'ok' });
  t.equal(snapAt(log, 10).regions['p']!.vmas[0]!.pss, 16 * K, 'the child is gone');
});

t.test('rlimit, cap drop, brk, stack growth, mremap rebinding', async (t) => {
  const log = await run(ir.scenario([
    ir.setrlimit(String(8 * P)),
    ir.cap('drop'),
    ir.mmap('p', 9 * P),
    ir.range('mlock', ir.at('p'), ir.whole('p')),
    ir.mlock2(ir.at('p'), ir.b(8 * P), 1),
    ir.brk(2 * P),
    ir.expectSnap(),
    ir.mremap(undefined, ir.at('p'), ir.b(8 * P), ir.b(20 * P), ['maymove']),
    ir.expectSnap(),
    ir.cap('raise'),
    ir.growStack(512 * K),
  ], { requires: ['root', 'cap_ipc_lock'] }), true);
  t.same(log.steps.slice(0, 6).map((s) => s.result?.outcome === 'errno' ? s.result.errno : s.result?.outcome),
    ['ok', 'ok', 'ok', 'ENOMEM', 'ok', 'ok']);
  const s6 = snapAt(log, 6);
  t.equal(s6.status.VmLck, 32 * K);
  t.equal(s6.regions['heap']!.len, 2 * P);
  t.ok(log.steps[0]!.snapshot, 'trace: a snapshot after every call');
  // Growing a locked VMA past the limit: EAGAIN (mm/mremap.c), the region stays put.
  t.same(resultAt(log, 7), { outcome: 'errno', errno: 'EAGAIN' });
  t.equal(snapAt(log, 8).regions['p']!.len, 9 * P);
  t.equal(resultAt(log, 10).outcome, 'ok');
  t.ok(snapAt(log, 10).regions['stack']!.len >= 512 * K);
});

t.test('file-backed mapping and unbound regions', async (t) => {
  const log = await run(ir.scenario([
    ir.file('f', P),
    ir.mmap('fm', 4 * P, { share: 'shared', file: 'f' }),
    ir.range('mlock', ir.at('fm'), ir.whole('fm')),
    ir.expectSnap(),
    ir.range('mlock', ir.at('nope'), ir.b(P)),
  ]));
  t.same(resultAt(log, 2), { outcome: 'errno', errno: 'ENOMEM' }, 'case 24: pages past EOF');
  t.equal(snapAt(log, 3).status.VmLck, 16 * K);
  t.equal(log.outcome, 'error');
  t.match(log.message, /test\.mls:\d+:1: mlock in process main: region nope is not bound in this process/);
});

t.test('SKIP rules', async (t) => {
  const skip = async (extra: Partial<Scenario>, steps = [ir.mmap('p', P)]) =>
    (await run(ir.scenario(steps, extra))).skipReason ?? '';
  t.match(await skip({ requires: ['model'] }), /requires model/);
  t.match(await skip({ env: { image: 'empty' } }), /model only/);
  t.match(await skip({ env: { image: 'default', maxMapCount: 10 } }), /max_map_count/);
  t.match(await skip({ kernels: { profiles: ['linux-6.18+posix-mlock'], constraints: [] } }), /targets kernel/);
  t.match(await skip({ kernels: { profiles: [], constraints: [{ op: '<', version: '4.4' }] } }), /needs kernel < 4.4/);
  t.equal(await skip({ kernels: { profiles: ['linux-6.18'], constraints: [{ op: '>=', version: '6.18' }] } }), '');
  // As root the supervisor adds the huge page to vm.nr_hugepages for the scenario and gives it back.
  const before = readFileSync('/proc/sys/vm/nr_hugepages', 'utf8');
  t.match(await skip({}, [ir.mmap('h', 2 << 20, { flags: ['hugetlb'] })]), process.getuid?.() === 0 ? /^$/ : /nr_hugepages/);
  t.equal(readFileSync('/proc/sys/vm/nr_hugepages', 'utf8'), before, 'vm.nr_hugepages is given back');
});
