// `mls doctor`: the pure verdicts and rendering on canned facts (stock, this
// machine, a Debian-like kernel, facts the model does not model), and the real
// command once (exit 0, no cache, no scenarios needed).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { HostFacts as MachineFacts } from '../../schema/generated/types.js';
import { doctorJson, doctorVerdicts, enabledMthpSizes, renderDoctor, type DoctorInput } from '../../runner/render/doctor.js';
import { mls } from './helpers.js';

const sizes = (mthp: string): Record<string, string> =>
  Object.fromEntries([16, 32, 64, 128, 256, 512, 1024, 2048].map((kb) => [`${kb}kB`, kb === 2048 ? 'inherit' : mthp]));

const STOCK_MACHINE: MachineFacts = {
  zeroPage: true, hugeZeroPage: true, pkeys: true, anonVmFlags: 'rd wr mr mw me ac', softDirty: false, pageSize: 4096,
  thp: { enabled: 'madvise', defrag: 'madvise', shmemEnabled: 'never', useZeroPage: true, sizes: sizes('never') },
  overcommitMemory: 0, maxMapCount: 65530, memlock: { soft: '8388608', hard: '8388608' }, bootParams: [],
};

const input = (machine: Partial<MachineFacts>, extra: Partial<DoctorInput> = {}): DoctorInput => ({
  release: '6.18.44', machine: { ...STOCK_MACHINE, ...machine }, uid: 0, capBnd: '000001fffeffffff', capIpcLockPermitted: true,
  features: { memfd_secret: 'ok', droppable: 'ok', io_uring: 'ok' },
  tempDir: { path: '/tmp', filesFs: 'other', readAheadKb: 8192 },
  ...extra,
});
const differing = (d: DoctorInput): string[] => doctorVerdicts(d).filter((v) => v.differs).map((v) => v.key);

t.test('a stock machine: no differences', async (t) => {
  const d = input({});
  t.same(differing(d), []);
  const text = renderDoctor(d);
  t.match(text, /No differences/);
  t.notMatch(text, /^!/m);
  t.equal(doctorJson(d).differences, 0);
  t.ok(doctorVerdicts(d).every((v) => v.effect === undefined), 'effects only for differences');
});

t.test('this machine: no zero page, no huge zero page, no pkeys', async (t) => {
  const d = input({ zeroPage: false, hugeZeroPage: false, pkeys: false, bootParams: ['pvm_no_zero_page=1'] }, { release: '6.18.44-fc-v1272' });
  t.same(differing(d), ['zeroPage', 'hugeZeroPage', 'pkeys']);
  const text = renderDoctor(d);
  t.match(text, /^! zero page +no +yes$/m);
  t.match(text, /reads of untouched anonymous memory allocate pages \(Rss, Locked grow\)/);
  t.match(text, /^! protection keys +no +yes$/m);
  t.match(text, /PROT_EXEC-only mappings are readable: mlock populates them \(0, not ENOMEM\)/);
  t.match(text, /3 differences/);
  t.match(text, /pvm_no_zero_page=1 \(explanation only/);
  const json = doctorJson(d);
  t.equal(json.facts.machine?.zeroPage, false);
  t.same(json.verdicts.find((v) => v.key === 'pkeys'), { key: 'pkeys', fact: 'protection keys', here: 'no', stock: 'yes', differs: true, modelled: true, effect: json.verdicts.find((v) => v.key === 'pkeys')!.effect });
});

t.test('a Debian-like kernel: THP always and sd, both modelled', async (t) => {
  const d = input({ anonVmFlags: 'rd wr mr mw me ac sd', softDirty: true, thp: { ...STOCK_MACHINE.thp, enabled: 'always' } });
  t.same(differing(d), ['anonVmFlags', 'thp']);
  const v = doctorVerdicts(d);
  t.ok(v.find((x) => x.key === 'anonVmFlags')!.modelled);
  t.match(v.find((x) => x.key === 'anonVmFlags')!.effect, /`sd`/);
  t.match(v.find((x) => x.key === 'thp')!.effect, /without MADV_HUGEPAGE/);
});

t.test('facts the model does not model say so', async (t) => {
  const d = input({
    pageSize: 16384, overcommitMemory: 2,
    thp: { ...STOCK_MACHINE.thp, enabled: 'always', shmemEnabled: 'within_size', sizes: sizes('inherit') },
  }, { tempDir: { path: '/tmp', filesFs: 'tmpfs', readAheadKb: 0 } });
  const v = doctorVerdicts(d);
  for (const key of ['pageSize', 'thpSizes', 'shmemEnabled', 'overcommitMemory']) {
    const x = v.find((y) => y.key === key)!;
    t.ok(x.differs, key);
    t.notOk(x.modelled, key);
    t.match(x.effect, /^not modelled: mls diff\/fuzz may diverge on /, key);
  }
  t.match(v.find((x) => x.key === 'shmemEnabled')!.effect, /the temp dir is tmpfs/);
  t.match(v.find((x) => x.key === 'overcommitMemory')!.effect, /commit limit/);
  t.ok(v.find((x) => x.key === 'filesFs')!.differs);
  t.ok(v.find((x) => x.key === 'readAheadKb')!.differs);
});

t.test('mTHP sizes: inherit follows the top-level setting; the PMD size is not an mTHP size', async (t) => {
  t.same(enabledMthpSizes({ ...STOCK_MACHINE, thp: { enabled: 'never', sizes: sizes('inherit') } }), []);
  t.same(enabledMthpSizes({ ...STOCK_MACHINE, thp: { enabled: 'madvise', sizes: { '64kB': 'inherit', '2048kB': 'always' } } }), ['64kB inherit (madvise)']);
  t.same(enabledMthpSizes({ ...STOCK_MACHINE, thp: { enabled: 'madvise', sizes: { '16kB': 'always' } } }), ['16kB always']);
});

t.test('limits, capabilities, features, probes unavailable', async (t) => {
  const d = input({ maxMapCount: 1000, memlock: { soft: '65536', hard: 'unlimited' } }, {
    uid: 1000, capBnd: '0000000000000000', capIpcLockPermitted: false,
    features: { memfd_secret: 'ENOSYS', droppable: 'ok', io_uring: 'EPERM' }, release: '6.12.1',
  });
  t.same(differing(d), ['release', 'maxMapCount', 'memlock', 'capBnd', 'uid', 'capIpcLock', 'memfd_secret', 'io_uring']);
  t.match(renderDoctor(d), /64 KiB soft, unlimited hard/);
  const none = input({}, { machine: undefined, machineError: 'spawnSync mls-exec ENOENT' });
  t.same(differing(none), ['machine']);
  t.match(renderDoctor(none), /unavailable \(spawnSync mls-exec ENOENT\)/);
});

t.test('mls doctor runs anywhere: no scenarios, no cache, exit 0', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'mls-doctor-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  const r = mls(['doctor'], { cwd });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^ +kernel release /m);
  t.match(r.stdout, /zero page/);
  const j = mls(['doctor', '--json'], { cwd });
  t.equal(j.status, 0, j.stderr);
  const parsed = JSON.parse(j.stdout) as ReturnType<typeof doctorJson>;
  t.ok(Array.isArray(parsed.verdicts));
  t.same(readdirSync(cwd), [], 'no cache written');
  t.equal(mls(['doctor', 'x.mls'], { cwd }).status, 2);
});
