// OpenClaw's validator and version query as clawfleet runs them: the pure parsing of their answers (fed with
// what the real 2026.5.28 and 2026.9.6 print) and the shell scripts themselves, run with a fake openclaw.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssues, parseValidateOutput } from '../../src/executor/openclaw-validate.js';
import { recordedVersion } from '../../src/facts/config-version.js';
import { asShCommand, binaryScript, NOT_FOUND_MARK, parseBinaryOutput, validateScript } from '../../src/transport/openclaw-cli.js';

const run = (code: number, stdout: string, stderr = '') => parseValidateOutput({ code, stdout, stderr });

// Verbatim answers of the real programs (OPENCLAW_CONFIG_PATH=<file> openclaw config validate --json).
const V528_VALID = '{"valid":true,"path":"/root/.openclaw/.openclaw.json.clawfleet-20261125T000000Z-abcd"}\n';
const V96_VALID = '{"valid":true,"path":"/root/.openclaw/.openclaw.json.clawfleet-20261125T000000Z-abcd","warnings":[]}\n';
const V528_INVALID = `{
  "valid": false,
  "path": "/tmp/cand-bad.json",
  "issues": [
    {
      "path": "logging.level",
      "message": "Invalid input (allowed: \\"silent\\", \\"fatal\\", \\"error\\", \\"warn\\", \\"info\\", \\"debug\\", \\"trace\\")",
      "allowedValues": ["silent", "fatal", "error", "warn", "info", "debug", "trace"]
    }
  ]
}
`;
const V96_CLASSIC_SHAPE = `{
  "ok": false,
  "error": { "type": "cli_error", "message": "OpenClaw config is invalid: /tmp/c96-classic.json" },
  "valid": false,
  "path": "/tmp/c96-classic.json",
  "issues": [ { "path": "agents.defaults", "message": "Unrecognized key: \\"memorySearch\\"" } ]
}
`;
const V528_SYNTAX = '{"valid":false,"path":"/tmp/x","issues":[{"path":"<root>","message":"JSON5 parse failed: SyntaxError: JSON5: invalid end of input at 2:1"}]}';
const V528_MISSING = '{"valid":false,"path":"/tmp/nonexist","error":"file not found"}';
const V96_MISSING = '{"ok":false,"error":{"type":"cli_error","message":"file not found"},"valid":false,"path":"/tmp/nonexist"}';

describe('parseValidateOutput', () => {
  it.each([
    ['2026.5.28 valid', V528_VALID],
    ['2026.9.6 valid', V96_VALID],
  ])('%s → valid', (_n, out) => {
    expect(run(0, out)).toEqual({ kind: 'valid' });
  });

  it('2026.5.28 invalid value → its issue list', () => {
    expect(run(1, V528_INVALID)).toEqual({
      kind: 'invalid',
      issues: [{ path: 'logging.level', message: 'Invalid input (allowed: "silent", "fatal", "error", "warn", "info", "debug", "trace")' }],
    });
  });

  it('2026.9.6 on a classic-shape config → the unrecognized key', () => {
    expect(run(1, V96_CLASSIC_SHAPE)).toEqual({ kind: 'invalid', issues: [{ path: 'agents.defaults', message: 'Unrecognized key: "memorySearch"' }] });
  });

  it('a JSON5 syntax error is an issue at <root>', () => {
    expect(run(1, V528_SYNTAX)).toMatchObject({ kind: 'invalid', issues: [{ path: '<root>', message: expect.stringMatching(/JSON5 parse failed/) }] });
  });

  it.each([
    ['2026.5.28', V528_MISSING],
    ['2026.9.6', V96_MISSING],
  ])('%s "file not found" (error without issues) → invalid, naming it', (_n, out) => {
    expect(run(1, out)).toEqual({ kind: 'invalid', issues: [{ path: '<file>', message: 'file not found' }] });
  });

  it('log lines before the JSON are skipped', () => {
    expect(run(0, `[plugins] loaded 3 plugins\nsomething {odd}\n${V96_VALID}`)).toEqual({ kind: 'valid' });
    expect(run(1, `warn: x\n${V528_INVALID}`)).toMatchObject({ kind: 'invalid' });
  });

  it('no openclaw → absent (only with the marker: openclaw itself may exit 127)', () => {
    expect(run(127, '', `${NOT_FOUND_MARK}\n`)).toEqual({ kind: 'absent' });
    expect(run(127, '', 'sh: 1: node: not found\n')).toEqual({ kind: 'failed', why: 'exit 127: sh: 1: node: not found' });
  });

  it('anything else is "failed": never taken for valid', () => {
    expect(run(124, '')).toEqual({ kind: 'failed', why: 'it did not answer within 120 s' });
    expect(run(0, 'OK')).toEqual({ kind: 'failed', why: 'exit 0: OK' });
    expect(run(0, '')).toEqual({ kind: 'failed', why: 'exit 0: no output' });
    expect(run(1, V528_VALID)).toMatchObject({ kind: 'failed' }); // "valid" but a failing exit code
    expect(run(0, '{"valid":"yes"}')).toMatchObject({ kind: 'failed' });
    expect(run(0, '[true]')).toMatchObject({ kind: 'failed' });
    expect(run(1, '', 'Error: Cannot find module\n    at x\n')).toEqual({ kind: 'failed', why: 'exit 1: Error: Cannot find module' });
  });
});

