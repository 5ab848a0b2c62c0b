/**
 * Serving our info dictionary to peers that fetch it (BEP 9, `ut_metadata`): a torrent whose
 * metadata we have answers every request with the piece or a reject, within a per-connection budget.
 */
import { decodeMetadataMessage, encodeMetadataMessage, metadataPiece, metadataPieceCount } from '../wire/ut-metadata';
import type { PeerExtension } from './extensions';
import type { Peer } from './peer';

/** Requests one connection may make beyond fetching the metadata once, before we reject them all. */
const SPARE_REQUESTS = 16;

/** The `ut_metadata` extension of a swarm whose metadata is known. */
export class MetadataServer implements PeerExtension {
  readonly name = 'ut_metadata' as const;
  private readonly served = new Map<Peer, number>();
  private readonly budget: number;

  constructor(private readonly info: Uint8Array) {
    this.budget = 2 * metadataPieceCount(info.length) + SPARE_REQUESTS;
  }

  handshakeFields(): { metadataSize: number } {
    return { metadataSize: this.info.length };
  }

  message(peer: Peer, payload: Uint8Array): void {
    const m = decodeMetadataMessage(payload);
    if (m.msgType !== 'request') return; // we never ask, so data and rejects are not ours
    const count = (this.served.get(peer) ?? 0) + 1;
    this.served.set(peer, count);
    const data = count <= this.budget ? metadataPiece(this.info, m.piece) : undefined;
    const answer = data
      ? encodeMetadataMessage({ msgType: 'data', piece: m.piece, totalSize: this.info.length, data })
      : encodeMetadataMessage({ msgType: 'reject', piece: m.piece });
    peer.conn.ext.send('ut_metadata', answer);
  }

  detached(peer: Peer): void {
    this.served.delete(peer);
  }
}
