import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { L2hError } from '../common/errors.js';

/**
 * The Chart.js UMD bundle, read from node_modules so the report inlines it (no CDN, opens from
 * disk). chart.js's `exports` map does not list `dist/chart.umd.js`, so we resolve the package
 * entry (`dist/chart.cjs`) and take the bundle beside it.
 */
let cached: string | undefined;

function readBundle(): { path: string; text: string } {
  let path = 'chart.js';
  try {
    path = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
    return { path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new L2hError('cannot read Chart.js to inline it in the HTML report', {
      code: 'IO',
      cause: err,
      context: { file: path },
      hint: 'run `npm ci` so node_modules/chart.js is installed',
    });
  }
}

export function chartJsSource(): string {
  if (cached !== undefined) return cached;
  const { path, text } = readBundle();
  // The map file is not inlined; a dangling reference would only make devtools fetch it.
  const source = text.replace(/\r\n?/g, '\n').replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
  if (/<\/script|<!--/i.test(source)) {
    // Never true for the 4.x bundle; checked so an upgrade cannot silently break the page.
    throw new L2hError('the Chart.js bundle holds text that would end an inline <script>', {
      code: 'INTERNAL',
      context: { file: path },
    });
  }
  cached = source;
  return source;
}
