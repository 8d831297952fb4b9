import type { CollectorStatus, RateSample } from '../../../collector/monitor/status.js';

/**
 * A status as a collector in the middle of a session would report it: three ports, four sinks,
 * books of each family, a few problems. Values are unusual on purpose (prices with long
 * fractions, a line with HTML in it) so the page and endpoints must pass them through exactly.
 */
export function sampleStatus(overrides: Partial<CollectorStatus> = {}): CollectorStatus {
  return {
    schema: 'l2h.status/1',
    session: 's-20261124-093000',
    pid: 4242,
    startedAt: '2026-11-24T14:30:00.000Z',
    now: '2026-11-24T15:32:05.000Z',
    uptimeS: 3725,
    state: 'ok',
    stateReasons: [],
    ports: [
      {
        channel: 'L1',
        host: '127.0.0.1',
        port: 5009,
        connected: true,
        serverConnected: true,
        msSinceLastLine: 12,
        reconnects: 0,
      },
      {
        channel: 'L2',
        host: '127.0.0.1',
        port: 9200,
        connected: true,
        serverConnected: true,
        msSinceLastLine: 3,
        reconnects: 1,
      },
      {
        channel: 'ADMIN',
        host: '127.0.0.1',
        port: 9300,
        connected: true,
        serverConnected: null,
        msSinceLastLine: 1480,
        reconnects: 0,
      },
    ],
    rates: { L1: 1250, L2: 18433, ADMIN: 1 },
    ratesAt: Date.parse('2026-11-24T15:32:05.000Z'),
    totals: {
      lines: { L1: 4_512_331, L2: 66_410_952, ADMIN: 3801 },
      records: { l2: 66_120_004, l1: 3_990_117, ticks: 512_880, gaps: 6 },
      malformed: 2,
      notFound: 1,
      noDepth: 1,
      errors: 1,
      integrity: 0,
    },
    journal: {
      dir: '/var/lib/l2h/journal/s-20261124-093000',
      bytes: 5_368_709_120,
      segments: 11,
      headSeq: 70_927_084,
      durableSeq: 70_927_080,
    },
    sinks: [
      {
        name: 'jsonl',
        mode: 'live',
        checkpointSeq: 70_927_080,
        lag: 4,
        queueDepth: 3,
        written: 70_502_997,
        retries: 0,
        overflows: 0,
        lastError: null,
        stuck: false,
      },
      {
        name: 'clickhouse',
        mode: 'live',
        checkpointSeq: 70_920_001,
        lag: 7083,
        queueDepth: 7000,
        written: 70_495_918,
        retries: 2,
        overflows: 0,
        lastError: null,
        stuck: false,
      },
      {
        name: 'kafka',
        mode: 'catch-up',
        checkpointSeq: 70_100_000,
        lag: 827_084,
        queueDepth: 0,
        written: 69_675_917,
        retries: 5,
        overflows: 0,
        lastError: 'KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:39092',
        stuck: false,
      },
      {
        name: 'redis',
        mode: 'live',
        checkpointSeq: 70_927_084,
        lag: 0,
        queueDepth: 0,
        written: 70_503_001,
        retries: 0,
        overflows: 0,
        lastError: null,
        stuck: false,
      },
    ],
    symbols: [
      {
        symbol: 'AAPL',
        family: 'mbp',
        bids: [
          { price: 187.42, size: 300 },
          { price: 187.41, size: 1200 },
          { price: 187.4, size: 800 },
          { price: 187.39, size: 450 },
          { price: 187.38, size: 2000 },
        ],
        asks: [
          { price: 187.43, size: 200 },
          { price: 187.44, size: 900 },
          { price: 187.45, size: 1500 },
          { price: 187.46, size: 300 },
          { price: 187.47, size: 700 },
        ],
        lastTrade: { price: 187.425, size: 100, timestamp: '2026-11-24T10:32:04.998712' },
        messages: 21_004_512,
        gaps: 1,
        resyncs: 1,
        integrityIssues: 0,
      },
      {
        symbol: 'MSFT',
        family: 'mbo',
        bids: [
          { price: 411.1, size: 25 },
          { price: 411.09, size: 300 },
        ],
        asks: [{ price: 411.125, size: 100 }],
        lastTrade: { price: 411.11, size: null, timestamp: '2026-11-24T10:32:04.100000' },
        messages: 9_877_002,
        gaps: 0,
        resyncs: 0,
        integrityIssues: 0,
      },
      {
        symbol: 'EURUSD.FXCM',
        family: 'mm',
        bids: [{ price: 1.0512300000000003, size: 1_000_000 }],
        asks: [{ price: 1.05125, size: 2_000_000 }],
        lastTrade: null,
        messages: 55_012,
        gaps: 0,
        resyncs: 0,
        integrityIssues: 2,
      },
    ],
    problems: {
      notFound: ['ZZZZ'],
      noDepth: ['QQQ'],
      errors: [
        {
          seq: 1822,
          channel: 'L2',
          line: 'E,!NOT_SUBSCRIBED!,',
          message: 'IQConnect error: !NOT_SUBSCRIBED!',
        },
      ],
      malformed: [
        {
          seq: 90_210,
          channel: 'L2',
          line: '3,AAPL,<script>alert(1)</script>,,',
          message: 'price field 3 is not a number: "<script>alert(1)</script>"',
        },
        {
          seq: 90_377,
          channel: 'L1',
          line: 'Q,MSFT,411.1x,',
          message: 'bid field 4 is not a number: "411.1x"',
        },
      ],
    },
    ...overrides,
  };
}

/** One sample per second for `seconds` seconds ending at `endMs`, oldest first. */
export function sampleHistory(seconds: number, endMs: number): RateSample[] {
  const samples: RateSample[] = [];
  for (let i = seconds - 1; i >= 0; i--) {
    const k = seconds - i;
    samples.push({
      t: endMs - i * 1000,
      rates: {
        L1: 1000 + ((k * 37) % 400),
        L2: 15000 + ((k * 911) % 6000) + (k % 120 < 10 ? 9000 : 0),
        ADMIN: k % 5 === 0 ? 1 : 0,
      },
    });
  }
  return samples;
}
