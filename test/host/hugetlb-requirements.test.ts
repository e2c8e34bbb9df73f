// Huge pages and hugetlbfs files on the host (SPEC Part II, SKIP rules): what a scenario
// needs from the pool, and why a host that may not reserve them SKIPs it. No executor runs.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { hugePagesNeeded, skipReason, type HostFacts } from '../../runner/targets/host/requirements.js';

const scenario = (body: string) => compileSource('scenario "t"\n' + body, 't.mls').scenario!;
const facts = (uid: number, hugePagesFree: number): HostFacts => ({
  uid, capIpcLockPermitted: uid === 0, hugePagesFree, thp: true, release: '6.18.44',
  features: { memfd_secret: 'ok', droppable: 'ok', io_uring: 'ok' },
  files: { filesFs: 'other', raPages: 2048, ioPages: 1024 } as HostFacts['files'],
});

t.test('pages needed: MAP_HUGETLB mappings, hugetlbfs files, private mappings of them', async (t) => {
  t.same(hugePagesNeeded(scenario('m = mmap 4p rw private anon\n')), { pages: 0, hugetlbfs: false });
  t.same(hugePagesNeeded(scenario('requires hugetlb\n')), { pages: 1, hugetlbfs: false });
  t.same(hugePagesNeeded(scenario('h = mmap 3M rw private anon hugetlb\n')), { pages: 2, hugetlbfs: false });
  const f = scenario('file h 4M on hugetlbfs\ns = mmap 4M rw shared file h\np = mmap 2M rw private file h\n');
  t.same(hugePagesNeeded(f), { pages: 3, hugetlbfs: true }, 'the file, plus the private copy reservation');
});

t.test('SKIP reasons name what is missing', async (t) => {
  const anon = scenario('h = mmap 2M rw private anon hugetlb\n');
  t.equal(skipReason(anon, facts(0, 0)), undefined, 'root reserves the page for the scenario');
  t.equal(skipReason(anon, facts(1000, 1)), undefined, 'a free page is enough without root');
  t.match(skipReason(anon, facts(1000, 0)), /needs 1 free 2 MiB huge page\(s\); HugePages_Free is 0, and only root may raise vm\.nr_hugepages/);
  const file = scenario('file h 2M on hugetlbfs\n');
  t.match(skipReason(file, facts(1000, 8)), /hugetlbfs mount, which the host makes as root/);
  t.equal(skipReason(file, facts(0, 0)), undefined);
  t.match(skipReason(anon, { ...facts(0, 0), hugetlbPool: false }), /no hugetlb pool/, 'a kernel without CONFIG_HUGETLB_PAGE (a vm guest)');
});
