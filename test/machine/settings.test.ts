// runner/machine: the settings a run has (defaults, the host's facts, --setting, the
// scenario's requirements), how cases pick by them, and the SKIP reason a host gives.
import t from 'tap';
import type { HostFacts, StartImage } from '../../schema/generated/types.js';
import { effectiveSettings, MODEL_DEFAULTS, parseSettingArgs, settingsMismatch, settingsOfImage, valuesOfLog, logSettings } from '../../runner/machine/settings.js';
import { unmodelledFacts } from '../../runner/machine/unmodelled.js';
import { pickValue, parseProfile } from '../../runner/profiles/applies.js';

/** The facts of the machine these tests were written on (Linux 6.18.44, pvm_no_zero_page=1, no PKU). */
const HERE: HostFacts = {
  zeroPage: false, hugeZeroPage: false, pkeys: false, anonVmFlags: 'rd wr mr mw me ac', softDirty: false, pageSize: 4096,
  thp: { enabled: 'madvise', defrag: 'madvise', shmemEnabled: 'never', useZeroPage: true, sizes: { '2048kB': 'inherit', '64kB': 'never' } },
  overcommitMemory: 0, maxMapCount: 65530, memlock: { soft: '8388608', hard: '8388608' }, bootParams: ['pvm_no_zero_page=1'],
};
const image = (extra: Partial<StartImage>): StartImage => ({ vmas: [], brkStart: '0', ...extra });

t.test('settings of a host image: facts and the temp dir filesystem', async (t) => {
  t.same(settingsOfImage(image({ facts: HERE, filesFs: 'other', readAheadKb: 8192 })), {
    zero_page: 'off', huge_zero_page: 'off', pkeys: 'off', soft_dirty: 'off', thp: 'madvise', files: 'disk', read_ahead_kb: '8192',
  });
  const debian = { ...HERE, zeroPage: true, hugeZeroPage: true, pkeys: true, anonVmFlags: 'rd wr mr mw me ac sd', softDirty: undefined, thp: { enabled: 'always' } } as HostFacts;
  t.match(settingsOfImage(image({ facts: debian, filesFs: 'tmpfs', readAheadKb: 0 })), { soft_dirty: 'on', thp: 'always', files: 'tmpfs', read_ahead_kb: '0' });
  t.same(settingsOfImage(image({})), {}, 'an image without facts says nothing');
  t.same(settingsOfImage(undefined), {});
});

t.test('layers: defaults < run < scenario; tmpfs files have no readahead unless stated', async (t) => {
  t.same(effectiveSettings(), MODEL_DEFAULTS);
  t.match(effectiveSettings({ zero_page: 'off' }, { zero_page: 'on', pkeys: 'off' }), { zero_page: 'on', pkeys: 'off' });
  t.equal(effectiveSettings({ files: 'tmpfs' }).read_ahead_kb, '0');
  t.equal(effectiveSettings({ files: 'tmpfs', read_ahead_kb: '128' }).read_ahead_kb, '128');
  t.same(valuesOfLog(logSettings(effectiveSettings({ thp: 'never' }))), effectiveSettings({ thp: 'never' }));
  t.same(valuesOfLog(undefined), MODEL_DEFAULTS, 'a log without settings: the defaults');
});

t.test('--setting parsing', async (t) => {
  t.same(parseSettingArgs(['zero_page=off', 'read_ahead_kb=128']), { zero_page: 'off', read_ahead_kb: '128' });
  t.match(parseSettingArgs(['zero_page=of']), { error: /zero_page takes on or off/ });
  t.match(parseSettingArgs(['zeropage=off']), { error: /name among zero_page/ });
  t.match(parseSettingArgs(['read_ahead_kb=-1']), { error: /--setting takes name=value/ });
});

t.test('cases pick by the run settings; absent settings are the defaults', async (t) => {
  const v = { default: 0, cases: [{ when: { settings: [{ name: 'zero_page', value: 'off' }, { name: 'pkeys', value: 'off' }] }, value: 2 }, { when: { settings: [{ name: 'zero_page', value: 'off' }] }, value: 1 }] };
  const p = parseProfile('linux-6.18');
  t.equal(pickValue(v, p), 0);
  t.equal(pickValue(v, { ...p, settings: effectiveSettings({ zero_page: 'off' }) }), 1);
  t.equal(pickValue(v, { ...p, settings: effectiveSettings({ zero_page: 'off', pkeys: 'off' }) }), 2);
  const withProfile = { default: 0, cases: [{ when: { profile: 'linux-6.1', settings: [{ name: 'pkeys', value: 'off' }] }, value: 3 }] };
  t.equal(pickValue(withProfile, { ...p, settings: effectiveSettings({ pkeys: 'off' }) }), 0, 'both the profile and the setting must hold');
  t.equal(pickValue(withProfile, { ...parseProfile('linux-6.1'), settings: effectiveSettings({ pkeys: 'off' }) }), 3);
});

t.test('a host that differs SKIPs naming the fact, both values and the boot parameter', async (t) => {
  const host = effectiveSettings(settingsOfImage(image({ facts: HERE })));
  t.equal(settingsMismatch({ zero_page: 'on' }, host, HERE),
    'host: reads of untouched anonymous memory allocate pages (no zero page) (zero_page=off; pvm_no_zero_page=1); the scenario assumes zero_page=on');
  t.equal(settingsMismatch({ zero_page: 'off', pkeys: 'off' }, host, HERE), undefined);
  t.match(settingsMismatch({ files: 'tmpfs' }, host), /files live on a disk filesystem \(files=disk\); the scenario assumes files=tmpfs/);
  t.equal(settingsMismatch(undefined, host), undefined);
});

t.test('unmodelled facts are named only where they differ from stock', async (t) => {
  t.same(unmodelledFacts(HERE), []);
  const lines = unmodelledFacts({ ...HERE, pageSize: 16384, overcommitMemory: 2, thp: { enabled: 'madvise', shmemEnabled: 'within_size', sizes: { '64kB': 'inherit', '16kB': 'always', '2048kB': 'always', '32kB': 'never' } } });
  t.equal(lines.length, 5);
  t.match(lines.join('\n'), /page size 16384/);
  t.match(lines.join('\n'), /mTHP 64kB is `inherit`: faults in MADV_HUGEPAGE ranges/);
  t.match(lines.join('\n'), /mTHP 16kB is `always`: faults everywhere/);
  t.match(lines.join('\n'), /shmem THP is `within_size`/);
  t.match(lines.join('\n'), /overcommit_memory=2/);
});
