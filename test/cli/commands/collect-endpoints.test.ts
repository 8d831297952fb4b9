import { describe, expect, test } from 'vitest';
import { type CollectFlags, sinkEndpoints } from '../../../cli/commands/collect.js';

const flags = (f: Partial<CollectFlags>): CollectFlags => ({ drainTimeoutS: '30', ...f }) as CollectFlags;

describe('collect: Kafka endpoint and client', () => {
  test('brokers from the flag, else KAFKA_BROKERS; the client from --kafka-client, else L2H_KAFKA_CLIENT, else the default', () => {
    expect(sinkEndpoints(flags({ kafkaBrokers: 'a:1, b:2' }), {}).kafka).toEqual({
      brokers: ['a:1', 'b:2'],
      topicPrefix: undefined,
      client: undefined,
    });
    expect(
      sinkEndpoints(flags({}), { KAFKA_BROKERS: 'k:9', L2H_KAFKA_CLIENT: 'kafkajs' }).kafka?.client,
    ).toBe('kafkajs');
    expect(
      sinkEndpoints(flags({ kafkaClient: 'WIRE' }), { KAFKA_BROKERS: 'k:9', L2H_KAFKA_CLIENT: 'kafkajs' })
        .kafka?.client,
    ).toBe('wire');
  });

  test('a broker that is not host:port is a usage error at start, not an outage retried for ever', () => {
    expect(() => sinkEndpoints(flags({}), { KAFKA_BROKERS: 'a:1,[::1]:9092' })).toThrow(
      expect.objectContaining({ code: 'BAD_USAGE', message: expect.stringMatching(/\[::1\]:9092/) }),
    );
    expect(() => sinkEndpoints(flags({ kafkaBrokers: 'localhost' }), {})).toThrow(
      /"localhost" is not host:port/,
    );
  });

  test('an unknown client is a usage error that names the choices', () => {
    expect(() => sinkEndpoints(flags({ kafkaBrokers: 'a:1', kafkaClient: 'rdkafka' }), {})).toThrow(
      /unknown Kafka client "rdkafka": expected wire or kafkajs/,
    );
  });
});
