import type { BootstrapFacts } from '../domain/facts.js';
import { healthScript } from './openclaw-cli.js';
import { shQuote } from './sh-quote.js';
import { runAsWords, runtimeDir, UNIT_PATH } from '../shared/bootstrap-paths.js';

/**
 * What a bootstrap needs to know about a node, in one read-only command (POSIX sh): the runtime a push put
 * under the prefix, the node's own Node.js and npm, systemd, the OpenClaw versions under the prefix, the unit
 * clawfleet writes, the space free where the install goes, and (when something is installed) whether the
 * gateway answers its health command.
 * Nothing is written; every line is `key=value` and the parser accepts only the shapes it expects.
 */

/** Seconds each of the facts' health tries may take (a gateway that answers does within a few). */
export const FACTS_HEALTH_S = 20;
/**
 * Tries before the facts call a gateway unhealthy, and the pause between them: a running gateway that misses
 * one answer (busy, or its node loaded) is not planned a start; a stopped one fails each try at once.
 */
export const FACTS_HEALTH_TRIES = 3;
export const FACTS_HEALTH_PAUSE_S = 5;

export interface BootstrapQuery {
  prefix: string;
  /** The health command (undefined: the node's own `openclaw health --json`). */
  health?: string | undefined;
  /**
   * The gateway's port when the health command is clawfleet's own: where the node's socket tables
   * (/proc/net/tcp, tcp6) show nothing listening on it, the gateway is down and no health try is made (OpenClaw's
   * health query waits its whole timeout for a gateway that is not there).
   */
  port?: number | undefined;
  /** The gateway's user and its OpenClaw home: may that user (when it exists) make and write the home? */
  writableAs?: { user: string; dir: string } | undefined;
  /** Health tries and the pause between them (FACTS_HEALTH_TRIES, FACTS_HEALTH_PAUSE_S unless given). */
  tries?: number;
  pauseS?: number;
}

export function bootstrapProbeScript(q: BootstrapQuery): string {
  return [
    `p=${shQuote(q.prefix)}; r=${shQuote(runtimeDir(q.prefix))}; u=${shQuote(UNIT_PATH)}`,
    'if [ -d "$r" ] && [ ! -L "$r" ] && [ -x "$r/bin/node" ]; then printf "runtime=%s\\n" "$("$r/bin/node" --version 2>/dev/null | head -n 1)"; fi',
    'n=$(command -v node 2>/dev/null) && printf "node=%s\\n" "$("$n" --version 2>/dev/null | head -n 1)"',
    'command -v npm >/dev/null 2>&1 && echo npm=1',
    '[ -d /run/systemd/system ] && echo systemd=1',
    'any=',
    'if [ -d "$p" ] && [ ! -L "$p" ]; then for f in "$p"/*/node_modules/openclaw/package.json; do [ -f "$f" ] || continue; d=${f%/node_modules/openclaw/package.json}; printf "installed=%s\\n" "${d##*/}"; any=1; done; fi',
    'if [ -f "$u" ] && [ ! -L "$u" ]; then printf "unit=%s\\n" "$(sha256sum <"$u" | cut -d " " -f 1)"; fi',
    // the space an install would take: the filesystem of the prefix, or of its nearest existing ancestor
    'd=$p; while [ ! -d "$d" ]; do case $d in /*/*) d=${d%/*} ;; *) d=/ ;; esac; done',
    'f=$(df -Pk "$d" 2>/dev/null | awk \'NR == 2 { print $4 }\'); [ -n "$f" ] && printf "free=%s\\n" "$f"',
    ...ownerWrite(q),
    healthTries(q),
    'exit 0',
  ].join('\n');
}

/**
 * `ownerwrite=1|0`: whether the user (when it exists, and runuser is there) may write and search the dir, or
 * its nearest existing parent when the dir is not there yet (what OpenClaw's setup, run as that user, needs).
 */
