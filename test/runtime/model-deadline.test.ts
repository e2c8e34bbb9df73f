// --timeout inside one long model step (issue 14 finding 8): inline runs (no worker to
// terminate) looked at the clock only between steps, so 15 M random writes ran 290 s
// past a 10 s timeout. The clock here is a counter (Date.now replaced), not a timer:
// each reading advances it 1 ms, so the deadline passes after a known number of reads.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { runOnModel } from '../../runner/targets/model.js';

const SOURCE = `scenario "15 M random writes"
big = mmap 1T rw private anon noreserve
access big 1T random 15000000 seed 7 write
expect big rss > 0
`;

t.test('a deadline passing inside a long step stops the model there', async (t) => {
  const { scenario } = compileSource(SOURCE, 'long.mls');
  t.ok(scenario, 'compiles');
  const real = Date.now;
  let clock = 0, reads = 0;
  Date.now = () => { reads++; return (clock += 1); };
  let log;
  try {
    log = runOnModel(scenario!, { kernel: 'linux-6.18', trace: false, timeoutMs: 50 });
  } finally {
    Date.now = real;
  }
  t.equal(log.outcome, 'timeout');
  t.match(log.message, /ran past 50 ms in step 2 \(stopped there\)/);
  // ~50 checks of the clock, one per 4,096 page accesses: about 200,000 of the 15 M writes ran.
  t.ok(reads < 100, `${reads} clock readings`);
});

t.test('without a deadline in reach the checkpoints change nothing', async (t) => {
  const { scenario } = compileSource(SOURCE.replace('15000000', '20000'), 'short.mls');
  const log = runOnModel(scenario!, { kernel: 'linux-6.18', trace: false, timeoutMs: 600_000 });
  t.equal(log.outcome, 'completed');
  t.equal(log.steps.length, 3);
});
