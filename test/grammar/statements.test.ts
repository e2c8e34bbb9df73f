// Every statement of SPEC.md Part I compiles to the expected IR step, and every
// compiled scenario validates against schema/scenario.schema.json.
import t from 'tap';
import { compileBody, schemaErrors } from './helpers.js';
import { compileSource } from '../../grammar/compile.js';

const PRE = 'buf = mmap 16p rw private anon\ndst = mmap 16p none private anon\nfile f 1p\n';
const ok = { default: { kind: 'ok' }, cases: [] };
const at = (region: string, offset = '0') => ({ region, offset });
const bytes = (n: number | bigint) => ({ bytes: String(n) });
const P = 4096;

/** [statement, expected fields of the step it compiles to] */
const cases: [string, Record<string, unknown>][] = [
  ['x = mmap 16p rw private anon', { op: 'mmap', bind: 'x', len: bytes(16 * P), prot: 'rw-', share: 'private', flags: [], result: ok }],
  ['x = mmap 4p r private anon populate', { op: 'mmap', prot: 'r--', flags: ['populate'] }],
  ['x = mmap 4p rw private anon growsdown', { flags: ['growsdown'] }],
  ['x = mmap 1T rw private anon noreserve', { len: bytes(1n << 40n), flags: ['noreserve'] }],
  ['x = mmap 2M rw private anon hugetlb', { len: bytes(2 << 20), flags: ['hugetlb'] }],
  ['x = mmap 4p rw droppable anon', { share: 'droppable' }],
  ['x = mmap 4p rw private anon locked fixed buf + 4p', { flags: ['fixed', 'locked'], at: at('buf', String(4 * P)) }],
  ['x = mmap 4p rw private anon fixed_noreplace buf => EEXIST', { flags: ['fixed_noreplace'], at: at('buf'), result: { default: { kind: 'errno', errno: 'EEXIST' }, cases: [] } }],
  ['x = mmap 4p rw private anon flags 0x40', { rawFlags: '64', flags: [] }],
  ['x = mmap 4p rwx private anon nonblock stack norelocate at buf.end', { prot: 'rwx', flags: ['nonblock', 'stack', 'norelocate'], at: { region: 'buf', end: true, offset: '0' } }],
  ['x = mmap 4p none shared anon', { prot: '---', share: 'shared' }],
  ['fm = mmap 4p rw shared file f', { file: 'f', share: 'shared' }],
  ['fo = mmap 1p r private file f offset 1p', { file: 'f', offset: String(P) }],
  ['mmap 4p rw private anon', { op: 'mmap', len: bytes(4 * P) }],
  ['file g 4K', { op: 'file', file: 'g', size: String(4096) }],
  ['truncate f 4p', { op: 'truncate', file: 'f', size: String(4 * P) }],
  ['s = memfd_secret 4p rw', { op: 'memfd_secret', bind: 's', len: bytes(4 * P), prot: 'rw-' }],
  ['munmap buf + 1p 2p', { op: 'munmap', addr: at('buf', String(P)), len: bytes(2 * P) }],
  ['mprotect buf 4p r', { op: 'mprotect', prot: 'r--', len: bytes(4 * P) }],
  ['mprotect buf prot 0x1000000 => EINVAL', { op: 'mprotect', rawProt: String(0x1000000), prot: '---', len: bytes(16 * P) }],
  ['mlock buf', { op: 'mlock', addr: at('buf'), len: bytes(16 * P) }],
  ['mlock buf + 100 1', { op: 'mlock', addr: at('buf', '100'), len: bytes(1) }],
  ['mlock heap', { op: 'mlock', addr: at('heap'), len: { regionLen: 'heap' } }],
  ['mlock2 buf 16p onfault', { op: 'mlock2', flags: '1' }],
  ['mlock2 buf 1p', { op: 'mlock2', flags: '0' }],
  ['mlock2 buf 1p flags 2 => EINVAL', { op: 'mlock2', flags: '2' }],
  ['munlock buf 4p', { op: 'munlock', len: bytes(4 * P) }],
  ['mlockall current future onfault', { op: 'mlockall', flags: '7' }],
  ['mlockall current', { op: 'mlockall', flags: '1' }],
  ['mlockall flags 8 => EINVAL', { op: 'mlockall', flags: '8' }],
  ['munlockall', { op: 'munlockall', result: ok }],
  ['big = mremap buf 16p -> 32p maymove', { op: 'mremap', bind: 'big', oldLen: bytes(16 * P), newLen: bytes(32 * P), flags: ['maymove'] }],
  ['mremap buf 4p -> 8p => ENOMEM', { op: 'mremap', flags: [], result: { default: { kind: 'errno', errno: 'ENOMEM' }, cases: [] } }],
  ['dup = mremap buf 0 -> 4p maymove', { oldLen: bytes(0) }],
  ['mv = mremap buf 4p -> 4p maymove dontunmap', { flags: ['maymove', 'dontunmap'] }],
  ['mf = mremap buf 4p -> 8p maymove fixed dst', { flags: ['maymove', 'fixed'], to: at('dst') }],
  ['mremap buf -> 8p flags 3', { oldLen: bytes(16 * P), rawFlags: '3', flags: [] }],
  ['brk +8p', { op: 'brk', delta: String(8 * P) }],
  ['brk -4p', { op: 'brk', delta: String(-4 * P) }],
  ['mpin buf 4p', { op: 'mpin' }],
  ['munpin buf 4p', { op: 'munpin' }],
  ['pin buf 4p', { op: 'pin' }],
  ['unpin buf 4p', { op: 'unpin' }],
  ['read buf', { op: 'read', len: bytes(1) }],
  ['read buf => 0', { op: 'read', result: { default: { kind: 'value', value: '0' }, cases: [] } }],
  ['write buf + 5p', { op: 'write', addr: at('buf', String(5 * P)), len: bytes(1) }],
  ['write buf 4p', { op: 'write', len: bytes(4 * P) }],
  ['write buf 4p value 7', { op: 'write', value: 7 }],
  ['access buf 1G random 15000000 seed 42 read', { op: 'access', len: bytes(1 << 30), count: 15000000, seed: '42', mode: 'read' }],
  ['grow_stack 1M', { op: 'grow_stack', len: bytes(1 << 20) }],
  ['setrlimit memlock 8p', { op: 'setrlimit', resource: 'memlock', soft: String(8 * P), hard: String(8 * P) }],
  ['setrlimit memlock 8p hard unlimited', { soft: String(8 * P), hard: 'unlimited' }],
  ['setrlimit memlock 8p + 100', { soft: String(8 * P + 100) }],
  ['setrlimit stack keep hard 8M', { resource: 'stack', soft: 'keep', hard: String(8 << 20) }],
  ['cap drop ipc_lock', { op: 'cap', action: 'drop', cap: 'ipc_lock' }],
  ['cap raise sys_resource', { op: 'cap', action: 'raise', cap: 'sys_resource' }],
  ['exec', { op: 'exec' }],
  ['exit', { op: 'exit' }],
  ['kid = fork', { op: 'fork', child: 'kid', proc: 'main' }],
  ['madvise buf 4p dontneed', { op: 'madvise', advice: 4, adviceName: 'dontneed' }],
  ['madvise buf 4p advice 25', { op: 'madvise', advice: 25 }],
  ['msync buf 4p sync invalidate', { op: 'msync', flags: '6' }],
  ['msync buf 4p async', { op: 'msync', flags: '1' }],
  ['msync buf 4p flags 8', { op: 'msync', flags: '8' }],
  ['mlock NULL 0', { addr: { offset: '0' }, len: bytes(0) }],
  ['mlock TOP 1p => EINVAL', { addr: { offset: '-4096' } }],
  ['mlock -4096 4096 => EINVAL', { addr: { offset: '-4096' } }],
  ['mlock buf SIZE_MAX - 8191', { len: bytes((1n << 64n) - 8192n) }],
  ['mlock buf 0b1010', { len: bytes(10) }],
  ['mlock buf 4KiB + 1MiB - 1', { len: bytes(4096 + (1 << 20) - 1) }],
  ['mlock buf.end - 1p 1p', { addr: { region: 'buf', end: true, offset: '-4096' } }],
  ['mlock2 buf onfault => ok, ENOSYS on < 4.4, EINVAL on linux-6.18+mcl-inherit', {
    result: { default: { kind: 'ok' }, cases: [
      { when: { version: { op: '<', version: '4.4' } }, value: { kind: 'errno', errno: 'ENOSYS' } },
      { when: { profile: 'linux-6.18+mcl-inherit' }, value: { kind: 'errno', errno: 'EINVAL' } },
    ] },
  }],
  ['mlock buf => enomem', { result: { default: { kind: 'errno', errno: 'ENOMEM' }, cases: [] } }],
  ['write buf => SIGSEGV', { result: { default: { kind: 'signal', signal: 'SIGSEGV' }, cases: [] } }],
  ['mlock buf => -1', { result: { default: { kind: 'value', value: '-1' }, cases: [] } }],
  ['mlock buf => any', { result: { default: { kind: 'any' }, cases: [] } }],
  ['mremap buf 16p -> 32p => ENOSYS on < 3.0', { result: { default: { kind: 'ok' }, cases: [{ when: { version: { op: '<', version: '3.0' } }, value: { kind: 'errno', errno: 'ENOSYS' } }] } }],
];

