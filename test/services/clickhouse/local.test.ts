import { describe, expect, it } from 'vitest';
import { renderClickHouseConfig } from '../../../services/clickhouse/local.js';

describe('renderClickHouseConfig', () => {
  const xml = renderClickHouseConfig(41234, '/tmp/l2h-clickhouse-a&b');

  it('listens on the chosen HTTP port of 127.0.0.1 only, with no native-protocol port', () => {
    expect(xml).toContain('<http_port>41234</http_port>');
    expect(xml).toContain('<listen_host>127.0.0.1</listen_host>');
    expect(xml).not.toContain('tcp_port');
  });

  it('keeps data under the private directory, escaped for XML, with trailing slashes', () => {
    expect(xml).toContain('<path>/tmp/l2h-clickhouse-a&amp;b/data/</path>');
    expect(xml).toContain('<tmp_path>/tmp/l2h-clickhouse-a&amp;b/data/tmp/</tmp_path>');
  });

  it('allows LowCardinality (experimental on 18.16) in the default profile', () => {
    expect(xml).toContain(
      '<allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>',
    );
  });
});
