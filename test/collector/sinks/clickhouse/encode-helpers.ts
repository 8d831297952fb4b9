/**
 * Running the ClickHouse row encoders side by side: the object path (the reference) and the
 * byte scanner, as outcomes that compare with `toEqual` (the row bytes, or the error thrown).
 */

import type { RecordEnvelope, RecordKind } from '../../../../collector/records/types.js';
import { RowBinaryWriter } from '../../../../collector/sinks/clickhouse/row-binary.js';
import { encodeRows, encodeRowsFromObjects } from '../../../../collector/sinks/clickhouse/rows.js';
import { L2hError } from '../../../../common/errors.js';

export type Outcome =
  | { readonly bytes: string }
  | { readonly error: { readonly name: string; readonly message: string; readonly detail: unknown } };

/** Bytes every writer holds before the rows, so a row written at a wrong position shows. */
const LEAD = 'lead';

/** A writer that already holds `LEAD` and starts small, so rows make it grow. */
export function leadWriter(): RowBinaryWriter {
  const w = new RowBinaryWriter(8);
  w.string(LEAD);
  return w;
}

function outcome(encode: (w: RowBinaryWriter) => void): Outcome {
  const w = leadWriter();
  try {
    encode(w);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const detail =
      err instanceof L2hError ? { code: err.code, retriable: err.retriable, context: err.context } : null;
    return { error: { name: err.name, message: err.message, detail } };
  }
  return { bytes: w.bytes().toString('hex') };
}

export function viaObjects(kind: RecordKind, envelopes: readonly RecordEnvelope[], ver: number): Outcome {
  return outcome((w) => encodeRowsFromObjects(w, kind, envelopes, ver));
}

export function viaEncodeRows(kind: RecordKind, envelopes: readonly RecordEnvelope[], ver: number): Outcome {
  return outcome((w) => encodeRows(w, kind, envelopes, ver));
}
