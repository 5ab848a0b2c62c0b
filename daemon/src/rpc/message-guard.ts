/**
 * A MessageReader in front of vscode-jsonrpc's, answering what that library only logs: bodies that are
 * not JSON get -32700 and messages that are not JSON-RPC 2.0 requests, notifications or responses get
 * -32600 (both with id null, or the message's id when it has one), as JSON-RPC 2.0 requires.
 */
import {
  AbstractMessageReader,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageReader,
  type MessageWriter,
} from 'vscode-jsonrpc/node';
import { ErrorCodes } from '../../../protocol/src';

/** Why a decoded message is not acceptable JSON-RPC 2.0, or undefined when it is. */
export function invalidMessageReason(msg: unknown): string | undefined {
  if (Array.isArray(msg)) return 'batch requests are not supported; send one message at a time';
  if (typeof msg !== 'object' || msg === null) return 'a message must be a JSON object';
  const m = msg as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  const hasId = 'id' in m;
  if (hasId && m.id !== null && typeof m.id !== 'string' && !(typeof m.id === 'number' && Number.isInteger(m.id))) {
    return 'id must be a string or an integer';
  }
  if ('method' in m) {
    if (typeof m.method !== 'string' || m.method.length === 0 || m.method.length > 256) return 'method must be a non-empty string';
    if ('params' in m && m.params !== undefined && (typeof m.params !== 'object' || m.params === null) && !Array.isArray(m.params)) {
      return 'params must be an object or an array';
    }
    if (hasId && m.id === null) return 'a request id must not be null';
    return undefined;
  }
  if (hasId && ('result' in m || 'error' in m)) return undefined;
  return 'a message needs a method (request or notification) or a result or error (response)';
}

/** Wraps `inner`; bad messages are answered through `writer` and never reach the connection. */
export class GuardedMessageReader extends AbstractMessageReader implements MessageReader {
  constructor(
    private readonly inner: MessageReader,
    private readonly writer: MessageWriter,
  ) {
    super();
    inner.onError((err) => {
      if (err instanceof SyntaxError) this.answer(null, ErrorCodes.ParseError, `parse error: ${err.message}`);
      else this.fireError(err);
    });
    inner.onClose(() => this.fireClose());
    inner.onPartialMessage((info) => this.firePartialMessage(info));
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((msg: Message) => {
      const reason = invalidMessageReason(msg);
      if (reason === undefined) return callback(msg);
      const id = (msg as { id?: unknown } | null)?.id;
      this.answer(typeof id === 'string' || typeof id === 'number' ? id : null, ErrorCodes.InvalidRequest, `invalid request: ${reason}`);
    });
  }

  override dispose(): void {
    super.dispose();
    this.inner.dispose();
  }

  private answer(id: string | number | null, code: number, message: string): void {
    void this.writer.write({ jsonrpc: '2.0', id, error: { code, message } } as Message).catch(() => undefined);
  }
}
