import picomatch from 'picomatch';

const compiled = new Map<string, RegExp>();

/**
 * A protected glob as a RegExp, by picomatch (the one glob semantics of clawfleet): `*` matches within one
 * path segment, `**` any depth (OpenClaw nests files under `credentials/`), dotfiles included. Compiled once
 * per glob (the planner asks for every path it touches).
 */
export function globToRe(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) compiled.set(glob, (re = picomatch.makeRe(glob, { dot: true })));
  return re;
}
