// Typed errors: a broken invariant is reported as a clawfleet bug with its stack; loaders name every schema issue.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { report } from '../../src/cli.js';
import { ClawError, InternalError } from '../../src/domain/errors.js';
import { readPlanFile } from '../../src/plan-file/io.js';

function sink(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { out, text: () => text };
}

describe('errors', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an InternalError says it is a clawfleet bug and prints its stack, also without -v; JSON says INTERNAL', () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
    const s = sink();
    report(new InternalError('planner bug: two actions for /x'), ['plan', '--json'], s.out);
    expect(err).toMatch(/^clawfleet: internal error: planner bug: two actions for \/x \(this is a clawfleet bug/);
    expect(err).toMatch(/\n\s*at /); // the stack
    expect(JSON.parse(s.text()).error.code).toBe('INTERNAL');
  });

  it('a ClawError stays one line, without a stack', () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
    report(new ClawError('USAGE', 'bad option'), ['plan'], sink().out);
    expect(err).toBe('clawfleet plan: bad option\n');
  });

  it('a plan file loader reports every schema issue, not only the first', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cf-err-')), 'plan.json');
    writeFileSync(file, JSON.stringify({ format: 'clawfleet-plan', version: 'x', nodes: 'y' }));
    const e = await readPlanFile(file).then(
      () => null,
      (x: unknown) => x as ClawError,
    );
    expect(e?.code).toBe('PLANFILE');
    expect(e?.issues?.length).toBeGreaterThan(1);
    for (const i of e!.issues!) expect(e!.message).toContain(i);
  });
});
