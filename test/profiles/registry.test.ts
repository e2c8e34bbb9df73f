// The profile registry: names, composition, conflicts, flag numbering by base,
// and agreement with the compiler's KNOWN_PROFILES. Version gates are checked
// against the version each commit landed in (SPEC.md Part IV).
import t from 'tap';
import { KNOWN_PROFILES } from '../../grammar/names.js';
import {
  BASES, PATCHES, REGISTERED, buildProfile, findProfile, mainlineBehaviour, profileCatalogue, profileProblem,
} from '../../runtime/kernels.js';
import { PatchConflict } from '../../runtime/profile.js';
import { parseKernels } from '../../runner/profiles/option.js';

t.test('every registered profile builds, and names its base version and patches', async (t) => {
  for (const n of REGISTERED) {
    const p = findProfile(n);
    t.ok(p, n);
    t.equal(p!.name, n);
    t.same(p!.patches, n.split('+').slice(1));
  }
  t.equal(findProfile('linux-4.4')!.version, '4.4');
  t.equal(findProfile('linux-6.18+posix-mlock')!.version, '6.18');
});

t.test('history gates open at the versions of their commits', async (t) => {
  const at = (a: number, b: number) => mainlineBehaviour([a, b]);
  t.equal(at(4, 3).lockOnFault, false, 'mlock2 arrived in 4.4');
  t.equal(at(4, 4).lockOnFault, true);
  t.equal(at(4, 4).relockCountsTwice, true, 'b155b4fde5bd landed in 4.9');
  t.equal(at(4, 9).relockCountsTwice, false);
  t.equal(at(5, 15).defaultMemlockBytes, 64n << 10n, 'MLOCK_LIMIT 8 MiB since 5.16');
  t.equal(at(5, 16).defaultMemlockBytes, 8n << 20n);
  t.equal(at(6, 1).smapsShowsLockOnFault, false, '"lf" since 6.2');
  t.equal(at(6, 2).smapsShowsLockOnFault, true);
  t.equal(at(6, 10).mapDroppable, false, 'MAP_DROPPABLE since 6.11');
  t.equal(at(5, 6).mremapDontunmap, false, 'MREMAP_DONTUNMAP since 5.7');
  t.equal(at(6, 12).dontunmapLeaksLockedVm, false, 'the leak came with the 2025 rework');
  t.equal(at(6, 18).dontunmapLeaksLockedVm, true);
});

t.test('arbitrary compositions build; unknown names and conflicts are explained', async (t) => {
  t.ok(findProfile('linux-5.15+vm-pinned+posix-mlock'), 'patches compose on any base');
  t.equal(findProfile('linux-3.0'), undefined);
  t.match(profileProblem('linux-3.0'), /unknown base 'linux-3.0'/);
  t.match(profileProblem('linux-6.18+nope'), /unknown patch 'nope'/);
  t.throws(() => buildProfile('linux-6.18+posix-mlock+mcl-inherit'), { message: /both replace the entry point mlockall/ }, 'both replace mlockall');
  t.ok(PatchConflict.prototype instanceof Error);
  t.match(profileProblem('linux-6.18+onfault-mremap-populates+mremap-nopopulate'), /both replace the entry point mremap/);
  t.equal(profileProblem('linux-6.18+vm-pinned+mremap-nopopulate'), undefined);
});

t.test('MCL_INHERIT numbering: the seed\'s 4/8 before MCL_ONFAULT, 16/32 after', async (t) => {
  t.same(findProfile('linux-4.3+mcl-inherit')!.mlockallBits, { MCL_INHERIT: 4, MCL_RECURSIVE: 8 });
  t.same(findProfile('linux-6.18+mcl-inherit')!.mlockallBits, { MCL_INHERIT: 16, MCL_RECURSIVE: 32 });
  t.same(findProfile('linux-6.18+mcl-nopopulate-locked')!.mlockallBits, { MCL_NOPOPULATE_LOCKED: 8 });
  t.ok(findProfile('linux-6.18+mremap-nopopulate')!.mremapBits['MREMAP_NOPOPULATE'] === 8);
});

t.test('the compiler knows every base and patch of the registry', async (t) => {
  t.same([...KNOWN_PROFILES.patches].sort(), [...PATCHES.keys()].sort());
  for (const b of BASES.keys()) t.ok(KNOWN_PROFILES.bases.includes(b), b);
});

t.test('list --kernels catalogue: a description and a source per profile', async (t) => {
  const c = profileCatalogue();
  t.equal(c.length, REGISTERED.length);
  for (const e of c) { t.ok(e.summary.length > 10, e.name); t.match(e.source, /seed \d{3}|mainline v/); }
});

t.test('--kernel parsing: one, a list, all; host default is the host base', async (t) => {
  t.same(parseKernels(undefined, 'model'), ['linux-6.18']);
  t.match(parseKernels(undefined, 'host')[0], /^linux-\d+\.\d+$/);
  t.same(parseKernels('linux-4.4, linux-6.18', 'model'), ['linux-4.4', 'linux-6.18']);
  t.same(parseKernels('all', 'model'), [...REGISTERED]);
  t.throws(() => parseKernels('linux-9.9', 'model'), /unknown base/);
  t.throws(() => parseKernels('all', 'host'), /at most one/);
});
