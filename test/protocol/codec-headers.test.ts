import { describe, expect, it } from 'vitest';
import { API_CODECS, ApiVersions, ControlledShutdown, Fetch, Metadata, Produce } from '../../src/protocol/generated/index.js';
import { decodeRequestFrame, decodeResponseFrame, encodeRequestFrame, encodeResponseFrame } from '../../src/protocol/headers.js';
import { DecodeError, Reader, Writer } from '../../src/protocol/primitives/index.js';

describe('header versions', () => {
  it('follow flexible versions, with the two exceptions', () => {
    expect([Fetch.requestHeaderVersion(11), Fetch.requestHeaderVersion(12)]).toEqual([1, 2]);
    expect([Fetch.responseHeaderVersion(11), Fetch.responseHeaderVersion(12)]).toEqual([0, 1]);
    expect([0, 1, 2, 3, 4].map((v) => ApiVersions.responseHeaderVersion(v))).toEqual([0, 0, 0, 0, 0]);
    expect(ApiVersions.requestHeaderVersion(3)).toBe(2);
    expect([0, 1, 2, 3].map((v) => ControlledShutdown.requestHeaderVersion(v))).toEqual([0, 1, 1, 2]);
  });

  it('API table is keyed by API key with Kafka names', () => {
    expect(API_CODECS.get(0)).toBe(Produce);
    expect(API_CODECS.get(3)).toBe(Metadata);
    expect(Fetch.name).toBe('Fetch');
    for (const [k, c] of API_CODECS) expect(c.apiKey).toBe(k);
  });
});

describe('frames', () => {
  it('request header v2 keeps ClientId a classic (non-compact) string', () => {
    const w = new Writer();
    encodeRequestFrame(w, Metadata, 12, 42, 'cli', { topics: null, allowAutoTopicCreation: true });
    const b = w.toBuffer();
    // size, key 3, version 12, correlation 42, client id int16 length 3 "cli", empty tag section
    expect(b.subarray(4, 4 + 8 + 2 + 3 + 1).toString('hex')).toBe('0003000c0000002a' + '0003636c69' + '00');
    const f = decodeRequestFrame(b.subarray(4));
    expect(f.header).toEqual({ requestApiKey: 3, requestApiVersion: 12, correlationId: 42, clientId: 'cli' });
    expect(f.body).toMatchObject({ topics: null, allowAutoTopicCreation: true });
    expect(b.readInt32BE(0)).toBe(b.length - 4);
  });

  it('ApiVersions v3 response has no tagged-field byte in its header', () => {
    const w = new Writer();
    encodeResponseFrame(w, ApiVersions, 3, 9, { apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] });
    const b = w.toBuffer();
    expect(b.subarray(4, 11).toString('hex')).toBe('00000009' + '0000' + '02'); // correlation id, errorCode, compact array of 1
    const { correlationId, body } = decodeResponseFrame(b.subarray(4), ApiVersions, 3);
    expect(correlationId).toBe(9);
    expect(body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
  });

  it('flexible responses carry header v1', () => {
    const w = new Writer();
    encodeResponseFrame(w, Metadata, 12, 5, {});
    expect(w.toBuffer().subarray(4, 9).toString('hex')).toBe('00000005' + '00');
  });

  it('rejects unknown keys and versions as DecodeError', () => {
    expect(() => decodeRequestFrame(Buffer.from('7fff000000000001ffff', 'hex'))).toThrow(DecodeError);
    expect(() => decodeRequestFrame(Buffer.from('00037fff00000001ffff', 'hex'))).toThrow(/Metadata version/);
    expect(() => Fetch.decodeRequest(new Reader(Buffer.alloc(0)), 99)).toThrow(DecodeError);
  });
});
