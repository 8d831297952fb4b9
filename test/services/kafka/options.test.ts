import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPICS, parseBrokerList, resolveKafkaOptions } from '../../../services/kafka/options.js';

describe('resolveKafkaOptions', () => {
  it('pre-creates the four iqfeed topics by default and starts one mock broker', () => {
    const r = resolveKafkaOptions({}, {});
    expect(r.topics.map((t) => t.name)).toEqual(['iqfeed.l2', 'iqfeed.l1', 'iqfeed.ticks', 'iqfeed.gaps']);
    expect(r.brokerCount).toBe(1);
    expect(r.brokers).toBeNull();
    expect(r.launcher).toMatch(/services\/kafka-mock\/bin\/mock-launcher$/);
    expect(r.launcherSource).toMatch(/services\/kafka\/mock-launcher\.c$/);
    expect(r.compiler).toBe('gcc');
  });

  it('adds requested topics and lets a request change a default topic partition count', () => {
    const r = resolveKafkaOptions(
      {
        topics: [
          { name: 'extra', partitions: 2 },
          { name: 'iqfeed.l2', partitions: 8 },
        ],
      },
      {},
    );
    expect(r.topics).toEqual([
      { name: 'iqfeed.l2', partitions: 8 },
      ...DEFAULT_TOPICS.slice(1),
      { name: 'extra', partitions: 2 },
    ]);
  });

  it('reads KAFKA_BROKERS, KAFKA_MOCK_LAUNCHER, CC and KAFKA_IMAGE; options win over them', () => {
    const env = {
      KAFKA_BROKERS: ' a:1, b:2 ',
      KAFKA_MOCK_LAUNCHER: '/x/launcher',
      CC: 'clang',
      KAFKA_IMAGE: 'confluentinc/cp-kafka:7.7.0',
    };
    const r = resolveKafkaOptions({}, env);
    expect(r.brokers).toEqual(['a:1', 'b:2']);
    expect(r.launcher).toBe('/x/launcher');
    expect(r.compiler).toBe('clang');
    expect(r.image).toBe('confluentinc/cp-kafka:7.7.0');
    expect(resolveKafkaOptions({ brokers: ['c:3'] }, env).brokers).toEqual(['c:3']);
  });

  it('rejects bad topics and broker counts with BAD_USAGE', () => {
    expect(() => resolveKafkaOptions({ topics: [{ name: 'bad name', partitions: 1 }] }, {})).toThrow(
      expect.objectContaining({ code: 'BAD_USAGE' }),
    );
    expect(() => resolveKafkaOptions({ topics: [{ name: 't', partitions: 0 }] }, {})).toThrow(
      expect.objectContaining({ code: 'BAD_USAGE' }),
    );
    expect(() => resolveKafkaOptions({ brokerCount: 0 }, {})).toThrow(
      expect.objectContaining({ code: 'BAD_USAGE' }),
    );
  });
});

describe('parseBrokerList', () => {
  it('names the entry that is not host:port', () => {
    expect(() => parseBrokerList('a:1,localhost')).toThrow(
      'KAFKA_BROKERS entry "localhost" is not host:port',
    );
  });
});
