/** The peer wire protocol (BEP 3): handshake, messages, framing, one connection. */
export { WireError, type WireErrorCode } from './errors';
export { HANDSHAKE_LENGTH, encodeHandshake, decodeHandshake, type Handshake } from './handshake';
export * from './messages';
export { Framer, type FramerHandlers } from './framer';
export {
  PeerConnection,
  BLOCK_SIZE,
  MAX_REQUEST_LENGTH,
  type PeerConnectionOptions,
  type PeerConnectionEvents,
  type PieceShape,
} from './connection';
export { makeReserved, hasFeature, type ReservedFeature } from './handshake';
export * from './extended';
export * from './ut-metadata';
export * from './ut-pex';
export { allowedFastSet } from './fast';
export { ExtensionLink } from './extension-link';
