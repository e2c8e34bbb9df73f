// The /proc parsers against text captured from this machine's executor
// (fixtures/: a 16-page mlock2 ONFAULT region with 2 pages written, then a
// 4-page MAP_LOCKED region; captured by hand with `mls-exec supervise`).
import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  parseIntervals, parseRollupLocked, parseSmaps, parseStatus, parseVmaLines, regionObservation, startImage,
} from '../../runner/targets/host/proc-parse.js';
import { generalSnapshot, snapshot } from '../../runner/targets/host/snapshot.js';
import { fastSnapshot } from '../../runner/targets/host/snapshot-fast.js';

const fx = (f: string) => readFileSync(new URL(`fixtures/${f}`, import.meta.url), 'utf8');
const status = fx('status.txt'), smaps = fx('smaps.txt'), rollup = fx('smaps_rollup.txt');

t.test('status: kB lines become bytes', async (t) => {
  t.same(parseStatus(status), { VmLck: 80 * 1024, VmPin: 0, VmSize: 1696 * 1024, VmRSS: 860 * 1024 });
  t.throws(() => parseStatus('Name: x\n'), /VmLck/);
});

t.test('smaps: headers, fields, VmFlags', async (t) => {
  const vmas = parseSmaps(smaps);
  t.equal(vmas.length, 14);
  const exe = vmas[0]!;
  t.equal(exe.start, 0x400000n);
  t.match(exe.name, /mls-exec$/);
  t.equal(exe.prot, 'r--');
  const onfault = vmas.find((v) => v.start === 0x7f931eec5000n)!;
  t.equal(onfault.end - onfault.start, 65536n);
  t.same(onfault.flags, ['rd', 'wr', 'mr', 'mw', 'me', 'lo', 'lf', 'ac']);
  t.equal(onfault.fields['Rss'], 8192);
  t.equal(onfault.fields['Locked'], 8192);
  t.equal(onfault.fields['THPeligible'], 0, 'unitless fields keep their number');
  t.equal(onfault.shared, false);
  t.equal(onfault.name, '');
  t.ok(vmas.some((v) => v.name === '[stack]') && vmas.some((v) => v.name === '[vdso]'));
  t.throws(() => parseSmaps('Rss: 4 kB\n'), /before the first VMA/);
});

t.test('vmas lines: the executor-parsed form of the same smaps entries', async (t) => {
  // The executor's line for the ONFAULT region and the image's first VMA of the fixture (sizes in kB).
  const text = '7f931eec5000 7f931eed5000 rw-p 8 8 8 8 0 rd wr mr mw me lo lf ac\t\n'
    + '400000 401000 r--s 4 2 0 0 0 rd mr mw me\t/tmp/a dir/mls exec\n';
  const [v, w] = parseVmaLines(text);
  const ref = parseSmaps(smaps).find((x) => x.start === 0x7f931eec5000n)!;
  const obs = (x: typeof ref) => regionObservation([x], 0x7f931eec5000n, 65536n, []);
  t.same(obs(v!), obs(ref), 'same observation as from the smaps text');
  t.equal(w!.name, '/tmp/a dir/mls exec', 'names keep their spaces');
  t.equal(w!.shared, true);
  t.same(w!.flags, ['rd', 'mr', 'mw', 'me']);
  t.same(parseVmaLines('1000 2000 ---p 0 0 0 0 0\t\n')[0]!.flags, [], 'no VmFlags letters');
  t.throws(() => parseVmaLines('1000 2000 rw-p 4 4\t\n'), /bad line/);
  t.throws(() => parseVmaLines('1000 2000 rw-p 4 4 x 0 0 rd\t\n'), /bad size/);
  t.throws(() => parseVmaLines('1000 2000 rw-p 4 4 0 0 0 rd\n'), /without a name/);
});

t.test('smaps_rollup Locked', async (t) => {
  t.equal(parseRollupLocked(rollup), 24 * 1024);
  t.throws(() => parseRollupLocked(''), /Locked/);
});

