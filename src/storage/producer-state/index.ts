export * from './entry.js';
export * from './partition-state.js';
export * from './service.js';
export { batchInfo, readMarker, scanProducerBatches, type ScannedBatch } from './scan.js';
export * from './fetch-view.js';
