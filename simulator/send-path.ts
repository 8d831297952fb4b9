/**
 * The seam where faults plug in (simulator/faults/): every line bound for a client passes
 * through its connection's SendPath, which may pass it on, drop it, repeat it, alter it, tear it
 * across writes, hold the connection or close it. Without `--faults` the identity path is used
 * and the connection output skips the call entirely, so the seam costs nothing on the fast path.
 */
import type { Channel } from '../collector/protocol/channel.js';

export interface OutgoingLine {
  /** 0-based count of lines this connection has offered to its send path. */
  readonly index: number;
  readonly channel: Channel;
  /** The symbol the line is about, null for system, timestamp and reply lines without one. */
  readonly symbol: string | null;
  /** The line without its terminator. */
  readonly line: string;
}

/** What a send path may do with a connection. Every call is counted in the stats as sent. */
export interface SendSink {
  /** Queue one line; the sink adds the port's terminator (LF on L1/admin, CRLF on L2). */
  line(text: string): void;
  /** Queue latin1 bytes exactly as given, no terminator added: a torn or merged line. */
  raw(text: string): void;
  /**
   * Queue one line (the port's terminator added) and hand it to the socket in two writes, cut
   * after `at` bytes of the line with its terminator (inside CRLF too). Counted as one line.
   */
  split(text: string, at: number): void;
  /** End the current socket write here, so what follows arrives in a separate write. */
  flush(): void;
  /**
   * Hold this connection's output for `ms` of simulator clock time. It is then a slow reader: an
   * L1/L2 connection falls behind the replay and catches up from the tape (an admin one pauses
   * the replay), so nothing is lost.
   */
  stall(ms: number): void;
  /**
   * `end`: FIN after what is queued; `reset`: drop the TCP connection at once. With `graceMs`
   * (a stop), an end that has not handed every byte to the kernel by then is a reset: a client
   * that stopped reading must not hold the simulator open. Without it (a fault's FIN mid-run),
   * every queued line is delivered however slowly the client reads: the stats count them sent.
   */
  close(how: 'end' | 'reset', graceMs?: number): void;
}

export interface SendPath {
  send(out: OutgoingLine, sink: SendSink): void;
}

export interface ConnectionInfo {
  readonly id: number;
  readonly channel: Channel;
  /** Simulated time now (epoch µs): faults may fire at a simulated time. */
  readonly simNowUs?: () => number;
  /** The simulated time base (epoch µs) that fault times count from. */
  readonly simBaseUs?: number;
}

/** Builds the send path of a new connection (faults decide per connection and seed). */
export type SendPathFactory = (conn: ConnectionInfo) => SendPath;

export const identitySendPath: SendPath = {
  send(out, sink) {
    sink.line(out.line);
  },
};
