/**
 * The contract between the network layer and API handlers. One file per API key under src/handlers
 * (`NN-name.ts`) exports `apiKey`, `minVersion`, `maxVersion` and `handle` (or the same as a default
 * export); registry.ts finds and registers every such file once.
 *
 * A handler gets the decoded request and returns the response body (an Init<Res>: missing fields
 * take their defaults), a Promise of it (long polls: Fetch max_wait, JoinGroup rebalances), or
 * NO_RESPONSE (acks=0 Produce). Responses still leave the connection in request order. Errors that
 * belong to a topic, partition or member are error codes in the response; a thrown exception is
 * connection-fatal (the connection is closed and the error logged).
 */
import type { Logger } from 'pino';
import type { BrokerConfig, ListenerSpec } from '../metadata/broker-config.js';
import type { TopicManager } from '../metadata/topics.js';
import type { StorageEngine } from '../storage/engine.js';

/** Returned by a handler that must not answer (acks=0 Produce). */
export const NO_RESPONSE: unique symbol = Symbol.for('brook.NO_RESPONSE');
export type NoResponse = typeof NO_RESPONSE;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** An address clients can reach this broker at (advertised.listeners, actual ports resolved). */
export interface BrokerEndpoint {
  listenerName: string;
  securityProtocol: string;
  host: string;
  port: number;
}

/** What handlers may call: the broker's services. Built once in broker.ts. */
export interface BrokerServices {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  /** Topics, partitions, topic IDs, leader epochs, topic configs (src/metadata/topics.ts). */
  readonly topics: TopicManager;
  readonly storage: StorageEngine;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Advertised endpoints (filled in once the listeners are bound, so port 0 shows the real port). */
  readonly endpoints: BrokerEndpoint[];
  /**
   * Room for services added by later issues (group coordinator, transaction coordinator, ...):
   * broker.ts sets them, handlers read them, e.g. `services.extensions.get('groups')`.
   */
  readonly extensions: Map<string, unknown>;
  /** The APIs this broker serves (ApiVersions derives from it). */
  readonly apis: () => ReadonlyArray<{ apiKey: number; minVersion: number; maxVersion: number }>;
}

export interface ConnectionInfo {
  /** Unique per broker process. */
  readonly id: number;
  readonly listener: ListenerSpec;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export interface RequestContext {
  readonly services: BrokerServices;
  readonly connection: ConnectionInfo;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** services.clock.now() when the request was read. */
  readonly now: number;
  /** Aborted when the connection closes: long-polling handlers stop waiting and may return anything. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /**
   * Runs `fn` once this request's response has been handed to the kernel (or when there turned out
   * to be nothing to send), or, if the connection closes first, once nothing can touch the response
   * any more. Handlers give borrowed read buffers and file spans back through it
   * (src/storage/read-lease.ts). Absent outside a real connection.
   */
  readonly onResponseSent?: (fn: () => void) => void;
  /**
   * Declares that nothing holds a view of the request's bytes any more (the decoded request's byte
   * fields included): the connection may reuse the frame's memory for a later request. Call it at
   * most once, at any time, also after the response. A handler that never calls it leaves the
   * frame to the GC, which is always safe. Absent outside a real connection.
   */
  readonly releaseRequestBytes?: () => void;
}

export type HandlerResult<Res> = Res | NoResponse | Promise<Res | NoResponse>;

export interface Handler<Req = any, Res = any> {
  readonly apiKey: number;
  /** The versions this handler serves; advertised as-is (capped at the codec's range). */
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: RequestContext, request: Req, version: number): HandlerResult<Res>;
}
