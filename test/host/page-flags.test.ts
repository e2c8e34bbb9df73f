// Page flags and system counters (SPEC.md §3.6, III.3a) on the model and on this
// kernel. Expected maps are the ones C probes and `mls run --target host` observed
// on 6.18.44 (pagemap PFN → /proc/kpageflags after an LRU drain), not the model's.
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import t from 'tap';
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { compileSource } from '../../grammar/compile.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOnModel } from '../../runner/targets/model.js';
import { createHostTarget } from '../../runner/targets/host.js';
import { generalSnapshot, snapshot } from '../../runner/targets/host/snapshot.js';
import { renderResidentMap } from '../../runner/render/resident-map.js';

const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const schema = JSON.parse(readFileSync(new URL('../../schema/observation.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const host = createHostTarget();
const root = process.getuid?.() === 0;

const compile = (body: string): Scenario => {
  const r = compileSource(`scenario "t"\n${body}`, 't.mls');
  if (!r.scenario) throw new Error(JSON.stringify(r.messages));
  return r.scenario;
};
const opts = { kernel: 'host', trace: false, timeoutMs: 10000 };
/** Each expect step's `mlocked`/`unevictable` maps of one region, as `mlocked/unevictable` strings. */
function maps(log: ObservationLog, s: Scenario, region: string): string[] {
  return log.steps.filter((o) => s.steps[o.step]?.op === 'expect' && o.snapshot?.regions[region]?.mlocked).map((o) => {
    const r = o.snapshot!.regions[region]!;
    const pages = Math.ceil(r.len / 4096);
    const map = (iv: [number, number][]) => renderResidentMap(iv, pages).replace(/"/g, '');
    return `${map(r.mlocked!)}/${r.unevictableUnknown ? '?' : map(r.unevictable!)}`;
  });
}
async function both(body: string, region: string): Promise<{ model: string[]; host: string[] | undefined }> {
  const s = compile(body);
  const m = runOnModel(s, { ...opts, kernel: 'linux-6.18' });
  t.ok(validate(m), 'model log valid');
  if (!root || !(await host.available()).ok) return { model: maps(m, s, region), host: undefined };
  const h = await host.run(s, opts);
  t.ok(validate(h), JSON.stringify(validate.errors));
  t.equal(h.outcome, 'completed', h.message ?? '');
  return { model: maps(m, s, region), host: maps(h, s, region) };
}

t.test('mlock, munlock, mlock2 onfault before and after the fault', async (t) => {
  const observed = ['##../##..', '.#../.#..', '.#../.#..', '.#.#/.#.#', '.#../.#..'];
  const r = await both(
    'b = mmap 4p rw private anon\nwrite b 1p\nmlock b 2p\nexpect b mlocked\nmunlock b 1p\nexpect b mlocked\n' +
    'mlock2 b + 2p 2p onfault\nexpect b mlocked\nwrite b + 3p\nexpect b mlocked\nmunlock b + 2p 2p\nexpect b mlocked\n', 'b');
  t.same(r.model, observed);
  if (r.host) t.same(r.host, observed);
});

t.test('a fork child shares the mlocked pages; its COW copy is not mlocked', async (t) => {
  const s = 'p = mmap 2p rw private anon\nwrite p 2p\nmlock p\nkid = fork\nin kid: expect p mlocked\nin kid: write p + 1p\nin kid: expect p mlocked\nexpect p mlocked\n';
  const r = await both(s, 'p');
  t.same(r.model, ['##/##', '#./#.', '##/##']);
  if (r.host) t.same(r.host, r.model);
});

t.test('SHM_LOCK: the model says it cannot know which pages are unevictable', async (t) => {
  // Observed: present before SHM_LOCK: evictable; faulted after: unevictable; mlock + munlock under it: unevictable.
  const body = 'shmget s 4p\na = shmat s\nwrite a 2p\nshmctl s lock\nwrite a + 2p\nexpect a mlocked\nshmctl s unlock\nexpect a mlocked\n';
  const r = await both(body, 'a');
  t.same(r.model, ['..../?', '..../....']);
  // Page 2 was faulted under the lock. Pages 0-1 were faulted before it: evictable if they had reached the LRU,
  // unevictable if they still sat in a per-CPU LRU batch (shared with every process on that CPU) when it was
  // drained after SHM_LOCK (observed both: C probe with a drain before the lock `..`, executor `##`).
  if (r.host) {
    t.match(r.host[0], /^\.\.\.\.\/(\.\.|##)#\.$/);
    t.equal(r.host[1], '..../....');
  }
  const s = compile(body + 'shmctl s lock\nexpect a unevictable == 0\n');
  const res = evaluate(s, runOnModel(s, { ...opts, kernel: 'linux-6.18' }), 'linux-6.18');
  const c = res.checks.filter((x) => x.kind === 'expect').pop();
  t.equal(c?.status, 'fail', 'a clause the model cannot decide fails, never passes silently');
  t.match(c?.message, /the model cannot know unevictable of 'a': a System V segment under SHM_LOCK/);
});

t.test('system counters: the model counts the scenario\'s own pages once; the host reads meminfo', async (t) => {
  const s = compile('b = mmap 8p rw shared anon\nlet m = sys_mlocked\nlet u = sys_unevictable\nmlock b\nc = mmap 8p rw private anon\nmlock c 2p\nexpect sys_mlocked >= m + 10p, sys_unevictable >= u + 10p\n');
  const m = runOnModel(s, { ...opts, kernel: 'linux-6.18' });
  const last = m.steps[m.steps.length - 1]!.snapshot!;
  t.same(last.meminfo, { mlocked: 10 * 4096, unevictable: 10 * 4096 });
  t.same(m.steps.find((o) => o.step === 1)!.snapshot!.meminfo, { mlocked: 0, unevictable: 0 });
  t.notOk(m.steps.find((o) => o.step === 3)?.snapshot, 'a call step takes no snapshot');
  t.same(evaluate(s, m, 'linux-6.18').checks.filter((c) => c.kind === 'expect').map((c) => c.status), ['pass', 'pass']);
  if (!root || !(await host.available()).ok) return;
  const h = await host.run(s, opts);
  t.ok(validate(h), JSON.stringify(validate.errors));
  const hm = h.steps[h.steps.length - 1]!.snapshot!.meminfo!;
  t.ok(hm.mlocked > 0 && hm.unevictable >= hm.mlocked - (1 << 20), 'machine-wide values, Unevictable holds the mlocked pages');
});

t.test('host reply parsing: page flags and meminfo blocks', async (t) => {
  const b = (tag: string, text: string) => ({ tag, data: Buffer.from(text) });
  const reply = [
    b('meminfo', '13052 20480'), b('status', 'VmLck:\t8 kB\nVmPin:\t0 kB\nVmSize:\t100 kB\nVmRSS:\t50 kB\n'),
    b('vmas', '7f0000000000 7f0000004000 rw-p 8 8 8 8 0 rd wr mr mw me lo ac\t\n'), b('vmcount', '1 8'),
    b('region', 'buf 7f0000000000 16384'), b('resident', '0 2\n'), b('mlocked', '0 2\n'), b('unevictable', '1 2\n'), b('pageflags', ''),
    b('region', 'e 7f0000000000 0'), b('pageflags', ''), b('mcl', 'off'),
  ];
  const s = snapshot(reply);
  t.same(s, generalSnapshot(reply));
  t.same(s.meminfo, { mlocked: 13052 * 1024, unevictable: 20480 * 1024 });
  t.same([s.regions.buf!.mlocked, s.regions.buf!.unevictable], [[[0, 2]], [[1, 2]]]);
  t.same([s.regions.e!.mlocked, s.regions.e!.unevictable], [[], []], 'a region without pages: read, none flagged');
  const plain = snapshot(reply.filter((x) => !['meminfo', 'mlocked', 'unevictable', 'pageflags'].includes(x.tag)));
  t.equal(plain.meminfo, undefined);
  t.equal(plain.regions.buf!.mlocked, undefined, 'not read: absent, so a clause says so');
});

t.test('SKIP without root: a named reason', async (t) => {
  const { skipReason } = await import('../../runner/targets/host/requirements.js');
  const facts = { uid: 1000, capIpcLockPermitted: false, hugePagesFree: 0, thp: true, features: { memfd_secret: 'ok', droppable: 'ok', io_uring: 'ok' }, release: '6.18.44' };
  t.match(skipReason(compile('b = mmap 1p rw private anon\nexpect b mlocked == 0\n'), facts), /^page flags need root: \/proc\/kpageflags/);
  t.match(skipReason(compile('let m = sys_mlocked\n'), facts), /^system counters need root: \/proc\/sys\/vm\/stat_refresh/);
  t.notMatch(skipReason(compile('b = mmap 1p rw private anon\nexpect b resident == 0\n'), facts) ?? '', /need root/);
});

t.test('a THP: mlocked while one huge PMD maps it locked; after a partial munlock the model cannot know', async (t) => {
  // Observed (mls record --target host, 6.18.44, THP madvise): 2M, then 0 for all 512 pages after munlock of one
  // page inside (the PMD split into PTEs, munlock_folio of the whole folio), then 0.
  const body = 'buf = mmap 4M rw private anon\nmadvise buf 4M hugepage\nmlock buf 2M\nexpect buf mlocked == 2M\n' +
    'munlock buf + 5p 1p\nexpect buf mlocked == 0\nmunlock buf 2M\nexpect buf mlocked == 0, unevictable == 0\n';
  const s = compile(body);
  const res = evaluate(s, runOnModel(s, { ...opts, kernel: 'linux-6.18' }), 'linux-6.18');
  const checks = res.checks.filter((c) => c.kind === 'expect');
  t.same(checks.map((c) => c.status), ['pass', 'fail', 'pass', 'pass']);
  t.match(checks[1]?.message, /the model cannot know mlocked of 'buf': a large folio mapped by PTEs/);
  const { hostFacts } = await import('../../runner/targets/host/requirements.js');
  const { executablePath } = await import('../../runner/targets/host.js');
  if (!root || !(await host.available()).ok || !hostFacts(executablePath()).thp) return;
  const h = evaluate(s, await host.run(s, opts), 'host');
  t.same(h.checks.filter((c) => c.kind === 'expect').map((c) => c.status), ['pass', 'pass', 'pass', 'pass']);
});
