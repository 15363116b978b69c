#!/usr/bin/env node
// Starts Apache Kafka (single-node KRaft on 127.0.0.1) and prints `BOOTSTRAP=127.0.0.1:<port>` once it answers.
//
//   node compat-tests/kafka/start.mjs [--port N] [--controller-port N] [--data-dir DIR] [--heap 1g]
//                                     [--prop key=value]... [--detach]
//
// Foreground (default): runs until SIGINT/SIGTERM, then shuts Kafka down cleanly.
// --detach: prints the address and DATA_DIR=..., leaves Kafka running; stop it with stop.sh DATA_DIR.
import { parseArgs } from 'node:util';
import { start } from './kafka.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'controller-port': { type: 'string' },
    'data-dir': { type: 'string' },
    heap: { type: 'string' },
    prop: { type: 'string', multiple: true },
    detach: { type: 'boolean' },
  },
});
const extraProps = {};
for (const p of values.prop || []) {
  const i = p.indexOf('=');
  if (i < 1) throw new Error(`--prop expects key=value, got ${p}`);
  extraProps[p.slice(0, i)] = p.slice(i + 1);
}
const kafka = await start({
  port: values.port ? Number(values.port) : 0,
  controllerPort: values['controller-port'] ? Number(values['controller-port']) : 0,
  dataDir: values['data-dir'],
  heap: values.heap,
  extraProps,
  detached: !!values.detach,
  keepData: !!values.detach,
});
console.log(`BOOTSTRAP=${kafka.bootstrap}`);
console.log(`DATA_DIR=${kafka.dataDir}`);
console.log(`PID=${kafka.pid}`);
if (values.detach) {
  process.exit(0);
}
console.error(`Apache Kafka ${kafka.version} running (log: ${kafka.logFile}); Ctrl-C to stop`);
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await kafka.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
