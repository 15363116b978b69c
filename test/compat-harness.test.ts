// Unit tests of the compat runner's scoreboard logic (compat-tests/lib/scoreboard.mjs).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs module without type declarations
import * as sb from '../compat-tests/lib/scoreboard.mjs';

type Result = { client: string; scenario: string; status: string; reason: string; ms: number; directives: Record<string, string> };

const r = (client: string, scenario: string, status: string, reason = '', directives: Record<string, string> = {}): Result => ({
  client,
  scenario,
  status,
  reason,
  ms: 1234,
  directives,
});

describe('compat scoreboard', () => {
  it('reads compat: directives from the first lines in any comment style', () => {
    expect(sb.parseDirectives('# compat: needs=groups timeout=30\nprint(1)')).toEqual({ needs: 'groups', timeout: '30' });
    expect(sb.parseDirectives('// compat: needs=transactions\n')).toEqual({ needs: 'transactions' });
    expect(sb.parseDirectives('x\n'.repeat(20) + '# compat: needs=late')).toEqual({});
  });

  it('takes the failure reason from the last FAIL: line, else an error line, else the last line', () => {
    expect(sb.failureReason('ok so far\nFAIL: first\nnoise\nFAIL: count 3 != 4\ntrailing\n')).toBe('count 3 != 4');
    expect(sb.failureReason('Traceback\n  File "x.py"\nAssertionError: boom\n')).toBe('AssertionError: boom');
    expect(sb.failureReason('just this\n\n')).toBe('just this');
    expect(sb.failureReason('')).toBe('(no output)');
    expect(sb.failureReason('%0|1795549876.781|FATAL|rdkafka#producer-1| [thrd:main]: Fatal error: Local: no idempotence\nFAIL: fatal producer error\n')).toBe(
      'fatal producer error [librdkafka: Local: no idempotence]',
    );
  });

  it('counts everything that is not PASS as failed in the closing line', () => {
    const results = [r('kcat', 'a', 'PASS'), r('kcat', 'b', 'FAIL', 'x'), r('python', 'c', 'TIMEOUT'), r('python', 'd', 'SKIP')];
    expect(sb.summaryLine(results)).toBe('compat: 1 passed, 3 failed');
    expect(sb.summaryLine(results)).toMatch(/^\w+: \d+ passed, \d+ failed$/);
    expect([...sb.perClient(results).entries()]).toEqual([
      ['kcat', { pass: 1, fail: 1 }],
      ['python', { pass: 0, fail: 2 }],
    ]);
  });

  it('prints one row per scenario with result, time, reason and the needs tag', () => {
    const text: string = sb.scoreboardText([r('kcat', 'metadata', 'PASS'), r('python', 'acks_1', 'FAIL', 'exit 1: boom\nmore', { needs: 'groups' })]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^client\s+scenario\s+result\s+time\s+reason$/);
    expect(lines[2]).toMatch(/^kcat\s+metadata\s+PASS\s+1\.2s$/);
    expect(lines[3]).toMatch(/^python\s+acks_1 \[needs groups\]\s+FAIL\s+1\.2s\s+exit 1: boom more$/);
  });

  it('writes RESULTS.md with per-client totals and escaped table cells', () => {
    const md: string = sb.resultsMarkdown([r('kcat', 'a', 'PASS'), r('kcat', 'b', 'FAIL', 'got a|b', { needs: 'groups' })], {
      target: 'brook',
      targetDetail: '',
      date: '2026-01-01T00:00:00Z',
      host: 'test',
      clientVersions: ['kcat 1.7.1'],
      passed: 1,
      failed: 1,
      ms: 2000,
    });
    expect(md).toContain('- total: 1 passed, 1 failed, 2.0s');
    expect(md).toContain('| kcat | 1 | 1 |');
    expect(md).toContain('| kcat | b *(needs groups)* | **FAIL** | 1.2s | got a\\|b |');
  });
});
