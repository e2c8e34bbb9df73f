// `user nobody|root|<uid> [keep <cap>…]` (SPEC.md §3.2): compiled, printed, checked.
// The behaviour (model and host agreeing) is pinned by scenarios/ltp/mlock02-nobody.mls
// and shmctl-lock-per-user.mls; test/runtime/creds.test.ts pins the model's rules.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { formatSource } from '../../grammar/format.js';
import { printScenario } from '../../grammar/print.js';
import { schemaErrors } from './helpers.js';

const H = 'scenario "t"\n';

t.test('IR: uid, gid and the kept capabilities', async (t) => {
  const r = compileSource(H + 'user nobody\nuser 1000 keep ipc_lock ipc_lock\nuser root => EPERM\nuser 0x10 keep CAP_IPC_LOCK sys_resource\n', 't.mls');
  t.same(r.messages, []);
  const steps = r.scenario!.steps.map((s) => (s.op === 'user' ? [s.uid, s.gid, s.keep ?? null] : null));
  t.same(steps, [[65534, 65534, null], [1000, 1000, ['ipc_lock']], [0, 0, null], [16, 16, ['ipc_lock', 'sys_resource']]]);
  t.same(schemaErrors(r.scenario!), []);
  t.match(printScenario(r.scenario!), /user nobody\nuser 1000 keep ipc_lock\nuser root => EPERM\nuser 16 keep ipc_lock sys_resource\n/);
});

t.test('bad names and uids point at the word', async (t) => {
  const r = compileSource(H + 'user nobdy\nuser 4294967295\nuser 7 keep ipc_lok\nuser\n', 't.mls');
  t.same(r.messages.map((m) => [m.id, m.location?.line, m.location?.column, m.location?.suggestion ?? null]), [
    ['mls/bad-value', 2, 6, 'nobody'],
    ['mls/bad-value', 3, 6, null],
    ['mls/bad-value', 4, 13, 'ipc_lock'],
    ['mls/parse', 5, 5, null],
  ]);
});

t.test('fmt keeps what was written', async (t) => {
  t.equal(formatSource(H + 'user   1000   keep  ipc_lock\n').text, H + 'user 1000 keep ipc_lock\n');
});
