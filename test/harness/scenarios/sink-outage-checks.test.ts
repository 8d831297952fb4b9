/**
 * The sink-outage lag check on its own (no processes): it passes only when the collector showed
 * the sink unreachable during the outage (retries, `retrying`), its lag rose by at least half the
 * lines journaled while the sink was down, and then drained; lag merely moving with batching
 * (no outage at all) does not pass.
 */
import { describe, expect, it } from 'vitest';
import type { MetricsSample } from '../../../harness/results/types.js';
import { type Outage, outageCheck, type SinkObservation } from '../../../harness/scenarios/sink-outage.js';

const RATE = 1000; // lines journaled a second
const FROM = 5.2;
const TO = 13.2;

function timeline(lagAt: (t: number) => number): MetricsSample[] {
  const out: MetricsSample[] = [];
  for (let t = 0; t <= 40; t++)
    out.push({ t, rates: {}, lag: { clickhouse: lagAt(t) }, queues: {}, rssMb: {} });
  return out;
}

/** Ordinary batching: lag moving between 0 and 149, the sink never down. */
const jitter = timeline((t) => (t * 37) % 150);

/** Down from FROM to TO: every line journaled meanwhile is lag, drained a few seconds later. */
const outageLag = timeline((t) => {
  if (t <= FROM) return (t * 37) % 150;
  if (t <= TO + 1) return Math.round((t - FROM) * RATE);
  return Math.max(0, Math.round((TO + 1 - FROM) * RATE - (t - TO - 1) * 3 * RATE));
});

function observed(retrying: boolean): SinkObservation[] {
  const out: SinkObservation[] = [];
  for (let t = FROM - 1; t <= TO + 2; t += 0.5) {
    const down = retrying && t > FROM && t < TO;
    out.push({
      t,
      mode: down ? 'retrying' : 'live',
      retries: down ? Math.floor(t - FROM) + 1 : retrying && t >= TO ? 8 : 0,
      lastError: retrying && t > FROM ? 'connect ECONNREFUSED 127.0.0.1:8123' : null,
      lag: 0,
      headSeq: Math.round(t * RATE),
    });
  }
  return out;
}

function outage(over: Partial<Outage> = {}): Outage {
  return {
    sink: 'clickhouse',
    downAtS: FROM - 0.4,
    fromS: FROM,
    toS: TO,
    retriesBefore: 0,
    headAtFrom: Math.round(FROM * RATE),
    headAtTo: Math.round(TO * RATE),
    observed: observed(true),
    ...over,
  };
}

describe('sink-outage lag check', () => {
  it('fails on batching jitter with no outage: no retries, no rise beyond jitter', () => {
    const c = outageCheck(outage({ observed: observed(false) }), jitter, 0);
    expect(c.pass).toBe(false);
    expect(c.evidence.counts).toMatchObject({ retriesDuring: 0 });
  });

  it('fails on batching jitter even when the sink did report errors: the lag did not rise with the feed', () => {
    const c = outageCheck(outage(), jitter, 0);
    expect(c.pass).toBe(false);
    expect(c.evidence.counts?.['lagRiseNeeded']).toBe(4000);
  });

  it('fails on a real lag rise without evidence the sink was unreachable', () => {
    const c = outageCheck(outage({ observed: observed(false) }), outageLag, 0);
    expect(c.pass).toBe(false);
    expect(c.measured).toContain('no sign the sink was unreachable');
  });

  it('passes when the sink was unreachable, the lag rose with the lines journaled meanwhile, and drained', () => {
    const c = outageCheck(outage(), outageLag, 0);
    expect(c.pass).toBe(true);
    expect(c.evidence.counts).toMatchObject({
      journaledWhileDown: 8000,
      lagRiseNeeded: 4000,
      lagPeak: 8800,
      finalLag: 0,
    });
    expect(c.evidence.counts?.['retriesDuring']).toBeGreaterThan(0);
  });

  it('fails when the lag never drains back, or the final lag is not 0', () => {
    const stuck = timeline((t) => (t <= FROM ? 0 : Math.min(9000, Math.round((t - FROM) * RATE))));
    expect(outageCheck(outage(), stuck, 0).pass).toBe(false);
    expect(outageCheck(outage(), outageLag, 12).pass).toBe(false);
  });

  it('fails when the journal head was not seen, so the rise has nothing to be measured against', () => {
    expect(outageCheck(outage({ headAtTo: null }), outageLag, 0).pass).toBe(false);
  });
});
