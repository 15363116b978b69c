/**
 * DescribeCluster (key 60), versions 0-1. Cluster id, controller id (= our node id: a single node is
 * its own controller) and one broker: us, at the address advertised for the client's listener, rack
 * null. endpoint_type (v1) must be 1 (brokers): 2 (controllers) is MISMATCHED_ENDPOINT_TYPE, any
 * other UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST at v0), as a Kafka broker answers.
 * include_cluster_authorized_operations: every cluster operation (no authorizer), else the
 * -2147483648 default. Not served: v2 (is_fenced), which this codec does not have.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../protocol/generated/060-describe-cluster.js';
import type { Init } from '../protocol/primitives/index.js';
import { AUTHORIZED_OPERATIONS_OMITTED, brokerView, CLUSTER_AUTHORIZED_OPERATIONS } from './cluster-view.js';
import type { RequestContext } from './types.js';

export const apiKey = 60;
export const minVersion = 0;
export const maxVersion = 1;

const ENDPOINT_TYPE = { BROKER: 1, CONTROLLER: 2 } as const;

export function handle(ctx: RequestContext, request: DescribeClusterRequest, version: number): Init<DescribeClusterResponse> {
  const { services } = ctx;
  const wanted = version >= 1 ? request.endpointType : ENDPOINT_TYPE.BROKER;
  if (wanted !== ENDPOINT_TYPE.BROKER) {
    const known = wanted === ENDPOINT_TYPE.CONTROLLER;
    return {
      throttleTimeMs: 0,
      errorCode: version === 0 ? ErrorCode.INVALID_REQUEST : known ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: known ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER' : `Unsupported endpoint type ${wanted}`,
      endpointType: ENDPOINT_TYPE.BROKER,
      clusterId: '',
      controllerId: -1,
      brokers: [],
    };
  }
  const b = brokerView(ctx);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    endpointType: ENDPOINT_TYPE.BROKER,
    clusterId: services.clusterId,
    controllerId: services.nodeId,
    brokers: [{ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack }],
    clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  };
}
