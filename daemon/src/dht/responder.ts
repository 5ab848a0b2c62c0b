/**
 * Answers to the queries other nodes send us (BEP 5): ping, find_node, get_peers with a token and the
 * peers announced to us, and announce_peer checked against that token.
 */
import { KrpcErrorCode, type KrpcResponse } from './krpc';
import { sameId } from './node-id';
import type { PeerStore } from './peer-store';
import type { RoutingTable } from './routing-table';
import type { IncomingQuery, KrpcSocket } from './rpc';
import type { TokenIssuer } from './tokens';

/** Peers given in one get_peers answer (about 400 bytes). */
export const MAX_VALUES_PER_ANSWER = 50;

/** What answering needs. */
export interface ResponderContext {
  rpc: KrpcSocket;
  table(): RoutingTable;
  tokens: TokenIssuer;
  store: PeerStore;
  /** Counts of announces refused for a bad token, for stats. */
  badTokens: { count: number };
  /** A node that queried us is not in the table and might belong there: check it answers. */
  maybeAdd(q: IncomingQuery): void;
}

/** Answers one incoming query. */
export function answer(ctx: ResponderContext, q: IncomingQuery): void {
  const table = ctx.table();
  const { from, t } = q;
  if (sameId(q.q.id, table.ownId)) return; // a node using our id: never answer or add it
  const base: KrpcResponse = { id: table.ownId };
  switch (q.q.method) {
    case 'ping':
      ctx.rpc.respond(from, t, base);
      break;
    case 'find_node':
      ctx.rpc.respond(from, t, { ...base, nodes: table.closest(q.q.target) });
      break;
    case 'get_peers': {
      const values = ctx.store.get(q.q.infoHash, MAX_VALUES_PER_ANSWER);
      const r: KrpcResponse = { ...base, token: ctx.tokens.issue(from.ip), nodes: table.closest(q.q.infoHash) };
      if (values.length > 0) r.values = values;
      ctx.rpc.respond(from, t, r);
      break;
    }
    case 'announce_peer': {
      if (!ctx.tokens.check(q.q.token, from.ip)) {
        ctx.badTokens.count++;
        ctx.rpc.fail(from, t, KrpcErrorCode.protocol, 'bad token');
        return;
      }
      const port = q.q.impliedPort ? from.port : q.q.port;
      ctx.store.add(q.q.infoHash, { ip: from.ip, port });
      ctx.rpc.respond(from, t, base);
      break;
    }
  }
  if (q.readOnly) return;
  if (table.get(q.q.id)) table.queried(q.q.id, from.ip, from.port);
  else ctx.maybeAdd(q);
}
