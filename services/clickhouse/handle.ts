import type { ServiceHandle } from '../shared/handle.js';

/** A started ClickHouse: `url` is its HTTP interface, credentials and database included if any. */
export interface ClickHouseHandle extends ServiceHandle {
  readonly name: 'clickhouse';
  readonly url: string;
}
