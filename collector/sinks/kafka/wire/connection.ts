/**
 * One TCP connection to one broker: size-framed requests with correlation ids, responses matched
 * back to their request, a deadline on each. Any socket error or close fails every request in
 * flight, and the connection is then dead: the producer opens a new one.
 */
import { connect, type Socket } from 'node:net';
import { Reader } from './codec.js';
import { type ApiKey, frame } from './protocol.js';

/** The most room a request starts with; a bigger one grows its buffer while it is written. */
const MAX_FRAME_HINT = 32 * 1024 * 1024;

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

interface Pending {
  readonly resolve: (r: Reader) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class BrokerConnection {
  private socket: Socket | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failure: Error | null = null;
  /** Per API, the room its next request starts with: the largest of its requests so far. */
  private readonly frameBytes = new Map<ApiKey, number>();

  constructor(private readonly o: ConnectionOptions) {}

  get address(): string {
    return `${this.o.host}:${this.o.port}`;
  }

  get alive(): boolean {
    return this.socket !== null && this.failure === null;
  }

  async open(): Promise<void> {
    const socket = connect({ host: this.o.host, port: this.o.port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect ${this.address} timed out after ${this.o.connectTimeoutMs} ms`));
      }, this.o.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`connect ${this.address}: ${err.message}`, { cause: err }));
      });
    });
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err) =>
      this.fail(new Error(`connection to ${this.address}: ${err.message}`, { cause: err })),
    );
    socket.on('close', () => this.fail(new Error(`connection to ${this.address} closed`)));
  }

  /** Send one request; resolves with a reader over the response body (after the correlation id). */
  request(apiKey: ApiKey, body: Parameters<typeof frame>[3]): Promise<Reader> {
    if (this.failure) return Promise.reject(this.failure);
    const socket = this.socket;
    if (socket === null) return Promise.reject(new Error(`connection to ${this.address} is not open`));
    const id = this.nextId++;
    // Requests of one API are alike in size: a produce request runs to megabytes, a metadata one
    // to a few hundred bytes. Room for the largest so far spares growing (copying) it each time.
    const hint = this.frameBytes.get(apiKey) ?? 64 * 1024;
    const bytes = frame(apiKey, id, this.o.clientId, body, hint);
    if (bytes.length > hint) this.frameBytes.set(apiKey, Math.min(MAX_FRAME_HINT, bytes.length));
    return new Promise<Reader>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`request to ${this.address} timed out after ${this.o.requestTimeoutMs} ms`));
      }, this.o.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      socket.write(bytes);
    });
  }

  close(): void {
    this.fail(new Error(`connection to ${this.address} closed by the client`));
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    for (;;) {
      if (this.buffered < 4) return;
      const head = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [head];
      const size = head.readInt32BE(0);
      if (this.buffered < 4 + size) return;
      const response = head.subarray(4, 4 + size);
      const rest = head.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      const id = response.readInt32BE(0);
      const p = this.pending.get(id);
      if (p === undefined) continue; // its request timed out already
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(new Reader(response.subarray(4)));
    }
  }

  private fail(err: Error): void {
    if (this.failure === null) this.failure = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.socket?.destroy();
  }
}
