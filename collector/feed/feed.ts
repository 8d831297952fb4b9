/**
 * The collector's feed: one link per IQConnect port (Level 1, Level 2, and admin for status),
 * all reporting to one listener. See types.ts for the contract.
 */
import { L2hError, usageError } from '../../common/errors.js';
import type { Channel } from '../protocol/channel.js';
import { hasMixedLegacyDepth, l2Protocol } from './handshake.js';
import { Link } from './link.js';
import type { FeedOptions } from './options.js';
import type { Feed, FeedDeps, FeedListener, FeedPortStatus } from './types.js';

export function createFeed(options: FeedOptions, listener: FeedListener, deps: FeedDeps): Feed {
  const logger = deps.logger.child({ component: 'feed' });
  const channels: Channel[] = options.admin ? ['L1', 'L2', 'ADMIN'] : ['L1', 'L2'];
  const links = channels.map((ch) => new Link(ch, options, { ...deps, logger, listener }));
  let state: 'new' | 'started' | 'stopped' = 'new';

  return {
    async start() {
      if (state !== 'new') {
        throw new L2hError(`the feed was already ${state}; create a new one`, { code: 'INTERNAL' });
      }
      state = 'started';
      logger.info(
        {
          host: options.host,
          ports: options.ports,
          symbols: options.symbols.length,
          protocol: options.protocol,
          l2Protocol: l2Protocol(options),
        },
        'feed starting',
      );
      if (hasMixedLegacyDepth(options)) {
        logger.warn(
          'some symbols use the legacy market-maker watch (w) on a protocol 6.2 Level 2 port: the simulator ' +
            'accepts it, a real IQConnect 6.2 may not; use the mm family for every symbol against a real IQConnect',
        );
      }
      await Promise.all(links.map((l) => l.start()));
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      await Promise.all(links.map((l) => l.stop()));
      logger.info('feed stopped');
    },
    pause() {
      for (const l of links) l.pause();
    },
    resume() {
      for (const l of links) l.resume();
    },
    ports(): FeedPortStatus[] {
      return links.map((l) => l.status());
    },
    resync(symbols?: readonly string[]) {
      const list = symbols === undefined ? options.symbols : checkWatched(options, symbols);
      for (const l of links) l.resync(list);
    },
  };
}

function checkWatched(options: FeedOptions, symbols: readonly string[]): string[] {
  const list = symbols.map((s) => s.trim().toUpperCase());
  const unknown = list.filter((s) => !options.symbols.includes(s));
  if (unknown.length > 0) {
    throw usageError(
      `cannot resync ${unknown.join(',')}: not watched by this feed`,
      `the feed watches ${options.symbols.join(',')}`,
    );
  }
  return list;
}
