export * from './reader.js';
export * from './writer.js';
export * from './sizes.js';
export * from './types.js';
export * from './codec.js';
