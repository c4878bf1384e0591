import type { OpenclawBinary } from '../domain/facts.js';
import type { GatewayAt } from '../domain/inventory.js';
import { gatewayEnv, runAsWords } from '../shared/bootstrap-paths.js';
import { shQuote } from './sh-quote.js';

/**
 * The node's own `openclaw` program, as every transport finds and runs it: the same lookup for the version
 * query (facts) and for the validator (executor). POSIX sh, no bashisms; paths are quoted with shQuote.
 */

/** Printed to stderr (with exit 127) when no openclaw is found, so "not found" is not confused with openclaw's own exit codes. */
export const NOT_FOUND_MARK = 'clawfleet: openclaw not found';

/** Seconds OpenClaw's validator may take (it answers in ~1–3 s) before `timeout` stops it (exit 124). */
export const VALIDATE_TIMEOUT_S = 120;

/** Sets $oc to the absolute path of openclaw: the PATH (plus the usual per-user npm dirs), else a login shell's PATH. */
const LOCATE = [
  'PATH="$PATH:$HOME/.npm-global/bin:$HOME/.local/bin:/usr/local/bin"; export PATH',
  'oc=$(command -v openclaw 2>/dev/null)',
  'if [ -z "$oc" ]; then oc=$("${SHELL:-/bin/sh}" -lc "command -v openclaw" </dev/null 2>/dev/null | tail -n 1); fi',
  `case $oc in /*) ;; *) echo ${shQuote(NOT_FOUND_MARK)} >&2; exit 127 ;; esac`,
].join('\n');

/** Prints the program's path on the first line, then whatever `openclaw --version` prints; exit 127 when absent. */
export function binaryScript(): string {
  return [LOCATE, 'printf "%s\\n" "$oc"', '"$oc" --version </dev/null 2>/dev/null', 'exit 0'].join('\n');
}

/** Parses binaryScript's answer: null when there is no openclaw. */
export function parseBinaryOutput(code: number, stdout: string): OpenclawBinary | null {
  if (code !== 0) return null;
  const [first = '', ...rest] = stdout.split('\n');
  const path = first.trim();
  if (!path.startsWith('/')) return null;
  const m = /\b(\d{4}\.\d+\.\d+)\b/.exec(rest.join('\n'));
  return { path, version: m ? m[1]! : null };
}

/**
 * OpenClaw's own offline validator on a candidate file, with a throwaway state dir (removed afterwards) so
 * nothing of the node's real state is read or written: `{valid, path, issues:[{path, message}]}` on stdout,
 * exit 0 valid, 1 invalid, 127 + NOT_FOUND_MARK when there is no openclaw, 124 on timeout.
 */
export function validateScript(candidate: string): string {
  return [
    LOCATE,
    'd=$(mktemp -d 2>/dev/null) || { echo "clawfleet: mktemp -d failed" >&2; exit 125; }',
    `if command -v timeout >/dev/null 2>&1; then set -- timeout ${VALIDATE_TIMEOUT_S}; else set --; fi`,
    `OPENCLAW_STATE_DIR="$d" OPENCLAW_CONFIG_PATH=${shQuote(candidate)} NO_COLOR=1 "$@" "$oc" config validate --json </dev/null`,
    'rc=$?',
    'rm -rf -- "$d"',
    'exit $rc',
  ].join('\n');
}

/** A script as one command line for `exec` (whatever the login shell is, the script runs under /bin/sh). */
export function asShCommand(script: string): string {
  return `/bin/sh -c ${shQuote(script)}`;
}

/** What the health gate shows for the node's own health command. */
export const OPENCLAW_HEALTH = 'openclaw health --json';

/**
 * One try of a health command, stopped by `timeout` after `seconds` where coreutils has it: the node's own
 * `openclaw health --json` (it asks the running gateway; exit 0 healthy), or `command` run by /bin/sh. With
 * `gateway`, OpenClaw's CLI is pointed at the gateway's home and config (its port and token; a bootstrap's port
 * over the config's, as the gateway was started), and runs as the
 * gateway's user when it has one (from /: as root it would write the gateway's state under root's own locks).
 */
export function healthScript(seconds: number, command?: string, gateway?: GatewayAt): string {
  const s = Math.max(1, Math.ceil(seconds));
  const limit = `if command -v timeout >/dev/null 2>&1; then set -- timeout -k 5 ${s}; else set --; fi`;
  if (command !== undefined) return [limit, `"$@" /bin/sh -c ${shQuote(command)} </dev/null`].join('\n');
  const env = gateway ? `${gatewayEnv(gateway)} ` : '';
  const as = gateway?.runAs !== undefined ? runAsWords(gateway.runAs) : '';
  return [LOCATE, limit, ...(as ? ['cd / || exit 125'] : []), `${env}NO_COLOR=1 "$@" ${as}"$oc" health --json --timeout ${s * 1000} </dev/null`].join('\n');
}

/**
 * `openclaw ARGS` with its state dir and config named (OPENCLAW_STATE_DIR / OPENCLAW_CONFIG_PATH), no colour,
 * no stdin, cut by `timeout` after `seconds` where coreutils has it. Every word is quoted.
 */
export function openclawRunScript(args: string[], env: Record<string, string>, seconds: number): string {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shQuote(v)}`);
  return [
    LOCATE,
    `if command -v timeout >/dev/null 2>&1; then set -- timeout -k 5 ${Math.max(1, Math.trunc(seconds))}; else set --; fi`,
    `${[...vars, 'NO_COLOR=1'].join(' ')} "$@" "$oc" ${args.map(shQuote).join(' ')} </dev/null`,
  ].join('\n');
}
