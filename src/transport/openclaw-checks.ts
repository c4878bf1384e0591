import { randomBytes } from 'node:crypto';
import { asShCommand } from './openclaw-cli.js';
import { shQuote } from './sh-quote.js';
import type { NodeWriter } from './types.js';

/** Seconds each OpenClaw check may take (2026.9.6 answers in 4–8 s) before `timeout` stops it. */
export const CHECK_TIMEOUT_S = 180;

/**
 * The limit in force: CHECK_TIMEOUT_S, or `CLAWFLEET_OPENCLAW_CHECKS_TIMEOUT` (whole seconds, 1–3600) for nodes
 * where OpenClaw starts slowly (on a loaded 2-core machine its CLI took 30–40 s just to print its help).
 */
export function checkTimeoutS(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.CLAWFLEET_OPENCLAW_CHECKS_TIMEOUT;
  if (v === undefined || v === '') return CHECK_TIMEOUT_S;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 3600 ? n : CHECK_TIMEOUT_S;
}

export interface OpenclawCheckOutput {
  doctor: { code: number; stdout: string } | null;
  /** null when skipped: the shared state DB does not exist, and `secrets audit` would create it. */
  secrets: { code: number; stdout: string } | null;
}

/**
 * OpenClaw's own checks, in one exec: `doctor --lint --json` and `secrets audit --check --json`, only where
 * the shared store `state/openclaw.sqlite` is already open in WAL mode (its `-wal` file exists, as while the
 * gateway runs): on a real 2026.9.6 node both leave `-wal`/`-shm` files behind when they were not there, and
 * the audit creates the store when it is missing. Output sections are framed by a per-run random marker, so nothing
 * the node prints can forge a section.
 */
export function openclawChecksScript(bin: string, home: string, config: string, marker: string, timeoutS: number = CHECK_TIMEOUT_S): string {
  return [
    `oc=${shQuote(bin)}; h=${shQuote(home)}; m=${shQuote(marker)}`,
    `if command -v timeout >/dev/null 2>&1; then set -- timeout ${Math.trunc(timeoutS)}; else set --; fi`,
    `OPENCLAW_STATE_DIR="$h"; OPENCLAW_CONFIG_PATH=${shQuote(config)}; NO_COLOR=1; export OPENCLAW_STATE_DIR OPENCLAW_CONFIG_PATH NO_COLOR`,
    // without the shared store already in WAL mode (as while the gateway runs), both leave -wal/-shm files
    'if [ -f "$h/state/openclaw.sqlite-wal" ] && [ ! -L "$h/state" ] && [ ! -L "$h/state/openclaw.sqlite" ] && [ ! -L "$h/state/openclaw.sqlite-wal" ]; then',
    '  printf "%s doctor\\n" "$m"',
    '  "$@" "$oc" doctor --lint --json </dev/null 2>/dev/null; rc=$?',
    '  printf "\\n%s rc %s\\n" "$m" "$rc"',
    '  printf "%s secrets\\n" "$m"',
    '  "$@" "$oc" secrets audit --check --json </dev/null 2>/dev/null; rc=$?',
    '  printf "\\n%s rc %s\\n" "$m" "$rc"',
    'fi',
    'exit 0',
  ].join('\n');
}

export function parseChecksOutput(stdout: string, marker: string): OpenclawCheckOutput {
  const out: OpenclawCheckOutput = { doctor: null, secrets: null };
  for (const name of ['doctor', 'secrets'] as const) {
    const start = stdout.indexOf(`${marker} ${name}\n`);
    if (start < 0) continue;
    const body = stdout.slice(start + marker.length + name.length + 2);
    const end = body.indexOf(`\n${marker} rc `);
    if (end < 0) continue;
    const code = Number(/^(\d+)/.exec(body.slice(end + marker.length + 5))?.[1] ?? 1);
    out[name] = { code, stdout: body.slice(0, end) };
  }
  return out;
}

/** Runs the checks with the node's own openclaw program. Read-only on the versions it is used for (see the gate). */
export async function runOpenclawChecks(w: NodeWriter, bin: string, home: string, config: string): Promise<OpenclawCheckOutput> {
  const marker = `@@clawfleet-${randomBytes(8).toString('hex')}`;
  const r = await w.exec(asShCommand(openclawChecksScript(bin, home, config, marker, checkTimeoutS())));
  return parseChecksOutput(r.stdout, marker);
}
