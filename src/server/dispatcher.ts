/**
 * Turns one request frame into a response: reads the request header, checks the API key and version
 * against the registry, decodes the body, calls the handler and encodes its answer into the
 * connection's Writer. Connection-fatal outcomes (unknown key, unsupported version, malformed
 * bytes, a throwing handler) come back as { close } for the connection to act on.
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../protocol/errors.js';
import { type OutChunk, Reader, type Writer } from '../protocol/primitives/index.js';
import { API_VERSIONS_KEY, type ApiEntry, type HandlerRegistry } from '../handlers/registry.js';
import { type BrokerServices, type ConnectionInfo, NO_RESPONSE, type RequestContext } from '../handlers/types.js';

/**
 * Encoded response chunks (size prefix included), or null for "send nothing". Chunks that are not
 * Buffers are DeferredBytes (file spans of a Fetch), which the connection reads as it writes.
 */
export type Encoded = OutChunk[] | null;
export type Outcome = Encoded | Promise<Encoded> | { close: string; level: 'warn' | 'info' | 'debug'; err?: unknown };

export interface ConnectionContext {
  readonly info: ConnectionInfo;
  readonly writer: Writer;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** Thrown by an encode step to close the connection with a message. */
class Fatal {
  constructor(
    readonly close: string,
    readonly err: unknown,
    readonly level: 'warn' | 'info' | 'debug' = 'warn',
  ) {}
}

export class Dispatcher {
  constructor(
    private readonly registry: HandlerRegistry,
    private readonly services: BrokerServices,
  ) {}

  dispatch(frame: Buffer, conn: ConnectionContext, onResponseSent?: (fn: () => void) => void, releaseRequestBytes?: () => void): Outcome {
    if (frame.length < 8) return { close: `request of ${frame.length} bytes is too short for a header`, level: 'warn' };
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const api = this.registry.get(apiKey);
    if (!api) return { close: `unknown API key ${apiKey}`, level: 'warn' };
    if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
      if (apiKey === API_VERSIONS_KEY) return this.unsupportedApiVersions(conn.writer, correlationId, api);
      return { close: `unsupported version ${apiVersion} of ${api.name} (serving ${api.minVersion}-${api.maxVersion})`, level: 'warn' };
    }

    let request: unknown;
    let clientId: string | null = null;
    try {
      const r = new Reader(frame, 8);
      const headerVersion = api.codec.requestHeaderVersion(apiVersion);
      if (headerVersion >= 1) clientId = r.nullableString();
      if (headerVersion >= 2) r.unknownTags();
      r.check();
      request = api.codec.decodeRequest(r, apiVersion);
      r.check();
    } catch (err) {
      return { close: `malformed ${api.name} v${apiVersion} request: ${(err as Error).message}`, level: 'warn', err };
    }

    const now = this.services.clock.now();
    const ctx: RequestContext = {
      services: this.services,
      connection: conn.info,
      apiKey,
      apiVersion,
      correlationId,
      clientId,
      now,
      signal: conn.signal,
      logger: conn.logger,
      onResponseSent,
      releaseRequestBytes,
    };
    let result: unknown;
    try {
      result = api.handler.handle(ctx, request, apiVersion);
    } catch (err) {
      return { close: `${api.name} v${apiVersion} handler failed`, level: 'warn', err };
    }
    if (result instanceof Promise) {
      return result.then(
        (res) => this.encode(conn, api, apiVersion, correlationId, res),
        (err) => {
          throw new Fatal(`${api.name} v${apiVersion} handler failed`, err);
        },
      );
    }
    try {
      return this.encode(conn, api, apiVersion, correlationId, result);
    } catch (err) {
      return err instanceof Fatal ? { close: err.close, level: err.level, err: err.err } : { close: 'encode failed', level: 'warn', err };
    }
  }

  private encode(conn: ConnectionContext, api: ApiEntry, version: number, correlationId: number, body: unknown): Encoded {
    if (body === NO_RESPONSE) return null;
    if (conn.signal.aborted) return null;
    const w = conn.writer;
    try {
      const p = w.beginSizePrefix();
      w.int32(correlationId);
      if (api.codec.responseHeaderVersion(version) >= 1) w.uvarint(0); // empty tagged fields
      api.codec.encodeResponse(w, version, body ?? {});
      w.endSizePrefix(p);
      return w.finishChunks();
    } catch (err) {
      throw new Fatal(`encoding the ${api.name} v${version} response failed`, err);
    }
  }

  /** ApiVersions at a version we do not serve: v0 format, UNSUPPORTED_VERSION, our range for key 18. */
  private unsupportedApiVersions(w: Writer, correlationId: number, api: ApiEntry): Encoded {
    const p = w.beginSizePrefix();
    w.int32(correlationId);
    w.int16(ErrorCode.UNSUPPORTED_VERSION);
    w.int32(1);
    w.int16(API_VERSIONS_KEY);
    w.int16(api.minVersion);
    w.int16(api.maxVersion);
    w.endSizePrefix(p);
    return w.finish();
  }
}

export { Fatal as DispatchFatal };