describe('formatIssues', () => {
  it('one line, path: message, joined by "; "', () => {
    expect(formatIssues([{ path: 'logging.level', message: 'Invalid\ninput' }, { path: 'browser', message: 'Unrecognized key: "color"' }])).toBe(
      'logging.level: Invalid input; browser: Unrecognized key: "color"',
    );
  });

  it('at most 5 issues, each message cut at 240 characters', () => {
    const issues = Array.from({ length: 8 }, (_, i) => ({ path: `k${i}`, message: 'x'.repeat(500) }));
    const s = formatIssues(issues);
    expect(s).not.toContain('\n');
    expect(s.match(/k\d: /g)).toHaveLength(5);
    expect(s).toMatch(/ \(and 3 more\)$/);
    expect(s).toContain(`${'x'.repeat(239)}…`);
  });
});

describe('version detection', () => {
  it('parseBinaryOutput: path on the first line, the version from --version', () => {
    expect(parseBinaryOutput(0, '/usr/local/bin/openclaw\nOpenClaw 2026.9.6 (eb377ac)\n')).toEqual({ path: '/usr/local/bin/openclaw', version: '2026.9.6' });
    expect(parseBinaryOutput(0, '/opt/oc/bin/openclaw\nOpenClaw 2026.5.28 (e932160) — All your chats\n')).toEqual({ path: '/opt/oc/bin/openclaw', version: '2026.5.28' });
    // present, but --version answered nothing usable: still present (it can still validate)
    expect(parseBinaryOutput(0, '/usr/bin/openclaw\n')).toEqual({ path: '/usr/bin/openclaw', version: null });
    expect(parseBinaryOutput(0, '/usr/bin/openclaw\nerror: Node 18 is not supported\n')).toEqual({ path: '/usr/bin/openclaw', version: null });
    expect(parseBinaryOutput(127, '')).toBeNull();
    expect(parseBinaryOutput(0, 'alias openclaw=x\n')).toBeNull();
    expect(parseBinaryOutput(0, '')).toBeNull();
  });

  it('recordedVersion: meta.lastTouchedVersion of the config, JSON5, or null', () => {
    expect(recordedVersion('{ meta: { lastTouchedVersion: "2026.9.6" } }')).toBe('2026.9.6');
    expect(recordedVersion('// c\n{ meta: { lastTouchedVersion: "2026.5.28-beta.1", }, }')).toBe('2026.5.28');
    expect(recordedVersion('{ meta: { lastTouchedVersion: "latest" } }')).toBeNull();
    expect(recordedVersion('{ meta: {} }')).toBeNull();
    expect(recordedVersion('{ broken')).toBeNull();
  });
});

describe('the scripts, run by /bin/sh with a fake openclaw', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawfleet-ocsh-'));
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  execFileSync('mkdir', ['-p', bin, join(dir, 'home')]);
  // Logs its arguments, the two env vars and whether the state dir exists while it runs.
  writeFileSync(
    join(bin, 'openclaw'),
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo "OpenClaw 2026.9.6 (fake)"; exit 0; fi
{ printf 'args=%s\\n' "$*"; printf 'config=%s\\n' "$OPENCLAW_CONFIG_PATH"; printf 'state=%s\\n' "$OPENCLAW_STATE_DIR"; [ -d "$OPENCLAW_STATE_DIR" ] && echo state-exists; } >>${JSON.stringify(log)}
if grep -q loud "$OPENCLAW_CONFIG_PATH"; then echo '{"valid":false,"issues":[{"path":"logging.level","message":"Invalid input"}]}'; exit 1; fi
echo '{"valid":true}'
`,
    { mode: 0o755 },
  );
  const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: join(dir, 'home'), SHELL: '/bin/sh' };
  const sh = (cmd: string, e: Record<string, string> = env) => spawnSync('/bin/sh', ['-c', cmd], { env: e, encoding: 'utf8' });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('binaryScript finds the program and its version', () => {
    const r = sh(binaryScript());
    expect(parseBinaryOutput(r.status!, r.stdout)).toEqual({ path: join(bin, 'openclaw'), version: '2026.9.6' });
    const none = sh(binaryScript(), { ...env, PATH: '/usr/bin:/bin' });
    expect(none.status).toBe(127);
    expect(none.stderr).toContain(NOT_FOUND_MARK);
    expect(parseBinaryOutput(none.status!, none.stdout)).toBeNull();
  });

  it('validateScript quotes the candidate path, uses a throwaway state dir and removes it', () => {
    const candidate = join(dir, `it's a "cand" $(touch pwned) \`x\`.json`);
    writeFileSync(candidate, '{ logging: { level: "info" } }');
    const r = sh(asShCommand(validateScript(candidate)));
    expect(r.status, r.stderr).toBe(0);
    expect(parseValidateOutput({ code: r.status!, stdout: r.stdout, stderr: r.stderr })).toEqual({ kind: 'valid' });
    const calls = readFileSync(log, 'utf8');
    expect(calls).toContain('args=config validate --json\n');
    expect(calls).toContain(`config=${candidate}\n`);
    expect(calls).toContain('state-exists');
    const state = /state=(.*)\n/.exec(calls)![1]!;
    expect(state).not.toBe('');
    expect(existsSync(state)).toBe(false);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync('pwned')).toBe(false);
  });

  it('validateScript passes an invalid answer and exit code through; no openclaw → the marker', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ logging: { level: "loud" } }');
    const r = sh(asShCommand(validateScript(bad)));
    expect(r.status).toBe(1);
    expect(parseValidateOutput({ code: r.status!, stdout: r.stdout, stderr: r.stderr })).toEqual({ kind: 'invalid', issues: [{ path: 'logging.level', message: 'Invalid input' }] });
    const none = sh(asShCommand(validateScript(bad)), { ...env, PATH: '/usr/bin:/bin' });
    expect(parseValidateOutput({ code: none.status!, stdout: none.stdout, stderr: none.stderr })).toEqual({ kind: 'absent' });
  });
});