const expects: [string, Record<string, unknown>[]][] = [
  ['expect locked_vm == 16p', [{ field: 'locked_vm', op: '==', value: { default: { bytes: 16 * P }, cases: [] } }]],
  ['expect map_count == 12, locked == 16K', [{ field: 'map_count', value: { default: { count: 12 } } }, { field: 'locked', value: { default: { bytes: 16384 } } }]],
  ['expect mcl_future == onfault', [{ field: 'mcl_future', value: { default: { state: 'onfault' } } }]],
  ['expect buf resident == 1p, flags has lo lf', [{ region: 'buf', field: 'resident' }, { region: 'buf', field: 'flags', op: 'has', value: { default: { flags: ['lo', 'lf'] } } }]],
  ['expect buf flags lacks lf', [{ region: 'buf', op: 'lacks' }]],
  ['expect buf vmas == 3', [{ region: 'buf', field: 'vmas', value: { default: { count: 3 } } }]],
  ['expect buf rss == 16K, pss == 8K, locked == 8K, anonymous == 16K, size == 16p', [{ region: 'buf', field: 'rss' }, { region: 'buf', field: 'pss' }, { region: 'buf', field: 'locked' }, { region: 'buf', field: 'anonymous' }, { region: 'buf', field: 'size' }]],
  ['expect buf resident_map == "#...#"', [{ field: 'resident_map', value: { default: { map: '#...#' } } }]],
  ['expect buf layout == [0, 2p) rw- lo | [2p, 4p) r--s lo lf', [{ field: 'layout', value: { default: { layout: [{ start: 0, end: 2 * P, prot: 'rw-', flags: ['lo'] }, { start: 2 * P, end: 4 * P, prot: 'r--', shared: true, flags: ['lo', 'lf'] }] } } }]],
  ['expect locked_vm == 16p, 0 on linux-6.18+posix-mlock', [{ value: { default: { bytes: 16 * P }, cases: [{ when: { profile: 'linux-6.18+posix-mlock' }, value: { bytes: 0 } }] } }]],
  ['expect locked_vm', [{ field: 'locked_vm', op: '==' }]],
  ['expect buf rss, locked_vm < 1G, pinned_vm >= 0, total_vm > 0, rss != 0', [{ region: 'buf', field: 'rss' }, { field: 'locked_vm', op: '<' }, { field: 'pinned_vm', op: '>=' }, { field: 'total_vm', op: '>' }, { region: 'buf', field: 'rss', op: '!=' }]],
];

