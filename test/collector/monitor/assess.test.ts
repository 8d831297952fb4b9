import { describe, expect, it } from 'vitest';
import { assessStatus, healthHttpStatus } from '../../../collector/monitor/assess.js';
import { sampleStatus } from './sample-status.js';

const base = sampleStatus();

describe('assessStatus', () => {
  it('keeps the collector’s own state and reasons when nothing is disconnected or stuck', () => {
    expect(assessStatus(base)).toEqual({ state: 'ok', reasons: [] });
    const degraded = sampleStatus({
      state: 'degraded',
      stateReasons: ['sink kafka 827084 lines behind (bound 500000)'],
    });
    expect(assessStatus(degraded)).toEqual({
      state: 'degraded',
      reasons: ['sink kafka 827084 lines behind (bound 500000)'],
    });
  });

  it('raises to down on a disconnected port, a server link down, or a stuck sink, with numbers', () => {
    const status = sampleStatus({
      state: 'degraded',
      stateReasons: ['L1 feed stale for 4000 ms'],
      ports: base.ports.map((p) =>
        p.channel === 'L1'
          ? { ...p, connected: false, reconnects: 2 }
          : p.channel === 'L2'
            ? { ...p, serverConnected: false }
            : p,
      ),
      sinks: base.sinks.map((s) =>
        s.name === 'redis' ? { ...s, stuck: true, checkpointSeq: 10, lag: 99 } : s,
      ),
    });
    expect(assessStatus(status)).toEqual({
      state: 'down',
      reasons: [
        'L1 feed stale for 4000 ms',
        'L1 port 127.0.0.1:5009 disconnected (2 reconnects so far)',
        'IQConnect reports its server link down on L2 (127.0.0.1:9200)',
        'sink redis stuck at checkpoint 10, lag 99 lines',
      ],
    });
  });

  it('does not echo our reasons when the collector already says down', () => {
    const status = sampleStatus({
      state: 'down',
      stateReasons: ['L2 disconnected'],
      ports: base.ports.map((p) => (p.channel === 'L2' ? { ...p, connected: false } : p)),
    });
    expect(assessStatus(status)).toEqual({ state: 'down', reasons: ['L2 disconnected'] });
  });

  it('maps only down to 503', () => {
    expect(healthHttpStatus('ok')).toBe(200);
    expect(healthHttpStatus('degraded')).toBe(200);
    expect(healthHttpStatus('down')).toBe(503);
  });
});
