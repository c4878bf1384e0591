// Issue 16, item 4: one per-node failure shape, rendered in one place (render/node-failure.ts) for every command.
import { describe, expect, it } from 'vitest';
import { ClawError, InternalError, nodeFailure, withNode, withoutNode } from '../../src/domain/errors.js';
import type { NodeResult } from '../../src/domain/results.js';
import { failureJson, failureLine } from '../../src/render/node-failure.js';
import { renderResults } from '../../src/render/results-text.js';
import { renderRuns } from '../../src/render/runs-text.js';
import { REDACTED } from '../../src/shared/redact.js';
import { COLOR, PLAIN } from '../../src/terminal/style.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const SECRET = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345';

describe('node failure', () => {
  it('text: the status column, then "node: message" with the node named once', () => {
    expect(failureLine(nodeFailure('node02', new Error('connection refused')), PLAIN)).toBe('failed    node02: connection refused');
    const named = nodeFailure('node02', new ClawError('LOCKED', 'node is locked', { node: 'node02', path: '/root/.clawfleet/lock' }));
    expect(failureLine(named, PLAIN)).toBe('failed    node02: /root/.clawfleet/lock: node is locked');
    expect(failureLine({ node: 'n1', ok: false, error: 'x' }, PLAIN, 'refused')).toBe('refused   n1: x');
    expect(failureLine({ node: 'n1', ok: false, error: 'x' }, PLAIN, 'FAILED')).toBe('FAILED    n1: x');
    expect(failureLine({ node: 'n1', ok: false, error: 'x' }, COLOR)).toBe(`${COLOR.red('failed')}    n1: x`);
    expect(failureLine({ node: 'n1', ok: false, error: 'x' }, COLOR, 'FAILED')).toBe(`${COLOR.red(COLOR.bold('FAILED'))}    n1: x`);
  });

  it('JSON: { node, error }, the error naming its node once, like the text', () => {
    expect(failureJson(nodeFailure('node02', new Error('connection refused')))).toEqual({ node: 'node02', error: 'node02: connection refused' });
    expect(failureJson({ node: 'node02', ok: false, error: 'node02: host key changed' })).toEqual({ node: 'node02', error: 'node02: host key changed' });
  });

  it('a secret in the message is masked, in the text and in the JSON', () => {
    const f = nodeFailure('node02', new Error(`handler said ${SECRET} and "apiKey": "hunter2hunter2"`));
    for (const out of [failureLine(f, PLAIN), failureJson(f).error]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain('hunter2hunter2');
      expect(out).toContain(REDACTED);
    }
  });

  it('a hostile node name and message are escaped onto one visible line', () => {
    const node = 'n1\x1b[2J\u202eevil';
    const line = failureLine({ node, ok: false, error: 'boom\r\nfailed    node03: fake\x07' }, PLAIN);
    expect(line).not.toMatch(CONTROL);
    expect(line).toBe('failed    n1\\x1b[2J\\u202eevil: boom\\r\\nfailed    node03: fake\\x07');
  });

  it('an internal error says it is a clawfleet bug, in the text and in the JSON', () => {
    const f = nodeFailure('node02', new InternalError('path-trust: no lstat for /x'));
    expect(f.internal).toBe(true);
    expect(failureLine(f, PLAIN)).toBe('failed    node02: internal error: path-trust: no lstat for /x (this is a clawfleet bug; please report it)');
    expect(failureJson(f).error).toContain('this is a clawfleet bug');
    expect(nodeFailure('node02', new Error('x')).internal).toBeUndefined();
    expect(failureLine(nodeFailure('node02', new Error('x')), PLAIN)).not.toContain('clawfleet bug');
  });

  it('withNode and withoutNode: the prefix added once, taken off only at the start', () => {
    expect(withNode('n1', 'x')).toBe('n1: x');
    expect(withNode('n1', 'n1: x')).toBe('n1: x');
    expect(withoutNode('n1', 'n1: x')).toBe('x');
    expect(withoutNode('n1', 'see n1: x')).toBe('see n1: x');
  });

  it('apply and runs print the same failure the same way', () => {
    const error = 'node02: connection refused';
    const apply: NodeResult = { node: 'node02', runId: null, status: 'failed', done: 0, total: 1, actions: [], error };
    const line = failureLine({ node: 'node02', ok: false, error }, PLAIN);
    expect(renderResults([apply], PLAIN).split('\n')[0]).toBe(line);
    expect(renderRuns([{ node: 'node02', ok: false, error }], PLAIN)).toBe(line + '\n');
  });
});
