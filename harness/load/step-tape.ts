import { openTape } from '../../collector/tape/reader.js';
import { TapeWriter } from '../../collector/tape/writer.js';
import { inputError } from '../../common/errors.js';

export interface StepTape {
  readonly path: string;
  /** Body lines written: the ones wanted, or the whole tape when it is shorter. */
  readonly lines: number;
  /** True when the source had fewer lines than wanted. */
  readonly short: boolean;
}

/**
 * The first `lines` body lines of `source` as a tape of their own, headers kept (but `#lines`,
 * which would now be wrong): a load step replays "rate × seconds" lines from the start of the
 * day, so every step begins from the same books and a failing step can be replayed alone.
 */
export async function writeStepTape(source: string, dest: string, lines: number): Promise<StepTape> {
  const reader = await openTape(source);
  let written = 0;
  try {
    const headers = reader.header.entries.filter(([k]) => k !== 'lines');
    const writer = await TapeWriter.open(dest, {
      headers: [...headers, ['load-slice', `first ${lines} body lines`]],
      fsync: false,
    });
    try {
      outer: for await (const batch of reader.batches()) {
        for (const l of batch) {
          if (written >= lines) break outer;
          if (!writer.write(l.offsetUs, l.channel, l.line)) await writer.drain();
          written++;
        }
      }
      await writer.close();
    } catch (err) {
      await writer.abort();
      throw err;
    }
  } finally {
    await reader.close();
  }
  if (written === 0) throw inputError('the tape has no body lines to replay', { file: source });
  return { path: dest, lines: written, short: written < lines };
}
