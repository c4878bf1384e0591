import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Accounts } from '../../src/domain/facts.js';
import type { BootstrapAction } from '../../src/domain/actions.js';
import type { BootstrapFacts, GatewayUser } from '../../src/domain/facts.js';
import { createScript, freeScript } from '../../src/executor/bootstrap/create-user.js';
import { startScript } from '../../src/executor/bootstrap/start-service.js';
import { accountsFact, parseLoginDefs } from '../../src/facts/accounts.js';
import { checkSavedNodePlan } from '../../src/plan-file/check-node.js';
import { bootstrapCandidates } from '../../src/planner/bootstrap-ops.js';
import { planNode } from '../../src/planner/plan-node.js';
import { freeSystemId, newUserId } from '../../src/planner/system-id.js';
import { bootstrapWhat } from '../../src/render/bootstrap-line.js';
import { bootHealthCommand, gatewayRunAs } from '../../src/shared/bootstrap-paths.js';
import { bare, HOME, shippedBaseline } from '../helpers/plan-builders.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'messagebus:x:999:999::/nonexistent:/usr/sbin/nologin',
  'systemd-network:x:998:998::/:/usr/sbin/nologin',
  'alice:x:1000:1000::/home/alice:/bin/bash',
].join('\n');
const GROUP = ['root:x:0:', 'messagebus:x:999:', 'systemd-network:x:998:', 'docker:x:997:alice', 'alice:x:1000:'].join('\n');

describe('the id of a new system user: the highest free as both uid and gid, as useradd --system picks', () => {
  it('skips ids taken as a uid or as a gid', () => {
    const a = accountsFact(PASSWD, GROUP, null);
    expect(a.sysUid).toEqual({ min: 100, max: 999 });
    // 999 and 998 are both taken, 997 is a gid (docker): 996
    expect(freeSystemId(a)).toBe(996);
    expect(freeSystemId({ ...a, uids: [...a.uids, 996] })).toBe(995);
  });

  it("login.defs' SYS ranges count (both must hold the id); unusable values fall back to 100–999", () => {
    const defs = '# comment\nSYS_UID_MIN   201\nSYS_UID_MAX 500\nSYS_GID_MIN 300\nSYS_GID_MAX\t700\nUID_MAX 60000\nSYS_UID_MAX 5e2\n';
    expect(parseLoginDefs(defs)).toEqual({ SYS_UID_MIN: 201, SYS_UID_MAX: 500, SYS_GID_MIN: 300, SYS_GID_MAX: 700 });
    expect(freeSystemId(accountsFact(PASSWD, GROUP, defs))).toBe(500);
    expect(accountsFact(PASSWD, GROUP, 'SYS_UID_MIN 900\nSYS_UID_MAX 200\n').sysUid).toEqual({ min: 100, max: 999 });
    const full: Accounts = { users: [], groups: [], uids: [101, 102], gids: [100], sysUid: { min: 100, max: 102 }, sysGid: { min: 100, max: 102 } };
    expect(freeSystemId(full)).toBeNull();
  });

  it('malformed account lines never crash and never count (the node is untrusted)', () => {
    const junk = `${PASSWD}\n::::\nbad:x:-1:2\nx:x:99999999999:1\n\u0000:x:996:996\nnocolons\n`;
    expect(() => accountsFact(junk, `${GROUP}\n:x:5:\n`, 'SYS_UID_MAX ../../\n')).not.toThrow();
    expect(freeSystemId(accountsFact(junk, GROUP, null))).toBe(995); // the NUL-named line's uid still counts as taken
  });

  it('refuses names useradd would not take, a group of that name alone, another group named, no free id', () => {
    const a = accountsFact(PASSWD, GROUP, null);
    expect(newUserId(a, 'openclaw', 'openclaw')).toEqual({ id: 996 });
    expect(newUserId(a, 'Open;claw', 'Open;claw')).toMatchObject({ problem: expect.stringMatching(/not a user name useradd takes/) });
    expect(newUserId(a, 'docker', 'docker')).toMatchObject({ problem: expect.stringMatching(/a group "docker" exists without the user/) });
    expect(newUserId(a, 'openclaw', 'staff')).toMatchObject({ problem: expect.stringMatching(/gets its own group "openclaw"/) });
    expect(newUserId({ ...a, sysUid: { min: 998, max: 999 } }, 'openclaw', 'openclaw')).toMatchObject({ problem: expect.stringMatching(/no id free .* 998–999/) });
  });
});

