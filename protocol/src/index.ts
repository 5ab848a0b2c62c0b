/** The btd protocol: every RPC method, notification and error code, shared by daemon and clients. */
export const PROTOCOL_VERSION = 1;
