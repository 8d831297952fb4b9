/**
 * What the deriver counts while it works: lines per channel, records per kind, and the lines
 * that looked wrong (malformed, `n,` not found, `q,` no depth, `E,` errors, book integrity
 * issues), each kind with a few examples that say where (seq, channel, symbol). The status page
 * and the run's results read these; counting costs an increment on the hot path, examples are
 * taken only for the first few problems.
 */
import type { IntegrityKind } from '../books/types.js';
import type { ProblemExample } from '../monitor/status.js';
import type { Channel } from '../protocol/channel.js';
import type { RecordKind } from './types.js';

export interface IntegrityExample {
  readonly seq: number;
  readonly symbol: string;
  readonly kinds: readonly IntegrityKind[];
}

export interface DeriverCounts {
  readonly lines: Readonly<Record<Channel, number>>;
  readonly events: number;
  readonly records: Readonly<Record<RecordKind, number>>;
  readonly malformed: number;
  /** `n,<SYM>` lines. */
  readonly notFound: number;
  /** `q,<SYM>` lines (L2: the symbol is valid but has no depth now). */
  readonly noDepth: number;
  /** `E,…` lines. */
  readonly errors: number;
  /** Book operations that raised at least one integrity flag. */
  readonly integrity: number;
}

export interface DeriverProblems {
  readonly malformed: readonly ProblemExample[];
  readonly errors: readonly ProblemExample[];
  readonly integrity: readonly IntegrityExample[];
  /** Symbols IQConnect said it does not know, in the order first seen. */
  readonly notFound: readonly string[];
  /** Symbols IQConnect said have no depth (`q,<SYM>`): watched, yet no L2 book will come. */
  readonly noDepth: readonly string[];
  /** Symbols whose watch IQConnect refused for the account's symbol limit (`S,SYMBOL LIMIT REACHED`). */
  readonly symbolLimit: readonly string[];
}

const LINE_CUT = 200;

export class DeriverTally {
  readonly lines: Record<Channel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  readonly records: Record<RecordKind, number> = { l2: 0, l1: 0, ticks: 0, gaps: 0 };
  events = 0;
  malformed = 0;
  notFound = 0;
  noDepth = 0;
  errors = 0;
  integrity = 0;
  private readonly malformedExamples: ProblemExample[] = [];
  private readonly errorExamples: ProblemExample[] = [];
  private readonly integrityExamples: IntegrityExample[] = [];
  private readonly notFoundSymbols = new Set<string>();
  private readonly noDepthSymbols = new Set<string>();
  private readonly limitedSymbols = new Set<string>();

  constructor(private readonly examples: number) {}

  addMalformed(seq: number, channel: Channel, line: string, message: string): void {
    this.malformed++;
    if (this.malformedExamples.length < this.examples) {
      this.malformedExamples.push({ seq, channel, line: line.slice(0, LINE_CUT), message });
    }
  }

  addError(seq: number, channel: Channel, line: string, text: string | null): void {
    this.errors++;
    if (this.errorExamples.length < this.examples) {
      this.errorExamples.push({ seq, channel, line: line.slice(0, LINE_CUT), message: text ?? '(no text)' });
    }
  }

  addNotFound(symbol: string): void {
    this.notFound++;
    // Bounded: a feed that says "not found" for endless garbage symbols must not grow memory.
    if (this.notFoundSymbols.size < 1000) this.notFoundSymbols.add(symbol);
  }

  addNoDepth(symbol: string): void {
    this.noDepth++;
    // Bounded like the not-found list.
    if (this.noDepthSymbols.size < 1000) this.noDepthSymbols.add(symbol);
  }

  /** A watch refused for the symbol limit: an error IQConnect reported, kept by symbol too. */
  addSymbolLimit(seq: number, channel: Channel, line: string, symbol: string): void {
    this.addError(seq, channel, line, `symbol limit reached: IQConnect refused the watch of ${symbol}`);
    if (this.limitedSymbols.size < 1000) this.limitedSymbols.add(symbol);
  }

  addIntegrity(seq: number, symbol: string, kinds: () => readonly IntegrityKind[]): void {
    this.integrity++;
    if (this.integrityExamples.length < this.examples)
      this.integrityExamples.push({ seq, symbol, kinds: kinds() });
  }

  counts(): DeriverCounts {
    return {
      lines: { ...this.lines },
      events: this.events,
      records: { ...this.records },
      malformed: this.malformed,
      notFound: this.notFound,
      noDepth: this.noDepth,
      errors: this.errors,
      integrity: this.integrity,
    };
  }

  problems(): DeriverProblems {
    return {
      malformed: [...this.malformedExamples],
      errors: [...this.errorExamples],
      integrity: [...this.integrityExamples],
      notFound: [...this.notFoundSymbols],
      noDepth: [...this.noDepthSymbols],
      symbolLimit: [...this.limitedSymbols],
    };
  }
}
