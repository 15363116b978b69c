/**
 * Request and response headers, and whole frames. A frame here is what follows the 4-byte
 * size on the wire; the encode helpers write the size prefix too (patched at the end).
 */
import { API_CODECS, RequestHeaderCodec, ResponseHeaderCodec, type RequestHeader, type ResponseHeader } from './generated/index.js';
import { DecodeError, Reader } from './primitives/reader.js';
import type { ApiCodec, Init } from './primitives/types.js';
import type { Writer } from './primitives/writer.js';

export function decodeRequestHeader(r: Reader, headerVersion: number): RequestHeader {
  return RequestHeaderCodec.decode(r, headerVersion);
}

export function encodeRequestHeader(w: Writer, headerVersion: number, h: Init<RequestHeader>): void {
  RequestHeaderCodec.encode(w, headerVersion, h);
}

export function decodeResponseHeader(r: Reader, headerVersion: number): ResponseHeader {
  return ResponseHeaderCodec.decode(r, headerVersion);
}

/** Response header v0 is the correlation id; v1 adds an empty tagged-field section. */
export function encodeResponseHeader(w: Writer, headerVersion: number, correlationId: number): void {
  w.int32(correlationId);
  if (headerVersion >= 1) w.uvarint(0);
}

export interface RequestApi {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

/** The first fields of any request header, readable before the API is known; null if too short. */
export function peekRequest(frame: Buffer): RequestApi | null {
  if (frame.length < 8) return null;
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
}

export interface RequestFrame<Req = unknown> {
  apiKey: number;
  apiVersion: number;
  header: RequestHeader;
  codec: ApiCodec<Req, unknown>;
  body: Req;
  /** Bytes after the body the request definition did not account for (normally 0). */
  trailing: number;
}

/** Decodes a request frame (without its size prefix); DecodeError for an unknown API or version. */
export function decodeRequestFrame(frame: Buffer): RequestFrame {
  const api = peekRequest(frame);
  if (api === null) throw new DecodeError(`request frame of ${frame.length} bytes is too short for a header`);
  const codec = API_CODECS.get(api.apiKey);
  if (codec === undefined) throw new DecodeError(`unknown API key ${api.apiKey}`);
  const v = api.apiVersion;
  if (v < codec.minVersion || v > codec.maxVersion) throw new DecodeError(`${codec.name} version ${v} is not supported`);
  const r = new Reader(frame);
  const header = decodeRequestHeader(r, codec.requestHeaderVersion(v));
  const body = codec.decodeRequest(r, v);
  return { apiKey: api.apiKey, apiVersion: v, header, codec, body, trailing: r.remaining };
}

/** Writes a whole request: size prefix, header, body. */
export function encodeRequestFrame<Req>(
  w: Writer,
  codec: ApiCodec<Req, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: Init<Req>,
): void {
  const p = w.beginSizePrefix();
  encodeRequestHeader(w, codec.requestHeaderVersion(version), {
    requestApiKey: codec.apiKey,
    requestApiVersion: version,
    correlationId,
    clientId,
  });
  codec.encodeRequest(w, version, body);
  w.endSizePrefix(p);
}

/** Writes a whole response: size prefix, header, body. */
export function encodeResponseFrame<Res>(
  w: Writer,
  codec: ApiCodec<unknown, Res>,
  version: number,
  correlationId: number,
  body: Init<Res>,
): void {
  const p = w.beginSizePrefix();
  encodeResponseHeader(w, codec.responseHeaderVersion(version), correlationId);
  codec.encodeResponse(w, version, body);
  w.endSizePrefix(p);
}

/** Decodes a response frame (without its size prefix) for a request sent at `version`. */
export function decodeResponseFrame<Res>(
  frame: Buffer,
  codec: ApiCodec<unknown, Res>,
  version: number,
): { correlationId: number; body: Res } {
  const r = new Reader(frame);
  const h = decodeResponseHeader(r, codec.responseHeaderVersion(version));
  return { correlationId: h.correlationId, body: codec.decodeResponse(r, version) };
}
