import type {
  AdminAckMessage,
  ClientStatsMessage,
  CurrentLoginIdMessage,
  CurrentPasswordMessage,
  StatsMessage,
} from './admin-messages.js';
import type { ErrorMessage, SymbolNotFoundMessage, TimestampMessage } from './common-messages.js';
import type {
  FundamentalMessage,
  FundamentalMessage60,
  NewsMessage,
  RegionalMessage,
  TradeCorrectionMessage,
  TradeCorrectionMessage9,
  UpdateMessage,
} from './l1-messages.js';
import type {
  DeprecatedMessage,
  LegacyMarketMakerMessage,
  MarketMakerMessage,
  MarketMakerNameMessage,
  NoDepthMessage,
  OrderDeleteMessage,
  OrderMessage,
  PriceLevelDeleteMessage,
  PriceLevelMessage,
} from './l2-messages.js';
import type {
  ClearDepthMessage,
  CurrentProtocolMessage,
  CustomerMessage,
  FieldNamesMessage,
  IpMessage,
  KeyMessage,
  KeyOkMessage,
  LogLevelsMessage,
  ServerStatusMessage,
  SymbolLimitMessage,
  WatchesMessage,
} from './system-messages.js';

/**
 * What each port's decoder can return: a union discriminated on `Type`, and on `System Type`
 * for `S` lines, so that `if (m.Type === '8')` narrows to a PriceLevelMessage.
 */

export type L1SystemMessage =
  | ServerStatusMessage
  | KeyOkMessage
  | KeyMessage
  | IpMessage
  | CustomerMessage
  | CurrentProtocolMessage
  | FieldNamesMessage
  | WatchesMessage
  | LogLevelsMessage
  | SymbolLimitMessage
  | StatsMessage;

export type L1Message =
  | UpdateMessage
  | FundamentalMessage
  | FundamentalMessage60
  | RegionalMessage
  | NewsMessage
  | TradeCorrectionMessage
  | TradeCorrectionMessage9
  | TimestampMessage
  | SymbolNotFoundMessage
  | ErrorMessage
  | L1SystemMessage;

export type L2SystemMessage =
  | ServerStatusMessage
  | CurrentProtocolMessage
  | ClearDepthMessage
  | WatchesMessage
  | SymbolLimitMessage;

export type L2Message =
  | OrderMessage
  | OrderDeleteMessage
  | PriceLevelMessage
  | PriceLevelDeleteMessage
  | MarketMakerMessage
  | LegacyMarketMakerMessage
  | MarketMakerNameMessage
  | NoDepthMessage
  | DeprecatedMessage
  | TimestampMessage
  | SymbolNotFoundMessage
  | ErrorMessage
  | L2SystemMessage;

export type AdminSystemMessage =
  | StatsMessage
  | ClientStatsMessage
  | AdminAckMessage
  | CurrentLoginIdMessage
  | CurrentPasswordMessage
  | CurrentProtocolMessage;

export type AdminMessage = AdminSystemMessage | ErrorMessage;

export type ServerMessage = L1Message | L2Message | AdminMessage;

/** Every `S` line any port sends. */
export type SystemMessage = L1SystemMessage | L2SystemMessage | AdminSystemMessage;