t.test('region observation: overlap, offsets, empty region', async (t) => {
  const vmas = parseSmaps(smaps);
  const base = 0x7f931eec5000n;
  const r = regionObservation(vmas, base, 65536n, [[0, 2]]);
  t.equal(r.vmas.length, 1);
  t.match(r.vmas[0], { start: 0, end: 65536, prot: 'rw-', rss: 8192, locked: 8192, anonymous: 8192 });
  // A range spanning the MAP_LOCKED neighbour below: offsets go negative.
  const wide = regionObservation(vmas, base, 65536n + 1n, []);
  t.equal(wide.vmas.length, 2);
  const below = regionObservation(vmas, base - 4096n, 8192n, []);
  t.same(below.vmas.map((v) => [v.start, v.end]), [[-12288, 4096], [4096, 69632]]);
  const empty = regionObservation(vmas, base + 4096n, 0n, []);
  t.same(empty.vmas.map((v) => v.start), [-4096], 'len 0: the VMA containing base');
});

t.test('resident intervals merge across VMA boundaries', async (t) => {
  t.same(parseIntervals('0 2\n2 5\n7 8\n'), [[0, 5], [7, 8]]);
  t.same(parseIntervals(''), []);
  t.throws(() => parseIntervals('x y\n'), /bad resident/);
});

t.test('start image', async (t) => {
  const img = startImage(parseSmaps(smaps), '27bd3000');
  t.equal(img.brkStart, '0x27bd3000');
  t.equal(img.vmas[0]!.start, '0x400000');
  t.ok(img.vmas.find((v) => v.name === '[stack]'));
  t.notOk('mmapTop' in img, 'no probe block: no mmapTop');
  t.equal(startImage(parseSmaps(smaps), '27bd3000', '7f3b1f547000').mmapTop, '0x7f3b1f547000', 'the executor\'s mmaptop block');
});

t.test('snapshot from reply blocks', async (t) => {
  const blk = (tag: string, s: string) => ({ tag, data: Buffer.from(s) });
  const snap = snapshot([
    blk('status', status), blk('smaps', smaps.slice(0, 1000)), blk('smaps', smaps.slice(1000)), blk('rollup', rollup),
    blk('region', 'buf 7f931eec5000 65536'), blk('resident', '0 2\n'), blk('region', 'lk 7f931eec1000 16384'),
    blk('resident', '0 4\n'), blk('mcl', 'onfault'),
  ]);
  t.equal(snap.mapCount, 14);
  t.equal(snap.lockedTotal, 24 * 1024);
  t.equal(snap.mclFuture, 'onfault');
  t.same(snap.regions['buf']!.resident, [[0, 2]]);
  t.same(snap.regions['lk']!.vmas[0]!.flags, ['rd', 'wr', 'mr', 'mw', 'me', 'lo', 'ac']);
});

