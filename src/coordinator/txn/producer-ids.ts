/**
 * Producer id allocation from persisted blocks: a block's end is written to __transaction_state
 * before any id in it is handed out, and a restart continues after the last persisted block, so an
 * id is never given twice (ids of a block cut short by a restart are skipped, as in Kafka).
 */

export const PID_BLOCK_KEY = 'pid-block';
export const PID_BLOCK_SIZE = 1000n;
const RECORD_VERSION = 1;

export class ProducerIdBlocks {
  private next = 0n;
  private end = 0n;

  /** After replay: continue after the last persisted block end. */
  restore(blockEnd: bigint): void {
    if (blockEnd > this.end) {
      this.next = blockEnd;
      this.end = blockEnd;
    }
  }

  available(): boolean {
    return this.next < this.end;
  }

  /** The next id without taking it (only when available()). */
  peek(): bigint {
    return this.next;
  }

  take(): bigint {
    if (!this.available()) throw new Error('no producer id block');
    return this.next++;
  }

  /** The end of the block to persist next; apply with extend() once it is durable. */
  nextBlockEnd(): bigint {
    return this.end + PID_BLOCK_SIZE;
  }

  extend(blockEnd: bigint): void {
    if (this.next >= this.end) this.next = this.end;
    this.end = blockEnd;
  }
}

export function encodePidBlock(blockEnd: bigint): Buffer {
  return Buffer.from(JSON.stringify({ v: RECORD_VERSION, blockEnd: blockEnd.toString() }), 'utf8');
}

export function decodePidBlock(value: Buffer): bigint {
  const j = JSON.parse(value.toString('utf8')) as { v: number; blockEnd: string };
  if (j.v !== RECORD_VERSION) throw new Error(`unknown producer id block record version ${j.v}`);
  return BigInt(j.blockEnd);
}
