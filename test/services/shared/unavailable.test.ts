import { describe, expect, it } from 'vitest';
import { L2hError } from '../../../common/errors.js';
import {
  installHint,
  servicesUnavailable,
  unavailabilityOf,
  unavailable,
} from '../../../services/shared/unavailable.js';

const kafka = {
  service: 'kafka',
  reason: 'gcc not found',
  packages: ['gcc', 'librdkafka-dev'],
  envVar: 'KAFKA_BROKERS',
} as const;
const redis = {
  service: 'redis',
  reason: 'redis-server not found',
  packages: ['redis-server'],
  envVar: 'REDIS_URL',
} as const;

describe('unavailable', () => {
  it('puts the fix in the message, since test runners print only the message', () => {
    const err = unavailable(kafka);
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.message).toBe(
      'kafka unavailable: gcc not found. Fix: apt-get install librdkafka-dev gcc (or run scripts/setup.sh), or set KAFKA_BROKERS to a running server',
    );
  });

  it('round-trips through unavailabilityOf', () => {
    expect(unavailabilityOf(unavailable(redis))).toEqual({ ...redis, packages: ['redis-server'] });
    expect(unavailabilityOf(new L2hError('x', { code: 'SERVICE_UNAVAILABLE' }))).toBeNull();
    expect(unavailabilityOf(new Error('x'))).toBeNull();
  });
});

describe('installHint', () => {
  it('lists packages once each, in a fixed order, and every variable', () => {
    expect(installHint([redis, kafka])).toBe(
      'apt-get install librdkafka-dev gcc redis-server (or run scripts/setup.sh), or set REDIS_URL / KAFKA_BROKERS to a running server',
    );
  });

  it('says only which variable to set when no package helps', () => {
    expect(installHint([{ ...kafka, packages: [] }])).toBe('set KAFKA_BROKERS to a running server');
  });
});

describe('servicesUnavailable', () => {
  it('merges several failures into one message with one fix line', () => {
    const other = new L2hError('the launcher refused to start', { code: 'SERVICE_UNAVAILABLE' });
    const err = servicesUnavailable([unavailable(kafka), unavailable(redis), other]);
    expect(err.message.split('\n')).toEqual([
      'Integration services unavailable:',
      '  - kafka: gcc not found',
      '  - redis: redis-server not found',
      '  - the launcher refused to start',
      '  Fix: apt-get install librdkafka-dev gcc redis-server (or run scripts/setup.sh), or set KAFKA_BROKERS / REDIS_URL to a running server',
    ]);
    expect(err.context.services).toBe('kafka,redis');
  });
});