const nothing: BootstrapFacts = { pushedRuntime: null, systemNode: null, npm: false, systemd: false, installed: [], unitSha256: null, healthy: null, pushSource: { runtime: true, openclaw: true } };
const push = { source: 'push' as const, cache: '/srv/push-cache', prefix: '/opt/openclaw', port: 18789, readonly: false, start: 'nohup openclaw gateway run &' };
const OWN_HOME = '/home/openclaw/.openclaw';

function missingOwner(openclawHome = OWN_HOME, owner = 'openclaw') {
  const b = bare({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current', agents: ['main', 'coder'], owner, openclawHome, bootstrap: push } })
    .boot(nothing)
    .gateway(null, `owner "${owner}": no user "openclaw" in the node's /etc/passwd`);
  const input = b.build();
  input.facts.accounts = accountsFact(PASSWD, GROUP, null);
  return { b, input };
}

describe('bootstrap planner: the gateway user missing on the node', () => {
  it('plans create-user first with the chosen id (irreversible); setup and agents run as that user', () => {
    const { input } = missingOwner();
    const p = planNode(input);
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const boot = p.actions.map((a) => (a as BootstrapAction).boot);
    expect(boot[0]).toEqual({ op: 'create-user', user: 'openclaw', id: 996, home: '/home/openclaw' });
    expect((p.actions[0] as BootstrapAction).irreversible).toBe(true);
    expect(boot.map((o) => o.op)).toEqual(['create-user', 'install-runtime', 'install-openclaw', 'openclaw-setup', 'add-agent']);
    expect(boot.filter((o) => o.op === 'openclaw-setup' || o.op === 'add-agent').map((o) => 'runAs' in o && o.runAs)).toEqual(['openclaw', 'openclaw']);
    expect(bootstrapWhat(p.actions[0] as BootstrapAction).detail).toBe("useradd --system openclaw, uid and gid 996, home /home/openclaw (the gateway's user; a rollback leaves it)");
  });

  it('a saved plan keeps its chosen id; another user or home is refused', () => {
    const { b, input } = missingOwner();
    const p = planNode(input);
    expect(checkSavedNodePlan(p, b.node, b.baseline, HOME)).toBeNull();
    const forged = structuredClone(p);
    (forged.actions[0] as BootstrapAction).boot = { op: 'create-user', user: 'openclaw', id: 996, home: '/etc' };
    expect(checkSavedNodePlan(forged, b.node, b.baseline, HOME)?.message).toMatch(/bootstrap create-user differs/);
  });

  it('an OpenClaw home outside the new user\'s home, or an owner "user:othergroup": a plan error naming the step, no action', () => {
    for (const [home, owner, msg] of [
      ['~/.openclaw', 'openclaw', /bootstrap create-user: .*could not make the OpenClaw home \/root\/\.openclaw \(outside its home \/home\/openclaw\)/],
      [OWN_HOME, 'openclaw:staff', /bootstrap create-user: .*gets its own group "openclaw"/],
    ] as const) {
      const p = planNode(missingOwner(home, owner).input);
      expect(p.actions).toEqual([]);
      expect(p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([expect.stringMatching(msg)]);
    }
  });
});

describe('create-user on the node: checked free before any write, then created with the planned id', () => {
  const sh = (script: string) => {
    try {
      execFileSync('/bin/sh', ['-c', script], { stdio: 'pipe' });
      return { code: 0, err: '' };
    } catch (e) {
      const x = e as { status: number; stderr: Buffer };
      return { code: x.status, err: x.stderr.toString() };
    }
  };
  it('the check (read-only) names what is taken: this machine has root (uid 0) and /root', () => {
    expect(sh(freeScript('root', 64999, '/nonexistent-clawfleet'))).toEqual({ code: 3, err: 'clawfleet: user root is taken now\n' });
    expect(sh(freeScript('clawfleet-nobody-x', 0, '/nonexistent-clawfleet'))).toEqual({ code: 3, err: 'clawfleet: uid 0 is taken now\n' });
    expect(sh(freeScript('clawfleet-nobody-x', 64999, '/root'))).toEqual({ code: 3, err: 'clawfleet: home /root is taken now\n' });
    expect(sh(freeScript('clawfleet-nobody-x', 64999, '/nonexistent-clawfleet'))).toEqual({ code: 0, err: '' });
  });
  it('groupadd then useradd with the same explicit id; a failed useradd takes its group back', () => {
    const s = createScript('openclaw', 996, '/home/openclaw');
    expect(s).toContain("groupadd --system --gid 996 'openclaw'");
    expect(s).toContain("useradd --system --uid 996 --gid 996 --home-dir '/home/openclaw' --create-home --shell /bin/sh 'openclaw'; then groupdel 'openclaw'");
  });
  it('the start command runs as the gateway user when the plan names one, from /', () => {
    expect(startScript('nohup openclaw gateway run &', OWN_HOME, `${OWN_HOME}/openclaw.json`, false, 18789, 'openclaw')).toBe(
      `cd / && OPENCLAW_STATE_DIR='${OWN_HOME}' OPENCLAW_CONFIG_PATH='${OWN_HOME}/openclaw.json' OPENCLAW_GATEWAY_PORT=18789 runuser -u 'openclaw' -- /bin/sh -c 'nohup openclaw gateway run &' </dev/null >/dev/null 2>&1`,
    );
  });
  it("the health check runs as the gateway user too (OpenClaw's CLI writes its state database in the home it is pointed at)", () => {
    expect(bootHealthCommand(18789, { home: OWN_HOME, configPath: `${OWN_HOME}/openclaw.json` }, 'openclaw')).toBe(
      `cd / && OPENCLAW_STATE_DIR='${OWN_HOME}' OPENCLAW_CONFIG_PATH='${OWN_HOME}/openclaw.json' OPENCLAW_GATEWAY_PORT=18789 runuser -u 'openclaw' -- openclaw health --json`,
    );
    expect([gatewayRunAs('openclaw'), gatewayRunAs('openclaw:openclaw'), gatewayRunAs('root'), gatewayRunAs('995:995'), gatewayRunAs(undefined)]).toEqual([
      'openclaw',
      'openclaw',
      undefined,
      undefined,
      undefined,
    ]);
    // what the planner puts in the start action, for the unit's start and for the start command's
    const { b } = missingOwner();
    for (const systemd of [true, false]) {
      const start = bootstrapCandidates(b.node, b.baseline, b.layout, systemd)!.start.boot;
      expect(start.op === 'start-service' && start.health.command).toMatch(/^cd \/ && OPENCLAW_STATE_DIR='\/home\/openclaw\/\.openclaw' .* runuser -u 'openclaw' -- openclaw health --json$/);
    }
  });
});

describe('bootstrap planner: an existing gateway user that cannot write its OpenClaw home', () => {
  const existing = (ownerCanWrite: boolean | undefined, openclawHome = '/srv/oc/.openclaw') =>
    bare({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current', agents: ['main', 'coder'], owner: 'openclaw', openclawHome, bootstrap: push } })
      .boot({ ...nothing, ...(ownerCanWrite === undefined ? {} : { ownerCanWrite }) })
      .gateway({ name: 'openclaw', uid: 995, gid: 995, groups: [995], source: 'inventory' } satisfies GatewayUser);
  const errs = (p: ReturnType<typeof planNode>) => p.diagnostics.filter((d) => d.severity === 'error');

  it('refused at plan time, naming the home, before any install (an install cannot be undone)', () => {
    const p = planNode(existing(false).build());
    expect(p.actions).toEqual([]);
    expect(errs(p).map((d) => [d.message, d.path])).toEqual([
      [
        'bootstrap openclaw-setup: the gateway\'s user "openclaw" cannot make its OpenClaw home (OpenClaw\'s setup and `agents add` run as it): give it that dir (or its parent), or set openclawHome where it can write',
        '/srv/oc/.openclaw',
      ],
    ]);
  });

  it('planned as before when it can, or when the node could not say', () => {
    for (const can of [true, undefined]) {
      const p = planNode(existing(can).build());
      expect(errs(p)).toEqual([]);
      expect(p.actions.map((a) => (a as BootstrapAction).boot.op)).toEqual(['install-runtime', 'install-openclaw', 'openclaw-setup', 'add-agent']);
    }
  });
});
