/**
 * The btd protocol: every RPC method, notification and error code, shared by daemon and clients.
 * Each method is declared once as a namespace holding `method` and a typed `type` handle.
 */

/** Version of this protocol, returned by `initialize`; bumped on incompatible changes. */
export const PROTOCOL_VERSION = 1;

export * from './errors';
export * from './lifecycle';
export * from './torrent';
export * from './peer';
export * from './tracker';
export * from './session';
export * from './dht';