t.test('every call statement compiles to its step', async (t) => {
  for (const [src, want] of cases) {
    const r = compileBody(PRE + src + '\n');
    t.same(r.messages.filter((m) => m.severity === 'error'), [], src);
    const step = r.scenario?.steps.at(-1);
    t.has(step, want, src);
    t.equal(step?.loc.line, 5, `${src}: loc line`);
    if (r.scenario) t.same(schemaErrors(r.scenario), [], `${src}: schema`);
  }
});

t.test('expect statements', async (t) => {
  for (const [src, want] of expects) {
    const r = compileBody(PRE + src + '\n');
    t.same(r.messages, [], src);
    const step = r.scenario?.steps.at(-1);
    t.equal(step?.op, 'expect', src);
    if (step?.op === 'expect') {
      t.equal(step.checks.length, want.length, `${src}: clause count`);
      want.forEach((w, i) => t.has(step.checks[i], w, `${src}: clause ${i + 1}`));
      if (src === 'expect locked_vm') t.equal(step.checks[0]?.value, undefined, 'placeholder has no value');
    }
    if (r.scenario) t.same(schemaErrors(r.scenario), [], `${src}: schema`);
  }
});

t.test('header lines', async (t) => {
  const r = compileBody(
    'about "first"\nabout "second \\"quoted\\""\ntags mremap onfault seed-004\nkernel linux-6.18 linux-6.18+posix-mlock\nkernel >= 4.4\n' +
      'requires root model\nimage empty\nmax_map_count 100\n',
  );
  t.same(r.messages, []);
  t.has(r.scenario, {
    schemaVersion: 1,
    name: 't',
    description: 'first\nsecond "quoted"',
    tags: ['mremap', 'onfault', 'seed-004'],
    kernels: { profiles: ['linux-6.18', 'linux-6.18+posix-mlock'], constraints: [{ op: '>=', version: '4.4' }] },
    requires: ['root', 'model'],
    env: { image: 'empty', maxMapCount: 100 },
    processes: ['main'],
    steps: [],
  });
  t.match(r.scenario?.hash, /^[0-9a-f]{64}$/);
});

