import { describe, expect, it } from 'vitest';
import { classifyKafkaError } from '../../../../collector/sinks/kafka/errors.js';
import { kindOfTopic, parseBrokers, topicsFor } from '../../../../collector/sinks/kafka/topics.js';

describe('Kafka topics and brokers', () => {
  it('names a topic per kind under the prefix, and reads the kind back', () => {
    expect(topicsFor('iqfeed.')).toEqual({
      l2: 'iqfeed.l2',
      l1: 'iqfeed.l1',
      ticks: 'iqfeed.ticks',
      gaps: 'iqfeed.gaps',
    });
    expect(kindOfTopic('iqfeed.', 'iqfeed.ticks')).toBe('ticks');
    expect(kindOfTopic('iqfeed.', 'iqfeed.other')).toBeNull();
    expect(kindOfTopic('iqfeed.', 'x.l2')).toBeNull();
    expect(() => topicsFor('bad prefix ')).toThrow(expect.objectContaining({ code: 'BAD_USAGE' }));
  });

  it('parses broker lists and names a bad entry', () => {
    expect(parseBrokers(' a:1, b.example:9092 ')).toEqual(['a:1', 'b.example:9092']);
    expect(() => parseBrokers('a')).toThrow(/"a" is not host:port/);
    expect(() => parseBrokers(' , ')).toThrow(/no Kafka broker/);
    // Neither client connects to a bracketed IPv6 literal (kafkajs splits at the first ':'): it
    // is refused with what to give instead, not retried for ever as an outage.
    expect(() => parseBrokers('[::1]:9092')).toThrow(
      expect.objectContaining({ code: 'BAD_USAGE', hint: expect.stringMatching(/host name/) }),
    );
  });
});

describe('Kafka error classification', () => {
  class KafkaJSNonRetriableError extends Error {
    override name = 'KafkaJSNonRetriableError';
  }
  it('treats an unreachable cluster as an outage even when kafkajs gave up on it', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'KafkaJSConnectionError',
    });
    const outer = new KafkaJSNonRetriableError('Connection error: connect ECONNREFUSED 127.0.0.1:1', {
      cause: inner,
    });
    expect(classifyKafkaError(outer, 'send', ['127.0.0.1:1'])).toMatchObject({
      retriable: true,
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('does not retry what a retry cannot fix', () => {
    const tooLarge = Object.assign(
      new Error('The request included a message larger than the max message size'),
      {
        type: 'MESSAGE_TOO_LARGE',
      },
    );
    const wrapped = Object.assign(new Error('aggregate'), { errors: [tooLarge] });
    expect(classifyKafkaError(wrapped, 'send', ['h:1'])).toMatchObject({ retriable: false });
    expect(classifyKafkaError(new TypeError('bad'), 'send', ['h:1'])).toMatchObject({ retriable: false });
  });
});
