/**
 * A small seeded market session for tests: two symbols by price and by order on L2, quotes and
 * trades on L1, a feed drop and reconnect, spread over a few simulated seconds.
 */
import { createPrng } from '../../simulator/prng.js';
import type { TapeBody } from './helpers.js';

const D = '2024-06-21';

function time(us: number): string {
  const s = 34_200 + Math.floor(us / 1e6);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(us % 1e6, 6)}`;
}

export function syntheticBody(seed: number, count: number): TapeBody {
  const r = createPrng(seed);
  const body: [number, 'L1' | 'L2', string][] = [];
  const ids: string[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    offset += r.below(3000);
    const t = time(offset);
    const sym = r.below(2) === 0 ? 'AAPL' : 'MSFT';
    const side = r.below(2) === 0 ? 'B' : 'A';
    const price = (100 + r.below(40) / 20).toFixed(4);
    const k = r.below(100);
    if (k < 45)
      body.push([
        offset,
        'L2',
        `8,${sym},${side},${price},${1 + r.below(900)},${1 + r.below(9)},4,${t},${D},`,
      ]);
    else if (k < 55) body.push([offset, 'L2', `9,${sym},${side},${price},${t},${D},`]);
    else if (k < 65) {
      const id = String(648_907_593_000 + i);
      ids.push(id);
      body.push([
        offset,
        'L2',
        `3,${sym},${id},,${side},${price},${1 + r.below(900)},${12_440_218_000 + i},4,${t},${D},`,
      ]);
    } else if (k < 70 && ids.length > 0) {
      body.push([offset, 'L2', `5,${sym},${ids.splice(r.below(ids.length), 1)[0]},,${side},${t},${D},`]);
    } else if (k < 97) {
      const bid = (100 + r.below(40) / 20).toFixed(4);
      const contents = r.below(3) === 0 ? 'C' : 'ba';
      body.push([
        offset,
        'L1',
        `Q,${sym},${bid},${1 + r.below(500)},${t},19,${1000 + i},${bid},100,${price},200,99.5000,102.0000,99.0000,100.0000,${contents},01,`,
      ]);
    } else if (k === 97) {
      body.push([offset, 'L1', 'S,SERVER DISCONNECTED'], [offset, 'L2', 'S,SERVER DISCONNECTED']);
    } else {
      body.push([offset, 'L1', 'S,SERVER CONNECTED'], [offset, 'L2', 'S,SERVER CONNECTED']);
    }
  }
  return body;
}
