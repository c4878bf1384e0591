import { readdirSync, readFileSync } from 'node:fs';
import picomatch from 'picomatch';
import SSHConfig from 'ssh-config';
import { ClawError } from '../../domain/errors.js';

/**
 * `Include` in an ssh config, as OpenSSH follows it: each argument is a file or a glob (`*`, `?`), `~`
 * expanded, relative to ~/.ssh; matching files are read in lexical order, a missing one is no error, and
 * includes nest up to 16 deep. A top-level Include splices the file's lines in its place; an Include in a
 * `Host`/`Match` block adds the file's lines to that block — unless the file opens blocks of its own, which
 * is refused with a clear error rather than read with a different meaning than ssh gives it.
 */

const MAX_DEPTH = 16;

type Line = ReturnType<typeof SSHConfig.parse>[number];
interface Directive {
  type: number;
  param: string;
  value: string | unknown;
  config?: Line[];
}

export interface IncludeEnv {
  home: string;
  read?: (path: string) => string;
  list?: (dir: string) => string[];
}

function isBlock(l: Line): boolean {
  const d = l as unknown as Directive;
  return d.type === SSHConfig.DIRECTIVE && /^(host|match)$/i.test(d.param);
}

function isInclude(l: Line): boolean {
  const d = l as unknown as Directive;
  return d.type === SSHConfig.DIRECTIVE && /^include$/i.test(d.param);
}

/** One path segment of an Include glob, through picomatch like every glob of clawfleet: `*` any run, `?` one
 *  char, everything else literal (hidden files are left out by the caller, as glob(3) leaves them). */
const INCLUDE_SEGMENT = { dot: true, nobracket: true, noextglob: true, nobrace: true, nonegate: true, noglobstar: true } as const;

/** Files an Include argument names, in lexical order (a glob's matches; nothing for a missing file). */
export function includeFiles(arg: string, env: IncludeEnv): string[] {
  const list = env.list ?? ((d: string) => readdirSync(d));
  let p = arg === '~' ? env.home : arg.startsWith('~/') ? env.home + arg.slice(1) : arg;
  if (!p.startsWith('/')) p = `${env.home}/.ssh/${p}`;
  let paths = [''];
  for (const seg of p.split('/').slice(1)) {
    if (!/[*?]/.test(seg)) {
      paths = paths.map((b) => `${b}/${seg}`);
      continue;
    }
    const isMatch = picomatch(seg, INCLUDE_SEGMENT);
    paths = paths.flatMap((b) => {
      try {
        return list(b || '/')
          .filter((n) => isMatch(n) && !n.startsWith('.'))
          .sort()
          .map((n) => `${b}/${n}`);
      } catch {
        return [];
      }
    });
  }
  return paths;
}

function readLines(file: string, env: IncludeEnv): Line[] | null {
  try {
    return [...SSHConfig.parse((env.read ?? ((f: string) => readFileSync(f, 'utf8')))(file))];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return null;
    throw new ClawError('SSH_CONFIG', `cannot read ${file}, included by the ssh config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function expand(lines: Line[], env: IncludeEnv, depth: number, inBlock: string | null): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    if (isInclude(l)) {
      if (depth >= MAX_DEPTH) throw new ClawError('SSH_CONFIG', `ssh config: Include nested more than ${MAX_DEPTH} deep`);
      const d = l as unknown as Directive;
      const args = (Array.isArray(d.value) ? d.value.map(String) : String(d.value).split(/\s+/)).filter(Boolean);
      for (const file of args.flatMap((a) => includeFiles(a, env))) {
        const inner = readLines(file, env);
        if (!inner) continue;
        if (inBlock !== null && inner.some(isBlock))
          throw new ClawError('SSH_CONFIG', `ssh config: ${file} is included inside "${inBlock}" and opens Host/Match blocks of its own: not supported (include it at the top level)`);
        out.push(...expand(inner, env, depth + 1, inBlock));
      }
      continue;
    }
    const d = l as unknown as Directive;
    if (isBlock(l) && d.config) d.config = expand(d.config, env, depth, `${d.param} ${String(d.value)}`);
    out.push(l);
  }
  return out;
}

/** The parsed config with every Include followed (its lines in place, so blocks keep their meaning). */
export function parseWithIncludes(text: string, env: IncludeEnv): ReturnType<typeof SSHConfig.parse> {
  const parsed = SSHConfig.parse(text);
  if (!/^\s*include\b/im.test(text)) return parsed;
  const lines = expand([...parsed], env, 0, null);
  parsed.splice(0, parsed.length, ...lines);
  return parsed;
}
