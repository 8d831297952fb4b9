import {
  encodeAdminAck,
  encodeClientStats,
  encodeCurrentLoginId,
  encodeCurrentPassword,
  encodeStats,
} from './admin-messages.js';
import { encodeErrorMessage, encodeSymbolNotFound, encodeTimestamp } from './common-messages.js';
import {
  encodeFundamental,
  encodeNews,
  encodeRegional,
  encodeTradeCorrection,
  encodeUpdate,
  UpdateLayout,
} from './l1-messages.js';
import {
  encodeDeprecated,
  encodeLegacyMarketMaker,
  encodeMarketMaker,
  encodeMarketMakerName,
  encodeNoDepth,
  encodeOrder,
  encodeOrderDelete,
  encodePriceLevel,
  encodePriceLevelDelete,
} from './l2-messages.js';
import type { ServerMessage, SystemMessage } from './messages.js';
import { encodeStreamingSystemMessage } from './system-messages.js';

/**
 * Server messages back to wire lines (without terminator; see SERVER_TERMINATORS), for the
 * simulator: `decoder.decode(encodeMessage(m))` deep-equals `m`. Trailing commas follow what
 * IQConnect sends for each message (IQFEED-PROTOCOL.md §1.3). Numbers go out in their shortest
 * exact form (`134.62`, not the feed's `134.6200`); a replay that must be byte-exact sends the
 * tape's raw lines instead. Encoders throw an L2hError on a message no decoder could produce
 * (a comma inside a symbol, a malformed date): that is a programming error, not input.
 */

export function encodeSystemMessage(m: SystemMessage): string {
  switch (m['System Type']) {
    case 'STATS':
      return encodeStats(m);
    case 'CLIENTSTATS':
      return encodeClientStats(m);
    case 'CURRENT LOGINID':
      return encodeCurrentLoginId(m);
    case 'CURRENT PASSWORD':
      return encodeCurrentPassword(m);
    case 'REGISTER CLIENT APP COMPLETED':
    case 'REMOVE CLIENT APP COMPLETED':
    case 'LOGIN INFO SAVED':
    case 'LOGIN INFO NOT SAVED':
    case 'AUTOCONNECT ON':
    case 'AUTOCONNECT OFF':
      return encodeAdminAck(m);
    default:
      return encodeStreamingSystemMessage(m);
  }
}

/**
 * One server message as a line. Q/P lines are laid out over `fields` (the list the receiving
 * connection has selected; default: the 16-field 6.x default).
 */
export function encodeMessage(
  m: ServerMessage,
  fields: UpdateLayout | readonly string[] = UpdateLayout.DEFAULT,
): string {
  switch (m.Type) {
    case 'Q':
    case 'P':
      return encodeUpdate(m, fields instanceof UpdateLayout ? fields : new UpdateLayout(fields));
    case 'F':
      return encodeFundamental(m);
    case 'R':
      return encodeRegional(m);
    case 'N':
      return encodeNews(m);
    case 'C':
      return encodeTradeCorrection(m);
    case 'T':
      return encodeTimestamp(m);
    case 'n':
      return encodeSymbolNotFound(m);
    case 'E':
      return encodeErrorMessage(m);
    case 'S':
      return encodeSystemMessage(m);
    case '0':
    case '3':
    case '4':
    case '6':
      return encodeOrder(m);
    case '5':
      return encodeOrderDelete(m);
    case '7':
    case '8':
      return encodePriceLevel(m);
    case '9':
      return encodePriceLevelDelete(m);
    case 'Z':
    case '2':
      return encodeMarketMaker(m);
    case 'U':
      return encodeLegacyMarketMaker(m);
    case 'M':
      return encodeMarketMakerName(m);
    case 'q':
      return encodeNoDepth(m);
    case 'O':
      return encodeDeprecated(m);
  }
}
