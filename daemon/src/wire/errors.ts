/** Why a connection's byte stream was rejected. */
export type WireErrorCode = 'bad-handshake' | 'frame-too-large' | 'bad-message' | 'protocol' | 'timeout';

/** The only error the wire decoders throw; the connection closes on it. */
export class WireError extends Error {
  constructor(
    readonly code: WireErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}
