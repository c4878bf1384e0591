import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The CLI the tests run: the bundle package.json's `bin` names (what users run; `npm test` builds it first,
 * and it starts in about half the time of tsc's dist/cli.js, which matters over the suite's thousands of
 * runs), or $CLAWFLEET_TEST_CLI.
 */
export const CLI = process.env.CLAWFLEET_TEST_CLI || resolve(import.meta.dirname, '../../dist/bin/clawfleet.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI (npm test builds it first) with no stdin and no TTY, like CI. */
/** `timeoutMs`: a deadline for the child (default 2 minutes), not a speed target (scripts/bench measures speed). */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((res) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env }, maxBuffer: 64 << 20, timeout: opts.timeoutMs ?? 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        res({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 });
      },
    );
    child.stdin?.end();
  });
}
