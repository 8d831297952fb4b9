import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { L2hError } from '../../common/errors.js';

export interface PageAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

export interface PageAssets {
  /** URL path → asset. Only these paths are served: no file system lookups per request. */
  readonly byPath: ReadonlyMap<string, PageAsset>;
  /** Content-Security-Policy for the page: its one inline loader script is allowed by hash. */
  readonly contentSecurityPolicy: string;
}

/**
 * The page's files live in `collector/monitor/page/`: beside this module when running from
 * sources (or from a build that copied them), otherwise in the package's own
 * `collector/monitor/page/` above `dist/`, found by walking up to l2-harness's package.json.
 */
const PAGE_DIR = 'collector/monitor/page/';

const PAGE_FILES: ReadonlyArray<readonly [path: string, file: string, contentType: string]> = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/assets/monitor.js', 'monitor.js', 'text/javascript; charset=utf-8'],
  ['/assets/monitor.css', 'monitor.css', 'text/css; charset=utf-8'],
];

/** Loads every asset once at start, so a missing file fails the start, not a page view. */
export function loadPageAssets(): PageAssets {
  const dir = findPageDir();
  const byPath = new Map<string, PageAsset>();
  for (const [path, file, contentType] of PAGE_FILES) {
    byPath.set(path, { body: readAsset(new URL(file, dir)), contentType });
  }
  byPath.set('/index.html', byPath.get('/')!);
  // Bundled from node_modules: the page works on a machine with no route to a CDN. chart.js's
  // `exports` map hides dist/chart.umd.js from resolve(), so it is found beside the package's main file.
  const chartPath = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
  byPath.set('/assets/chart.umd.js', {
    body: readAsset(pathToFileURL(chartPath)),
    contentType: 'text/javascript; charset=utf-8',
  });
  return { byPath, contentSecurityPolicy: policyFor(byPath.get('/')!.body.toString('utf8')) };
}

function findPageDir(): URL {
  const candidates = [new URL('./page/', import.meta.url)];
  const root = packageRoot();
  if (root !== null) candidates.push(new URL(PAGE_DIR, root));
  for (const dir of candidates) {
    if (existsSync(new URL('index.html', dir))) return dir;
  }
  throw new L2hError('the monitor page files are missing', {
    code: 'INTERNAL',
    context: { tried: candidates.map((d) => fileURLToPath(d)).join(', ') },
    hint: `the package must ship ${PAGE_DIR} (index.html, monitor.js, monitor.css)`,
  });
}

function packageRoot(): URL | null {
  let dir = new URL('./', import.meta.url);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown };
      if (pkg.name === 'l2-harness') return dir;
    } catch {
      // no package.json here, or not ours: keep walking up
    }
    const parent = new URL('../', dir);
    if (parent.href === dir.href) return null;
    dir = parent;
  }
}

function readAsset(url: URL): Buffer {
  try {
    return readFileSync(url);
  } catch (err) {
    throw new L2hError('cannot read a monitor page asset', {
      code: 'IO',
      cause: err,
      context: { file: fileURLToPath(url) },
    });
  }
}

/**
 * Scripts only from this server plus the inline loader by its hash; data only over this origin
 * (which includes its WebSocket); nothing framed, nothing posted.
 */
function policyFor(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
  );
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
