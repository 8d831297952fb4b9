import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { type Channel, parseChannel } from '../../collector/protocol/channel.js';
import { isDecodeError } from '../../collector/protocol/decode-error.js';
import { createDecoder, type Decoder, L1Decoder } from '../../collector/protocol/decoders.js';
import { LineFramer } from '../../collector/protocol/framing.js';
import { openTape } from '../../collector/tape/reader.js';
import { usageError } from '../../common/errors.js';

const EXAMPLES = `
Each input line becomes one JSON object on stdout: the message keyed by DTN's field names
(empty fields are null, prices are numbers, dates ISO), or an error object
{"error", "channel", "line", "field", "index", "expected", "got"} for a malformed line.
Lines may end in \\n or \\r\\n. A summary goes to stderr.

Examples:
  printf '8,AAPL,B,585.3300,18,1,4,09:30:00.004260,2012-06-21,\\r\\n' | l2h decode --channel L2
  nc localhost 5009 | l2h decode --channel L1
  l2h decode --channel L1 --fields 'Symbol,Bid,Ask' < quotes.txt
  l2h decode --tape day.tape.gz | jq 'select(.error)'
  l2h decode --tape day.tape --strict     # exit 2 if any line is malformed`;

export interface DecodeOptions {
  /** L1 only: the Q/P field list in force at the start. */
  readonly fields?: readonly string[];
  /** L1 only: the protocol in force at the start (picks the F layout). */
  readonly protocol?: string;
}

export interface DecodeSummary {
  lines: number;
  errors: number;
  /** 1-based input line (or tape line) of the first error, if any. */
  firstErrorLine: number | null;
}

function makeDecoder(channel: Channel, options: DecodeOptions): Decoder {
  if (channel === 'L1') return new L1Decoder({ fields: options.fields, protocol: options.protocol ?? null });
  return createDecoder(channel);
}

/** Writes text to a stream, waiting for it to drain (so a slow reader is never outrun). */
async function write(out: Writable, text: string): Promise<void> {
  if (text !== '' && !out.write(text)) await once(out, 'drain');
}

/** Decodes raw protocol lines from a byte stream (stdin) to JSON lines on `out`. */
export async function decodeStream(
  input: AsyncIterable<Buffer | string>,
  channel: Channel,
  out: Writable,
  options: DecodeOptions = {},
): Promise<DecodeSummary> {
  const decoder = makeDecoder(channel, options);
  const framer = new LineFramer();
  const summary: DecodeSummary = { lines: 0, errors: 0, firstErrorLine: null };
  const decodeAll = (lines: readonly string[]): string => {
    let text = '';
    for (const line of lines) {
      summary.lines++;
      const m = decoder.decode(line);
      if (isDecodeError(m)) {
        summary.errors++;
        summary.firstErrorLine ??= summary.lines;
      }
      text += `${JSON.stringify(m)}\n`;
    }
    return text;
  };
  for await (const chunk of input) {
    await write(
      out,
      decodeAll(framer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk)),
    );
  }
  const rest = framer.end();
  if (rest !== null) await write(out, decodeAll([rest]));
  return summary;
}

/** Decodes a tape: each line with the decoder of its own channel (one per channel, stateful). */
export async function decodeTapeFile(
  path: string,
  out: Writable,
  options: DecodeOptions = {},
): Promise<DecodeSummary> {
  const decoders = new Map<Channel, Decoder>();
  const summary: DecodeSummary = { lines: 0, errors: 0, firstErrorLine: null };
  const tape = await openTape(path);
  try {
    for await (const batch of tape.batches()) {
      let text = '';
      for (const { channel, line, lineNo } of batch) {
        let decoder = decoders.get(channel);
        if (decoder === undefined) {
          decoder = makeDecoder(channel, options);
          decoders.set(channel, decoder);
        }
        const m = decoder.decode(line);
        summary.lines++;
        if (isDecodeError(m)) {
          summary.errors++;
          summary.firstErrorLine ??= lineNo;
        }
        text += `${JSON.stringify(m)}\n`;
      }
      await write(out, text);
    }
  } finally {
    await tape.close();
  }
  return summary;
}

interface CliOptions {
  channel?: string;
  tape?: string;
  fields?: string;
  protocol?: string;
  strict?: boolean;
}

function isBrokenPipe(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EPIPE';
}

/** The reader went away (`| head`): stop quietly, as Unix tools do. */
function onStdoutError(err: Error): void {
  if (isBrokenPipe(err)) process.exit(0);
  process.stderr.write(`l2h decode: cannot write to stdout: ${err.message}\n`);
  process.exit(1);
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('Read raw IQFeed protocol lines and print one JSON object per line (message or error)')
    .option('--channel <port>', 'the port the stdin lines came from: L1, L2 or admin')
    .option('--tape <file>', 'decode a tape (.tape or .tape.gz) instead of stdin; each line names its port')
    .option(
      '--fields <names>',
      'L1: the Q/P field list in force at the start, comma-separated (default: 6.x default)',
    )
    .option('--protocol <version>', 'L1: the protocol in force at the start, e.g. 6.0 (picks the F layout)')
    .option('--strict', 'exit 2 when any line does not decode')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CliOptions) => {
      if ((opts.channel === undefined) === (opts.tape === undefined)) {
        throw usageError(
          opts.tape === undefined
            ? 'say which port stdin carries: --channel L1|L2|admin'
            : 'use --channel or --tape, not both',
          'with --tape each line carries its own port',
        );
      }
      const options: DecodeOptions = {
        fields: opts.fields === undefined ? undefined : opts.fields.split(',').map((name) => name.trim()),
        protocol: opts.protocol,
      };
      if (!process.stdout.listeners('error').includes(onStdoutError))
        process.stdout.on('error', onStdoutError);
      let summary: DecodeSummary;
      try {
        if (opts.tape !== undefined) {
          summary = await decodeTapeFile(opts.tape, process.stdout, options);
        } else {
          const channel = parseChannel(opts.channel ?? '');
          if (channel === null) throw usageError(`--channel ${opts.channel}: expected L1, L2 or admin`);
          summary = await decodeStream(process.stdin, channel, process.stdout, options);
        }
      } catch (err) {
        // The reader went away (`| head`): not an error of ours.
        if (isBrokenPipe(err)) return;
        throw err;
      }
      const first = summary.firstErrorLine === null ? '' : ` (first on line ${summary.firstErrorLine})`;
      process.stderr.write(`decoded ${summary.lines} lines, ${summary.errors} malformed${first}\n`);
      if (opts.strict && summary.errors > 0) process.exitCode = 2;
    });
}
