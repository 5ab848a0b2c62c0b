/** BEP 10 on one connection: our extended handshake out, the peer's in, and messages by extension name. */
import { decodeExtendedHandshake, encodeExtendedHandshake, EXTENSION_HANDSHAKE_ID, LocalExtensionId, type ExtendedHandshake } from './extended';
import type { ExtensionName } from './connection-types';
import { encodeExtended } from './messages';

const NAME_OF_LOCAL_ID = new Map<number, ExtensionName>(Object.entries(LocalExtensionId).map(([name, id]) => [id, name as ExtensionName]));

/** What a received extended message was. */
export type ExtendedReceipt = { kind: 'handshake'; handshake: ExtendedHandshake } | { kind: 'message'; name: ExtensionName; payload: Uint8Array };

/**
 * The extension protocol state of one connection. Peers address our extensions by the ids we gave in
 * our handshake (LocalExtensionId) and we address theirs by the ids in their handshake's `m`.
 */
export class ExtensionLink {
  /** Both ends set the extension bit in their handshakes. */
  enabled = false;
  /** The peer's extended handshake, once it came. */
  peer: ExtendedHandshake | undefined;

  constructor(private readonly write: (frame: Uint8Array) => void) {}

  /** Sends our extended handshake; nothing if the peer does not speak the extension protocol. */
  sendHandshake(h: ExtendedHandshake): void {
    if (this.enabled) this.write(encodeExtended(EXTENSION_HANDSHAKE_ID, encodeExtendedHandshake(h)));
  }

  /** The peer named extension `name` in its extended handshake. */
  supports(name: ExtensionName): boolean {
    return (this.peer?.m[name] ?? 0) > 0;
  }

  /** Sends a message of extension `name` under the peer's id for it; false if it does not support it. */
  send(name: ExtensionName, payload: Uint8Array): boolean {
    const id = this.peer?.m[name];
    if (!this.enabled || id === undefined || id <= 0) return false;
    this.write(encodeExtended(id, payload));
    return true;
  }

  /** Decodes a received extended message; undefined for ids we never gave out. Throws WireError. */
  receive(extId: number, payload: Uint8Array): ExtendedReceipt | undefined {
    if (!this.enabled) return undefined;
    if (extId === EXTENSION_HANDSHAKE_ID) {
      this.peer = decodeExtendedHandshake(payload);
      return { kind: 'handshake', handshake: this.peer };
    }
    const name = NAME_OF_LOCAL_ID.get(extId);
    return name === undefined ? undefined : { kind: 'message', name, payload };
  }
}
