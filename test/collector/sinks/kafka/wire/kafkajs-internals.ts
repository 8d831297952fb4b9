/**
 * kafkajs' own murmur2, CRC-32C and record batch decoder, as independent references for the wire
 * producer's encoders. kafkajs 2.2.4 is frozen (no further releases), so these internal paths
 * stay where they are.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (
  key: Buffer | string,
) => number;

export const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (
  buf: Buffer,
) => number;

const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  d: unknown,
) => Promise<DecodedBatch>;

export interface DecodedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer>;
  readonly offset: string;
}

export interface DecodedBatch {
  readonly firstOffset: string;
  readonly lastOffsetDelta: number;
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly firstSequence: number;
  readonly records: readonly DecodedRecord[];
}

export function kafkajsDecodeBatch(buf: Buffer): Promise<DecodedBatch> {
  return decodeBatch(new Decoder(buf));
}
