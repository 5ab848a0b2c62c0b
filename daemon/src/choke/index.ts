/** Choking policy: which peers we upload to. */
export {
  chooseUnchoked,
  pickOptimistic,
  UNCHOKE_INTERVAL_MS,
  OPTIMISTIC_INTERVAL_MS,
  DEFAULT_UNCHOKE_SLOTS,
  NEW_CONNECTION_WEIGHT,
  SEED_TURN_MS,
} from './choker';
export type { ChokePeer, ChokeOptions } from './choker';
