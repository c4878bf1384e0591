#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { buildProgram } from './commands/program.js';
import { ui } from './terminal/ui.js';
import { ClawError, InternalError, errorMessage } from './domain/errors.js';
import { redactText } from './shared/redact.js';
import { safeLine } from './render/safe-line.js';

/** `--json`, `-f json`, `--format=json`, `-fjson`: then errors are a JSON document on stdout too. */
function wantsJson(argv: string[]): boolean {
  return argv.some((a, i) => a === '--json' || a === '--format=json' || a === '-fjson' || ((a === '-f' || a === '--format') && argv[i + 1] === 'json'));
}

/** A commander message ("error: unknown command 'plna'\n(Did you mean plan?)") as one line. */
function usageLine(e: CommanderError): string {
  return e.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.replace(/^\((.*)\)$/, '($1)'))
    .join(' ');
}

/** A broken invariant: said to be a clawfleet bug, with its stack (whatever the verbosity). */
function reportInternal(e: InternalError, argv: string[], out: NodeJS.WritableStream): void {
  const line = `internal error: ${errorMessage(e)} (this is a clawfleet bug; please report it with the stack below)`;
  process.stderr.write(`clawfleet: ${safeLine(line)}\n${redactText(String(e.stack))}\n`);
  if (wantsJson(argv)) out.write(JSON.stringify({ format: 'clawfleet-error', version: 1, error: { code: 'INTERNAL', message: redactText(line) } }, null, 2) + '\n');
}

export function report(e: unknown, argv: string[], out: NodeJS.WritableStream, named = true): void {
  if (e instanceof InternalError) return reportInternal(e, argv, out);
  const cmd = named ? argv.find((a) => !a.startsWith('-')) : undefined;
  const line = errorMessage(e); // one line, whatever the error (several schema issues are joined)
  const prefix = cmd && e instanceof ClawError ? `clawfleet ${cmd}: ` : 'clawfleet: ';
  process.stderr.write(prefix + safeLine(line) + '\n');
  if (wantsJson(argv)) {
    const c = e instanceof ClawError ? e : null;
    const error = { code: c?.code ?? (e instanceof CommanderError ? 'USAGE' : 'ERROR'), message: redactText(line), ...(c?.node ? { node: c.node } : {}), ...(c?.path ? { path: redactText(c.path) } : {}), ...(c?.issues ? { issues: c.issues.map(redactText) } : {}) };
    out.write(JSON.stringify({ format: 'clawfleet-error', version: 1, error }, null, 2) + '\n');
  }
  if (ui.verbose || process.env.CLAWFLEET_DEBUG) process.stderr.write(String((e as Error)?.stack) + '\n');
}

export async function main(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const io = { out, code: 0 };
  ui.verbose = false;
  ui.quiet = false;
  const program = buildProgram(io);
  if (argv.length === 0) {
    out.write(program.helpInformation());
    return 1;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return io.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return e.exitCode;
      report(new ClawError('USAGE', usageLine(e)), argv, out, false);
      return 1;
    }
    report(e, argv, out);
    return 1;
  }
}

/** Run as a program (also through a symlink, as npm installs `bin`), not imported by a test. */
function isEntry(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  // A reader that goes away (`clawfleet plan | head`): the rest of the output is dropped, never a stack trace,
  // and the command still finishes (an apply is not cut between two actions by a closed pipe).
  for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`clawfleet: ${errorMessage(e)}\n`);
      process.exitCode = 1;
    },
  );
}
