/**
 * The in-memory model of a protocol message definition. Both our own
 * protocol-specs/*.kspec files and Kafka's JSON definitions load into this
 * shape, so they can be compared field by field and the generator has one input.
 */

/** An inclusive version range; `hi` is OPEN for "N+"; an empty range has lo > hi. */
export interface Versions {
  readonly lo: number;
  readonly hi: number;
}

export const OPEN = 0x7fff;
export const NONE: Versions = Object.freeze({ lo: 1, hi: 0 });

export type MessageKind = 'request' | 'response' | 'header' | 'data';

export interface FieldSpec {
  name: string;
  /** Kafka's type syntax: int32, string, records, uuid, []int32, []StructName, StructName ... */
  type: string;
  versions: Versions;
  nullableVersions: Versions;
  taggedVersions: Versions;
  tag?: number;
  /** Overrides the message's flexible versions for this field (only RequestHeader.ClientId uses it). */
  flexibleVersions?: Versions;
  /** Kafka's default, always as a string ("-1", "null", "", "0x7fffffff", "true"). */
  default?: string;
  ignorable: boolean;
  mapKey: boolean;
  /** Inline struct fields, for struct and []struct types declared in place. */
  fields?: FieldSpec[];
}

export interface StructSpec {
  name: string;
  versions: Versions;
  fields: FieldSpec[];
}

export interface MessageSpec {
  kind: MessageKind;
  /** Kafka's message name: FetchRequest, ResponseHeader, ConsumerProtocolAssignment ... */
  name: string;
  apiKey?: number;
  validVersions: Versions;
  flexibleVersions: Versions;
  deprecatedVersions: Versions;
  latestVersionUnstable: boolean;
  listeners: string[];
  fields: FieldSpec[];
  commonStructs: StructSpec[];
}

/** One protocol-specs file: an API key with its request and response, or standalone messages. */
export interface SpecFile {
  apiKey?: number;
  apiName?: string;
  messages: MessageSpec[];
}
