/**
 * A one-broker Kafka that speaks just what the wire producer asks (ApiVersions v0, Metadata v1,
 * InitProducerId v0, Produce v3), keeps every record batch it is sent, and answers each produce
 * with the error code the test chooses. librdkafka's mock does not check idempotent sequence
 * numbers; this lets a test read them back. A test can also hold produce responses and let them
 * go one by one, to see how many requests a client has in flight on one connection. With
 * `checkSequences` it also refuses batches out of sequence as a Kafka broker (2.5 and later) does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Writer } from '../../../../../collector/sinks/kafka/wire/codec.js';

export interface ReceivedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly batch: Buffer;
  /** The error code its response carried: a batch answered with one was not stored. */
  readonly errorCode: number;
  /** The produce request that carried it (1 = the first received). */
  readonly request: number;
}

export interface FakeBroker {
  readonly port: number;
  readonly batches: ReceivedBatch[];
  /** Produce requests received, in order. */
  readonly produces: number;
  /** The error code the next produce responses carry (0: none). */
  produceError: number;
  /** While true, produce requests are kept and never answered. */
  stallProduce: boolean;
  /** Error codes by produce request number (1 = the first received), over `produceError`. */
  readonly produceErrorAt: Map<number, number>;
  /** While true, produce responses wait, in order, for `releaseProduces`. */
  holdProduce: boolean;
  /** Write the first `n` held produce responses (default: all). */
  releaseProduces(n?: number): void;
  /** Produce requests received and not answered yet, on the connection that has most. */
  readonly producesInFlight: number;
  /** The most produce requests received and not yet answered on one connection, so far. */
  readonly maxProducesInFlight: number;
  /** Client connections open now. */
  readonly openConnections: number;
  /**
   * Check idempotent sequence numbers as Kafka's ProducerAppendInfo.checkSequence does (2.5 and
   * later): for a producer id it already holds a batch of on a partition, a batch must begin
   * right after the last one (else OUT_OF_ORDER_SEQUENCE_NUMBER, not stored); for a producer id it
   * holds nothing of there (a new one, or its state retained away) any sequence is taken (KIP-360).
   */
  checkSequences: boolean;
  /** Close every client connection (as a broker restart would). */
  dropConnections(): void;
  close(): Promise<void>;
}

