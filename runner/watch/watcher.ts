// chokidar 5 underneath, debounced into batches of changed paths. Editors and
// `git checkout` touch many files at once; one batch re-runs once.
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { IGNORED_DIRS } from '../discover.js';

export interface BatchWatcher {
  close(): Promise<void>;
}

export interface WatchOptions {
  roots: string[];
  poll: boolean;
  debounceMs: number;
  onBatch: (paths: string[]) => void;
  onError: (err: Error & { code?: string }) => void;
  onReady: () => void;
}

function ignored(path: string, stats?: { isFile(): boolean }): boolean {
  const parts = path.split(/[\\/]/);
  if (parts.some((p) => IGNORED_DIRS.has(p))) return true;
  // Called twice, first without stats: decide on files only when we know it is one.
  if (stats?.isFile()) return !/\.(mls|js|ts|ohm|json)$/.test(path) || path.endsWith('.d.ts');
  return false;
}

export function watchPaths(opts: WatchOptions): BatchWatcher {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    timer = undefined;
    const paths = [...pending];
    pending.clear();
    if (paths.length) opts.onBatch(paths);
  };
  const w: FSWatcher = chokidarWatch(opts.roots, {
    ignoreInitial: true,
    ignored,
    usePolling: opts.poll,
    interval: 100,
    atomic: true,
  });
  w.on('all', (_event, path) => {
    pending.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, opts.debounceMs);
  });
  w.on('error', (e) => opts.onError(e as Error & { code?: string }));
  w.on('ready', opts.onReady);
  return {
    async close() {
      if (timer) clearTimeout(timer);
      await w.close();
    },
  };
}

/** The inotify remedy for ENOSPC/EMFILE (ecosystem-notes §2.4). */
export function watcherLimitHelp(code: string | undefined): string | undefined {
  if (code !== 'ENOSPC' && code !== 'EMFILE') return undefined;
  return [
    `mls watch: the system limit on watched files was reached (${code}).`,
    '  raise it:    sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512',
    '  keep it:     put those settings in /etc/sysctl.d/60-inotify.conf',
    '  or:          watch fewer paths, or poll instead (mls watch --poll, CHOKIDAR_USEPOLLING=1)',
  ].join('\n');
}