function ownerWrite(q: BootstrapQuery): string[] {
  if (!q.writableAs) return [];
  return [
    `wu=${shQuote(q.writableAs.user)}; wd=${shQuote(q.writableAs.dir)}`,
    'while [ ! -e "$wd" ] && [ ! -L "$wd" ]; do case $wd in /*/*) wd=${wd%/*} ;; *) wd=/ ;; esac; done',
    'if id -u "$wu" >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then',
    `  if (cd / && ${runAsWords(q.writableAs.user)}/bin/sh -c '[ -d "$1" ] && [ -w "$1" ] && [ -x "$1" ]' clawfleet-w "$wd") </dev/null >/dev/null 2>&1; then echo ownerwrite=1; else echo ownerwrite=0; fi`,
    'fi',
  ];
}

/**
 * When something is installed: `health=0` at the first try that passes, else the last try's exit status (1 with
 * no try, when nothing listens on the gateway's port).
 */
function healthTries(q: BootstrapQuery): string {
  const tries = Math.max(1, Math.trunc(q.tries ?? FACTS_HEALTH_TRIES));
  const pause = Math.max(0, Math.trunc(q.pauseS ?? FACTS_HEALTH_PAUSE_S));
  const port = q.port !== undefined && Number.isInteger(q.port) && q.port > 0 && q.port < 65536 ? q.port : undefined;
  // a LISTEN (st 0A) socket whose local address ends in :PORT (hex, as the kernel prints it)
  const down =
    port === undefined
      ? []
      : [
          `  if [ -r /proc/net/tcp ] && ! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=:${port.toString(16).toUpperCase().padStart(4, '0')} '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'; then`,
          `    t=${tries}; echo listening=0`,
          '  fi',
        ];
  return [
    'if [ -n "$any" ]; then',
    '  h=1; t=0',
    ...down,
    `  while [ "$t" -lt ${tries} ]; do t=$((t + 1))`,
    `    if ( ${healthScript(FACTS_HEALTH_S, q.health)}\n ) >/dev/null 2>&1; then h=0; break; else h=$?; fi`,
    `    [ "$t" -ge ${tries} ] || sleep ${pause}`,
    '  done; printf "health=%s\\n" "$h"',
    'fi',
  ].join('\n');
}

const VERSION_RE = /^\d{4}\.\d+\.\d+$/;
const NODE_RE = /^v\d+\.\d+\.\d+$/;

/** Reads bootstrapProbeScript's answer; lines of any other shape (the node is untrusted) are ignored. */
export function parseBootstrapProbe(stdout: string): BootstrapFacts {
  const f: BootstrapFacts = { pushedRuntime: null, systemNode: null, npm: false, systemd: false, installed: [], unitSha256: null, healthy: null };
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at < 0) continue;
    const k = line.slice(0, at);
    const v = line.slice(at + 1).trim();
    if (k === 'runtime' && NODE_RE.test(v)) f.pushedRuntime = v;
    else if (k === 'node' && NODE_RE.test(v)) f.systemNode = v;
    else if (k === 'npm' && v === '1') f.npm = true;
    else if (k === 'systemd' && v === '1') f.systemd = true;
    else if (k === 'installed' && VERSION_RE.test(v) && !f.installed.includes(v)) f.installed.push(v);
    else if (k === 'unit' && /^[0-9a-f]{64}$/.test(v)) f.unitSha256 = v;
    else if (k === 'health' && /^\d+$/.test(v)) f.healthy = v === '0';
    else if (k === 'free' && /^\d{1,15}$/.test(v)) f.freeKiB = Number(v);
    else if (k === 'ownerwrite' && (v === '0' || v === '1')) f.ownerCanWrite = v === '1';
  }
  f.installed.sort();
  return f;
}

/** The facts of a node without programs of its own (a local dir standing in for a node). */
export function bareBootstrapFacts(installed: string[] = []): BootstrapFacts {
  return { pushedRuntime: null, systemNode: null, npm: false, systemd: false, installed, unitSha256: null, healthy: null };
}