class In {
  constructor(
    readonly b: Buffer,
    public at = 0,
  ) {}
  i16() {
    const v = this.b.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  i32() {
    const v = this.b.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  str(): string | null {
    const n = this.i16();
    if (n < 0) return null;
    const s = this.b.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }
  bytes(): Buffer {
    const n = this.i32();
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

export async function startFakeBroker(partitions: number): Promise<FakeBroker> {
  const sockets = new Set<Socket>();
  let produces = 0;
  const state = {
    batches: [] as ReceivedBatch[],
    produceError: 0,
    stallProduce: false,
    holdProduce: false,
    checkSequences: false,
  };
  /** Last sequence stored per producer id/topic/partition (with `checkSequences`). */
  const lastSequence = new Map<string, number>();
  /** Each InitProducerId gets a new id, as from a broker: 77, 78, … */
  let nextProducerId = 77n;
  const produceErrorAt = new Map<number, number>();
  const held: { socket: Socket; bytes: Buffer }[] = [];
  const unanswered = new Map<Socket, number>();
  let maxInFlight = 0;
  const writeProduce = (socket: Socket, bytes: Buffer): void => {
    unanswered.set(socket, (unanswered.get(socket) ?? 1) - 1);
    socket.write(bytes);
  };
  let port = 0;
  const sequenceError = (topic: string, partition: number, batch: Buffer): number => {
    // Record batch v2: producer id at 43, base sequence at 53, record count at 57.
    const producerId = batch.readBigInt64BE(43);
    if (producerId < 0n) return 0;
    const base = batch.readInt32BE(53);
    const key = `${producerId}/${topic}/${partition}`;
    const last = lastSequence.get(key);
    if (last !== undefined && base !== (last + 1) % 2 ** 31) return 45;
    lastSequence.set(key, (base + batch.readInt32BE(57) - 1) % 2 ** 31);
    return 0;
  };
  const answer = (apiKey: number, body: In): Writer => {
    const w = new Writer(256);
    if (apiKey === 18) {
      w.int16(0);
      w.array(
        [
          [0, 3, 8],
          [3, 0, 9],
          [18, 0, 3],
          [22, 0, 4],
        ],
        (x, [k, min, max]) => x.int16(k!).int16(min!).int16(max!),
      );
    } else if (apiKey === 3) {
      const n = body.i32();
      const topics = Array.from({ length: Math.max(0, n) }, () => body.str()!);
      w.array([1], (x) => x.int32(1).string('127.0.0.1').int32(port).string(null));
      w.int32(1);
      w.array(topics, (x, t) => {
        x.int16(0).string(t).int8(0);
        x.array(
          Array.from({ length: partitions }, (_, p) => p),
          (y, p) =>
            y
              .int16(0)
              .int32(p)
              .int32(1)
              .array([1], (z) => z.int32(1))
              .array([1], (z) => z.int32(1)),
        );
      });
    } else if (apiKey === 22) {
      w.int32(0).int16(0).int64(nextProducerId++).int16(2);
    } else if (apiKey === 0) {
      produces++;
      const errorCode = produceErrorAt.get(produces) ?? state.produceError;
      body.str(); // transactional id
      body.i16(); // acks
      body.i32(); // timeout
      const results: { topic: string; partition: number; errorCode: number }[] = [];
      const nt = body.i32();
      for (let t = 0; t < nt; t++) {
        const topic = body.str()!;
        const np = body.i32();
        for (let p = 0; p < np; p++) {
          const partition = body.i32();
          const batch = Buffer.from(body.bytes());
          const code =
            errorCode === 0 && state.checkSequences ? sequenceError(topic, partition, batch) : errorCode;
          state.batches.push({ topic, partition, batch, errorCode: code, request: produces });
          results.push({ topic, partition, errorCode: code });
        }
      }
      const topics = [...new Set(results.map((r) => r.topic))];
      w.array(topics, (x, t) => {
        x.string(t);
        x.array(
          results.filter((r) => r.topic === t),
          (y, r) => y.int32(r.partition).int16(r.errorCode).int64(0n).int64(-1n),
        );
      });
      w.int32(0);
    }
    return w;
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      unanswered.delete(socket);
    });
    let buf = Buffer.alloc(0);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = new In(buf.subarray(4, 4 + buf.readInt32BE(0)));
        buf = buf.subarray(4 + frame.b.length);
        const apiKey = frame.i16();
        frame.i16(); // version
        const correlationId = frame.i32();
        frame.str(); // client id
        const stalled = apiKey === 0 && state.stallProduce;
        const body = answer(apiKey, frame).bytes();
        if (apiKey === 0) {
          const n = (unanswered.get(socket) ?? 0) + 1;
          unanswered.set(socket, n);
          maxInFlight = Math.max(maxInFlight, n);
        }
        if (stalled) continue;
        const head = Buffer.alloc(8);
        head.writeInt32BE(body.length + 4, 0);
        head.writeInt32BE(correlationId, 4);
        const bytes = Buffer.concat([head, body]);
        if (apiKey !== 0) socket.write(bytes);
        else if (state.holdProduce) held.push({ socket, bytes });
        else writeProduce(socket, bytes);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  return {
    port,
    batches: state.batches,
    get produces() {
      return produces;
    },
    get openConnections() {
      return sockets.size;
    },
    get produceError() {
      return state.produceError;
    },
    set produceError(code: number) {
      state.produceError = code;
    },
    get checkSequences() {
      return state.checkSequences;
    },
    set checkSequences(on: boolean) {
      state.checkSequences = on;
    },
    get stallProduce() {
      return state.stallProduce;
    },
    set stallProduce(on: boolean) {
      state.stallProduce = on;
    },
    produceErrorAt,
    get holdProduce() {
      return state.holdProduce;
    },
    set holdProduce(on: boolean) {
      state.holdProduce = on;
    },
    releaseProduces(n = Number.POSITIVE_INFINITY) {
      for (const { socket, bytes } of held.splice(0, n)) if (!socket.destroyed) writeProduce(socket, bytes);
    },
    get producesInFlight() {
      return Math.max(0, ...unanswered.values());
    },
    get maxProducesInFlight() {
      return maxInFlight;
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
