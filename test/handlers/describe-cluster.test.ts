import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../../src/broker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { DescribeCluster } from '../../src/protocol/generated/index.js';
import { RawConn } from '../helpers/raw-conn.js';

describe('DescribeCluster', () => {
  let broker: RunningBroker;
  let conn: RawConn;
  beforeAll(async () => {
    broker = await startBroker({ storage: 'memory', port: 0, config: { 'node.id': 5 } });
    conn = await RawConn.open(broker.port);
  });
  afterAll(async () => {
    conn.close();
    await broker.close();
  });

  it('v0/v1: cluster id, controller = us, one broker with rack null', async () => {
    for (const v of [0, 1]) {
      const res = await conn.request(DescribeCluster, v, {});
      expect(res).toMatchObject({ errorCode: 0, errorMessage: null, clusterId: broker.clusterId, controllerId: 5, clusterAuthorizedOperations: -2147483648 });
      expect(res.brokers).toEqual([{ brokerId: 5, host: broker.host, port: broker.port, rack: null }]);
      if (v === 1) expect(res.endpointType).toBe(1);
    }
  });

  it('authorized operations when asked', async () => {
    const res = await conn.request(DescribeCluster, 1, { includeClusterAuthorizedOperations: true });
    expect(res.clusterAuthorizedOperations).toBe(8096);
  });

  it('endpoint type 2 → MISMATCHED_ENDPOINT_TYPE, 9 → UNSUPPORTED_ENDPOINT_TYPE', async () => {
    expect((await conn.request(DescribeCluster, 1, { endpointType: 2 })).errorCode).toBe(ErrorCode.MISMATCHED_ENDPOINT_TYPE);
    expect((await conn.request(DescribeCluster, 1, { endpointType: 9 })).errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });
});