t.test('snap replies: the byte-level reading gives the general path\'s observation, or defers to it', async (t) => {
  const blk = (tag: string, s: string) => ({ tag, data: Buffer.from(s, 'latin1') });
  // Lines as the executor sends them for the fixture's regions (plus a VMA below the first one).
  const lines = '7f931eec1000 7f931eec5000 rw-p 16 16 16 16 0 rd wr mr mw me lo ac\t\n'
    + '7f931eec5000 7f931eed5000 rw-p 8 8 8 8 0 rd wr mr mw me lo lf ac\t\n';
  const reply = (vmas: string[], regions: [string, string, string][], extra: [string, string][] = []) => [
    blk('status', status), ...vmas.map((v) => blk('vmas', v)), blk('vmcount', '14 24'),
    ...regions.flatMap(([h, res, more]) => [blk('region', h), ...(res ? [blk('resident', res)] : []), ...(more ? [blk('resident', more)] : [])]),
    ...extra.map(([tag, d]) => blk(tag, d)), blk('mcl', 'off\n'),
  ];
  const cases = {
    'two regions': reply([lines], [['buf 7f931eec5000 65536', '0 1\n1 2\n', ''], ['lk 7f931eec1000 16384', '0 4\n', '']]),
    'lines and resident split over blocks': reply([lines.slice(0, 30), lines.slice(30)], [['buf 7f931eec5000 65536', '0 1\n', '1 2\n7 9']]),
    'empty region, no resident block': reply([lines], [['e 7f931eec6000 0', '', '']]),
    'rollup present': reply([lines], [['lk 7f931eec1000 16384', '', '']], [['rollup', rollup]]),
    'uppercase region base': reply([lines], [['buf 7F931EEC5000 65536', '', '']]),
    'address past 13 hex digits': reply([lines + 'ffffffffff600000 ffffffffff601000 --xp 0 0 0 0 0 ex\t[vsyscall]\n'], [['v ffffffffff600000 4096', '', '']]),
    'odd prot': reply(['1000 2000 rXxp 0 0 0 0 0 rd\t\n'], [['b 1000 4096', '', '']]),
    'odd shared letter': reply(['1000 2000 rwxq 0 0 0 0 0 rd\t\n'], [['b 1000 4096', '', '']]),
    'no vmcount pair': reply([lines], [['lk 7f931eec1000 16384', '', '']]).filter((b) => b.tag !== 'vmcount').concat([blk('rollup', rollup)]),
  };
  for (const [name, r] of Object.entries(cases)) {
    t.equal(JSON.stringify(snapshot(r)), JSON.stringify(generalSnapshot(r)), `${name}: same observation, same key order`);
  }
  const read = ['two regions', 'lines and resident split over blocks', 'empty region, no resident block', 'rollup present', 'no vmcount pair',
    'uppercase region base', 'odd shared letter'];
  for (const name of read) t.not(fastSnapshot(cases[name as keyof typeof cases]), undefined, `${name}: read at byte level`);
  for (const name of ['address past 13 hex digits', 'odd prot'] as const) {
    t.equal(fastSnapshot(cases[name]), undefined, `${name}: left to the general path`);
  }
  // What the general path rejects, snapshot() rejects the same way.
  const bad = {
    'bad size': reply(['1000 2000 rw-p 4 4 x 0 0 rd\t\n'], []),
    'bad interval': reply([lines], [['buf 7f931eec5000 65536', '0 x\n', '']]),
    'bad region base': reply([lines], [['buf zz 65536', '', '']]),
  };
  for (const [name, r] of Object.entries(bad)) {
    let want = '';
    try { generalSnapshot(r); } catch (e) { want = String(e); }
    t.not(want, '', `${name}: the general path throws`);
    t.throws(() => snapshot(r), { message: want.replace(/^\w+: /, '') }, name);
  }
});

// fixtures/smaps-thp.txt: a C probe on this machine (6.18.44, THP madvise): a 4 MiB
// MADV_HUGEPAGE mapping, the first 2 MiB mlocked (one huge page), one byte written
// in the second 2 MiB (another huge page).
t.test('smaps AnonHugePages becomes anonHuge', async (t) => {
  const vmas = parseSmaps(fx('smaps-thp.txt'));
  t.equal(vmas.length, 2);
  const base = vmas[0]!.start;
  const r = regionObservation(vmas, base, 4n << 20n, []);
  t.same(r.vmas.map((v) => [v.rss, v.locked, v.anonHuge]), [[2 << 20, 2 << 20, 2 << 20], [2 << 20, 0, 2 << 20]]);
  t.same(r.vmas.map((v) => v.flags.slice(-2)), [['ac', 'hg'], ['ac', 'hg']]);
  const plain = regionObservation(parseSmaps(smaps), 0x7f931eec5000n, 65536n, []);
  t.equal(plain.vmas[0]!.anonHuge, 0);
});
