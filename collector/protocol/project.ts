import { normalizeUpdateFields } from './fields.js';

/**
 * Raw re-projection of Q/P lines from one field list to another, for the simulator: a tape
 * recorded under the default list must reach a client that ran `S,SELECT UPDATE FIELDS` in that
 * client's layout (IQFEED-PROTOCOL.md §13.4). Field text is copied untouched (`134.6200` stays
 * `134.6200`); fields the source lacks go out empty; Symbol is always first (IQConnect forces
 * it); the source line's trailing comma, if any, is kept. Lines other than Q/P pass unchanged.
 */
export function createL1Projector(
  fromFields: readonly string[],
  toFields: readonly string[],
): (line: string) => string {
  const from = normalizeUpdateFields(fromFields);
  const to = normalizeUpdateFields(toFields);
  if (from.length === to.length && from.every((name, i) => name === to[i])) return identity;

  // For each output column after Symbol: the source column it comes from, or -1.
  const source = to.slice(1).map((name) => from.indexOf(name));
  const sourceCount = from.length;
  const outCount = to.length;

  return (line: string): string => {
    const type = line.charCodeAt(0);
    if ((type !== 81 && type !== 80) || line.charCodeAt(1) !== 44) return line; // not `Q,` / `P,`
    // Field boundaries of the source: starts[i] .. ends[i] for columns 0 (Symbol) … n-1.
    const starts = new Array<number>(sourceCount);
    const ends = new Array<number>(sourceCount);
    let p = 2;
    let count = 0;
    while (count < sourceCount && p <= line.length) {
      let e = line.indexOf(',', p);
      if (e < 0) e = line.length;
      starts[count] = p;
      ends[count] = e;
      count++;
      p = e + 1;
    }
    const trailing = line.charCodeAt(line.length - 1) === 44 && count === sourceCount && p <= line.length;
    let out = line.slice(0, 2) + (count > 0 ? line.slice(starts[0], ends[0]) : '');
    for (let i = 0; i < outCount - 1; i++) {
      const k = source[i];
      out += k >= 0 && k < count ? `,${line.slice(starts[k], ends[k])}` : ',';
    }
    return trailing ? `${out},` : out;
  };
}

function identity(line: string): string {
  return line;
}