t.test('processes, blocks and region scoping', async (t) => {
  const r = compileBody('buf = mmap 4p rw private anon\nkid = fork\nin kid {\n  write buf\n  g = fork\n  expect locked_vm == 0\n}\nin g: exit\nin kid: exec\nexpect buf rss == 4K\n');
  t.same(r.messages, []);
  const steps = r.scenario?.steps ?? [];
  t.same(r.scenario?.processes, ['main', 'kid', 'g']);
  t.same(steps.map((s) => `${s.proc}:${s.op}`), ['main:mmap', 'main:fork', 'kid:write', 'kid:fork', 'kid:expect', 'g:exit', 'kid:exec', 'main:expect']);
  t.same([steps[2]?.loc.line, steps[2]?.loc.column], [5, 3], 'block statements keep their own location');
});

t.test('omitted lengths: static length, or regionLen once it may have changed', async (t) => {
  const r = compileBody('buf = mmap 4p rw private anon\nmremap buf 4p -> 8p\nmlock buf\nbuf = mremap buf 8p -> 2p\nmunlock buf\nmlock stack\n');
  t.same(r.messages, []);
  const lens = r.scenario?.steps.map((s) => ('len' in s ? s.len : 'oldLen' in s ? s.oldLen : undefined));
  t.same(lens, [{ bytes: String(4 * P) }, { bytes: String(4 * P) }, { regionLen: 'buf' }, { bytes: String(8 * P) }, { bytes: String(2 * P) }, { regionLen: 'stack' }]);
});

t.test('CRLF, tabs and comments are layout only', async (t) => {
  const a = compileBody('buf = mmap 4p rw private anon\nmlock buf 1p\n');
  const b = compileBody('buf\t=\tmmap 4p rw private anon   # c\r\n\r\n  mlock\tbuf 1p\r\n');
  t.ok(a.scenario && b.scenario);
  t.same(a.scenario?.steps.map((s) => s.op), b.scenario?.steps.map((s) => s.op));
  t.same(b.scenario?.steps[1]?.loc.line, 4);
});

t.test('`on` is a value for mcl_future when no profile selector follows it', async (t) => {
  const { scenario, messages } = compileSource(
    'scenario "on"\nexpect mcl_future == on\nexpect mcl_future == on, off on linux-4.3\n',
    'on.mls',
  );
  t.same(messages, []);
  const checks = scenario!.steps.flatMap((s) => (s.op === 'expect' ? s.checks : []));
  t.same(checks.map((c) => c.value), [
    { default: { state: 'on' }, cases: [] },
    { default: { state: 'on' }, cases: [{ when: { profile: 'linux-4.3' }, value: { state: 'off' } }] },
  ]);
});

t.test('a per-profile case may carry its own operator', async (t) => {
  const { scenario, messages } = compileSource(
    'scenario "ops"\np = mmap 4p rw private anon\nexpect p flags has lo, lacks lo on posix-mlock, has lf on < 4.4, locked_vm == 4p, <= 4p on < 4.4\n',
    'ops.mls',
  );
  t.same(messages, []);
  const checks = scenario!.steps.flatMap((s) => (s.op === 'expect' ? s.checks : []));
  t.same(checks.map((c) => [c.op, c.value]), [
    ['has', { default: { flags: ['lo'] }, cases: [
      { when: { profile: 'posix-mlock' }, value: { flags: ['lo'] }, op: 'lacks' },
      { when: { version: { op: '<', version: '4.4' } }, value: { flags: ['lf'] } },
    ] }],
    ['==', { default: { bytes: 16384 }, cases: [{ when: { version: { op: '<', version: '4.4' } }, value: { bytes: 16384 }, op: '<=' }] }],
  ]);
  const bad = compileSource('scenario "ops"\np = mmap 4p rw private anon\nexpect p flags has lo, == 4p on posix-mlock\n', 'bad.mls');
  t.match(bad.messages, [{ id: 'mls/bad-value', location: { line: 3, column: 24 } }]);
});
