/**
 * The four requests the producer makes, and their responses, in the versions it speaks:
 * ApiVersions v0 (what the broker accepts), Metadata v1 (brokers and partition leaders),
 * InitProducerId v0 (an idempotent producer id) and Produce v3 (the first version that carries
 * record batches with headers). Every request uses request header v1 (api key, version,
 * correlation id, client id); every response begins with the correlation id.
 */
import { type Reader, Writer } from './codec.js';
import { type BatchProducer, type SizedMessage, writeRecordBatch } from './record-batch.js';

export const API = { produce: 0, metadata: 3, apiVersions: 18, initProducerId: 22 } as const;
export type ApiKey = (typeof API)[keyof typeof API];
/** The version of each API this client speaks. */
export const VERSION: Readonly<Record<ApiKey, number>> = {
  [API.produce]: 3,
  [API.metadata]: 1,
  [API.apiVersions]: 0,
  [API.initProducerId]: 0,
};

/**
 * A request frame: size, header v1, body. `initialBytes`: room to start with (the caller's
 * guess at its size: a produce request runs to megabytes, and each time the buffer grows, all
 * of it so far is copied).
 */
export function frame(
  apiKey: ApiKey,
  correlationId: number,
  clientId: string,
  body: (w: Writer) => void,
  initialBytes = 64 * 1024,
): Buffer {
  const w = new Writer(initialBytes);
  w.int32(0); // size, patched below
  w.int16(apiKey).int16(VERSION[apiKey]).int32(correlationId).string(clientId);
  body(w);
  w.patchInt32(0, w.length - 4);
  return w.bytes();
}

export interface ApiVersionRange {
  readonly min: number;
  readonly max: number;
}

export function readApiVersions(r: Reader): { errorCode: number; versions: Map<number, ApiVersionRange> } {
  const errorCode = r.int16();
  const versions = new Map<number, ApiVersionRange>();
  for (const v of r.array((x) => ({ key: x.int16(), min: x.int16(), max: x.int16() })))
    versions.set(v.key, { min: v.min, max: v.max });
  return { errorCode, versions };
}

export interface BrokerAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface PartitionMetadata {
  readonly errorCode: number;
  readonly partition: number;
  readonly leader: number;
}

export interface TopicMetadata {
  readonly errorCode: number;
  readonly name: string;
  /** In partition order: a key's partition is its index here (murmur2 mod count). */
  readonly partitions: readonly PartitionMetadata[];
}

export interface Metadata {
  readonly brokers: readonly BrokerAddress[];
  readonly topics: readonly TopicMetadata[];
}

export function writeMetadataRequest(w: Writer, topics: readonly string[]): void {
  w.array(topics, (x, t) => x.string(t));
}

export function readMetadata(r: Reader): Metadata {
  const brokers = r.array((x) => {
    const nodeId = x.int32();
    const host = x.string();
    const port = x.int32();
    x.nullableString(); // rack
    return { nodeId, host, port };
  });
  r.int32(); // controller id
  const topics = r.array((x) => {
    const errorCode = x.int16();
    const name = x.string();
    x.bool(); // is internal
    const partitions = x.array((p) => {
      const e = p.int16();
      const partition = p.int32();
      const leader = p.int32();
      p.array((q) => q.int32()); // replicas
      p.array((q) => q.int32()); // in-sync replicas
      return { errorCode: e, partition, leader };
    });
    partitions.sort((a, b) => a.partition - b.partition);
    return { errorCode, name, partitions };
  });
  return { brokers, topics };
}

export function writeInitProducerIdRequest(w: Writer, transactionTimeoutMs: number): void {
  w.string(null).int32(transactionTimeoutMs);
}

export function readInitProducerId(r: Reader): {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
} {
  r.int32(); // throttle time
  const errorCode = r.int16();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  return { errorCode, producerId, producerEpoch };
}

/** One partition's records in a produce request: one record batch. */
export interface PartitionBatch {
  readonly partition: number;
  readonly messages: readonly SizedMessage[];
  readonly producer: BatchProducer;
}

export interface TopicBatches {
  readonly topic: string;
  readonly partitions: readonly PartitionBatch[];
}

export function writeProduceRequest(
  w: Writer,
  acks: number,
  timeoutMs: number,
  timestampMs: number,
  topics: readonly TopicBatches[],
): void {
  w.string(null).int16(acks).int32(timeoutMs);
  w.array(topics, (x, t) => {
    x.string(t.topic);
    x.array(t.partitions, (y, p) => {
      y.int32(p.partition);
      const sizeAt = y.length;
      y.int32(0);
      writeRecordBatch(y, p.messages, p.producer, timestampMs);
      y.patchInt32(sizeAt, y.length - sizeAt - 4);
    });
  });
}

export interface ProduceResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
}

export function readProduce(r: Reader): ProduceResult[] {
  const out: ProduceResult[] = [];
  r.array((x) => {
    const topic = x.string();
    x.array((p) => {
      const partition = p.int32();
      const errorCode = p.int16();
      p.int64(); // base offset
      p.int64(); // log append time
      out.push({ topic, partition, errorCode });
    });
  });
  r.int32(); // throttle time
  return out;
}
