/**
 * The representation contract of the generated codec, shared by every generated file.
 *
 *   int8/16/32, uint16, uint32, float64 → number     int64, varlong → bigint
 *   string → string (nullable: | null)               bytes → Buffer (a view on decode)
 *   records → Buffer | null (encode also takes a list: stored batches by reference, file spans deferred)
 *   uuid → 32 lowercase hex chars                     arrays → arrays, structs → plain objects
 */
import type { Reader } from './reader.js';
import type { BytesInput, Writer } from './writer.js';

export const ZERO_UUID = '00000000000000000000000000000000';

/** A tagged field this codec does not know, kept as raw bytes and written back as they came. */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

type Leaf = string | number | bigint | boolean | null | undefined;

/**
 * What encoders accept: every field optional at every depth (undefined ⇒ the field's default),
 * and Buffer fields may be given as a list of pieces written one after another (BytesInput).
 */
export type Init<T> = T extends Buffer
  ? BytesInput
  : T extends Leaf
    ? T
    : T extends readonly (infer E)[]
      ? readonly Init<E>[]
      : { [K in keyof T]?: K extends '_unknownTaggedFields' ? T[K] : Init<T[K]> };

export interface ApiCodec<Req, Res> {
  apiKey: number;
  /** Kafka's API name: 'Fetch'. */
  name: string;
  /** The request's valid versions. */
  minVersion: number;
  maxVersion: number;
  latestVersionUnstable: boolean;
  listeners: readonly string[];
  /** 2 for flexible versions, else 1 (ControlledShutdown v0: 0). */
  requestHeaderVersion(v: number): number;
  /** 1 for flexible versions, else 0; ApiVersions always 0. */
  responseHeaderVersion(v: number): number;
  decodeRequest(r: Reader, v: number): Req;
  encodeRequest(w: Writer, v: number, m: Init<Req>): void;
  sizeRequest(v: number, m: Init<Req>): number;
  decodeResponse(r: Reader, v: number): Res;
  encodeResponse(w: Writer, v: number, m: Init<Res>): void;
  sizeResponse(v: number, m: Init<Res>): number;
}

/** A standalone message (headers, ConsumerProtocolSubscription ...). */
export interface MessageCodec<T> {
  name: string;
  minVersion: number;
  maxVersion: number;
  decode(r: Reader, v: number): T;
  encode(w: Writer, v: number, m: Init<T>): void;
  size(v: number, m: Init<T>): number;
}
