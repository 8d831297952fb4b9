/**
 * The headers a collector journal carries for its deriver (ARCHITECTURE.md "Tapes and the
 * journal"): `#symbols AAPL,MSFT`, `#l2 mbp` or `#l2 AAPL=mbp,MSFT=mbo`, `#depth 10`. They make a
 * journal derivable on its own: the same records come out of it whoever re-derives it.
 */
import { inputError } from '../../common/errors.js';
import type { BookFamily } from '../books/types.js';
import type { HeaderEntries } from '../tape/format.js';

const FAMILIES: readonly BookFamily[] = ['mbp', 'mbo', 'mm'];

export interface DeriverHeaders {
  readonly symbols: readonly string[];
  readonly families: Readonly<Record<string, BookFamily>>;
  readonly depth: number;
}

/** `#l2` text: one family when every symbol has it, else `SYM=family,…`. */
export function formatFamilies(
  symbols: readonly string[],
  families: Readonly<Record<string, BookFamily>>,
): string {
  const used = new Set(symbols.map((s) => families[s] ?? 'mbp'));
  if (used.size === 1) return [...used][0];
  return symbols.map((s) => `${s}=${families[s] ?? 'mbp'}`).join(',');
}

export function deriverHeaderEntries(h: DeriverHeaders): HeaderEntries {
  return [
    ['symbols', h.symbols.join(',')],
    ['l2', formatFamilies(h.symbols, h.families)],
    ['depth', String(h.depth)],
  ];
}

function family(text: string, where: Readonly<Record<string, string>>): BookFamily {
  const f = FAMILIES.find((x) => x === text.trim());
  if (f === undefined)
    throw inputError(
      `unknown L2 family ${JSON.stringify(text)} in #l2: expected ${FAMILIES.join(', ')}`,
      where,
    );
  return f;
}

/** Read the deriver's headers; `where` names the file for errors. Depth defaults to 10. */
export function parseDeriverHeaders(
  get: (key: string) => string | undefined,
  where: Readonly<Record<string, string>>,
): DeriverHeaders {
  const symbols = (get('symbols') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const families: Record<string, BookFamily> = {};
  const l2 = (get('l2') ?? '').trim();
  if (l2 !== '') {
    if (!l2.includes('=')) {
      const f = family(l2, where);
      for (const s of symbols) families[s] = f;
    } else {
      for (const part of l2.split(',')) {
        // A symbol may hold '=' (resolveSymbols takes it); a family name never does.
        const eq = part.lastIndexOf('=');
        if (eq < 1) throw inputError(`bad #l2 entry ${JSON.stringify(part)}: expected SYMBOL=family`, where);
        families[part.slice(0, eq).trim()] = family(part.slice(eq + 1), where);
      }
    }
  }
  const depthText = get('depth');
  const depth = depthText === undefined ? 10 : Number(depthText);
  if (!Number.isInteger(depth) || depth < 1)
    throw inputError(`bad #depth ${JSON.stringify(depthText)}: expected a whole number ≥ 1`, where);
  return { symbols, families, depth };
}
