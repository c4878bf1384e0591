import { describe, expect, it } from 'vitest';
import { buildCheck } from '../../src/check/build.js';
import { CheckResultSchema } from '../../src/check/schema.js';
import { checkToJson, renderCheckText } from '../../src/render/drift-matrix.js';
import { PLAIN } from '../../src/terminal/style.js';
import type { Action } from '../../src/domain/actions.js';
import type { GatewayUser } from '../../src/domain/facts.js';
import { nodeHasErrors } from '../../src/domain/plan.js';
import { resolveGateway } from '../../src/facts/gateway-user.js';
import { planNode } from '../../src/planner/plan-node.js';
import { bare, CONFIG, converged, DATA, MINI_CONFIG_FULL, OC } from '../helpers/plan-builders.js';

/** The gateway of a real install: its own user (uid ≠ 0) and group; also in the `media` group (1002). */
const GW: GatewayUser = { name: 'openclaw', uid: 1001, gid: 1001, groups: [1001, 1002], source: 'inventory' };
const MEMORY = `${DATA}/memory`;
const SESSIONS = `${DATA}/agents/alpha/sessions`;

const byPath = (actions: Action[]) => Object.fromEntries(actions.map((a) => [a.path, a]));

/** A node converged on the mini baseline whose home and data are the gateway's (0700), config 0600. */
function ownedConverged() {
  const b = converged().gateway(GW).owned(OC, 1001, 1001, 0o700).owned(CONFIG, 1001, 1001, 0o600);
  for (const d of b.layout.dataDirs) b.owned(d, 1001, 1001, d === DATA ? 0o755 : 0o700);
  b.owned(DATA, 0, 0, 0o755);
  return b;
}

describe('ownership and modes are part of the desired state', () => {
  it('a node whose data dirs, data root and config the gateway can use is converged', () => {
    const p = planNode(ownedConverged().build());
    expect(p.actions).toEqual([]);
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('a data dir the gateway cannot write is drift: set-owner to the gateway, group and mode as they can stay', () => {
    const p = planNode(ownedConverged().owned(MEMORY, 0, 0, 0o755).owned(SESSIONS, 0, 1002, 0o2750).build());
    const a = byPath(p.actions);
    expect(p.actions.map((x) => x.type)).toEqual(['set-owner', 'set-owner']);
    // Behind a 0700 home it was private: it is also narrowed to 0700.
    expect(a[MEMORY]).toMatchObject({ type: 'set-owner', expect: { kind: 'dir' }, from: { uid: 0, gid: 0, mode: 0o755 }, to: { uid: 1001, gid: 1001, mode: 0o700 }, items: ['memory'] });
    // In the gateway's `media` group, setgid: the group and the setgid bit stay.
    expect(a[SESSIONS]).toMatchObject({ from: { uid: 0, gid: 1002, mode: 0o2750 }, to: { uid: 1001, gid: 1002, mode: 0o2750 } });
  });

  it('a data dir more open than the OpenClaw home is drift: narrowed to what the home lets through', () => {
    const p = planNode(ownedConverged().owned(MEMORY, 1001, 1001, 0o755).build());
    expect(p.actions).toMatchObject([{ type: 'set-owner', path: MEMORY, from: { uid: 1001, gid: 1001, mode: 0o755 }, to: { uid: 1001, gid: 1001, mode: 0o700 } }]);
    expect(p.actions[0]!.reason).toMatch(/more open than the OpenClaw home/);
    // A home open to its group lets a data dir be as open to the group, never to others.
    const b = ownedConverged().owned(OC, 1001, 1001, 0o750).owned(MEMORY, 1001, 1001, 0o755);
    expect(planNode(b.build()).actions).toMatchObject([{ path: MEMORY, to: { mode: 0o750 } }]);
    expect(planNode(ownedConverged().owned(OC, 1001, 1001, 0o750).owned(MEMORY, 1001, 1001, 0o750).build()).actions).toEqual([]);
  });

  it('a group-writable dir of a group the gateway is in is not drift', () => {
    const p = planNode(ownedConverged().owned(MEMORY, 0, 1002, 0o2770).build());
    expect(p.actions).toEqual([]);
  });

  it('a config the gateway cannot read and write is drift; rollback gets `from` exactly', () => {
    const p = planNode(ownedConverged().owned(CONFIG, 0, 0, 0o600).build());
    expect(p.actions).toMatchObject([{ type: 'set-owner', path: CONFIG, expect: { kind: 'file' }, from: { uid: 0, gid: 0, mode: 0o600 }, to: { uid: 1001, gid: 1001, mode: 0o600 } }]);
  });

  it('a merged config keeps its owner, group and mode (and journals them)', () => {
    const b = ownedConverged().configText('{ meta: { lastTouchedVersion: "2026.5.28" } }', 0o640).owned(CONFIG, 1001, 1002, 0o640);
    const p = planNode(b.build());
    expect(p.actions).toMatchObject([{ type: 'merge-config', mode: 0o640, owner: { uid: 1001, gid: 1002 }, before: { uid: 1001, gid: 1002, mode: 0o640 } }]);
  });

  it('a root-owned config that must be merged becomes the gateway\'s in the same write', () => {
    const b = ownedConverged().configText('{ meta: { lastTouchedVersion: "2026.5.28" } }', 0o600).owned(CONFIG, 0, 0, 0o600);
    const p = planNode(b.build());
    expect(p.actions).toMatchObject([{ type: 'merge-config', mode: 0o600, owner: { uid: 1001, gid: 1001 }, before: { uid: 0, gid: 0, mode: 0o600 } }]);
  });

  it('a data root the gateway cannot pass through stays the login\'s, with the gateway\'s group allowed through', () => {
    const p = planNode(ownedConverged().owned(DATA, 0, 0, 0o700).build());
    expect(p.actions).toMatchObject([{ type: 'set-owner', path: DATA, from: { uid: 0, gid: 0, mode: 0o700 }, to: { uid: 0, gid: 1001, mode: 0o710 } }]);
  });

  it('on a bare node, new dirs are the gateway\'s and no more open than the home (0700), the data root 0710 root:gateway', () => {
    const b = bare().gateway(GW).openclaw('2026.5.28');
    const p = planNode(b.build());
    expect(p.paths.dataRootMode).toEqual({ gid: 1001, mode: 0o710 });
    for (const a of p.actions.filter((x) => x.type === 'ensure-dir')) {
      expect(a, a.path).toMatchObject({ mode: 0o700, owner: { uid: 1001, gid: 1001 } });
    }
    expect(p.actions.find((a) => a.type === 'merge-config')).toMatchObject({ owner: { uid: 1001, gid: 1001 }, mode: 0o600 });
    // The links themselves are the gateway's (lchown: a link's own owner).
    const links = p.actions.filter((x) => x.type === 'link');
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(l, l.path).toMatchObject({ owner: { uid: 1001, gid: 1001 } });
  });

  it('a home open to its group lets new data dirs be as open (never more than the baseline\'s dirMode)', () => {
    const b = converged().gateway(GW).owned(OC, 1001, 1001, 0o750).owned(CONFIG, 1001, 1001, 0o600).missing(MEMORY).missing(`${DATA}/agents`).missing(`${DATA}/agents/alpha`).missing(SESSIONS);
    b.owned(DATA, 0, 0, 0o755);
    const p = planNode(b.build());
    expect(byPath(p.actions)[MEMORY]).toMatchObject({ type: 'ensure-dir', mode: 0o750, owner: { uid: 1001, gid: 1001 } });
  });

  it('a dir turned into a link carries its owner, group, mode and setgid bit to its new target', () => {
    const b = converged().gateway(GW).owned(OC, 1001, 1001, 0o700).owned(CONFIG, 1001, 1001, 0o600).owned(DATA, 0, 0, 0o755);
    b.missing(MEMORY).dir(`${OC}/memory`, { 'a.md': 'x' }).owned(`${OC}/memory`, 1001, 1002, 0o2770);
    for (const d of [`${DATA}/agents`, `${DATA}/agents/alpha`, SESSIONS]) b.owned(d, 1001, 1001, 0o700);
    const p = planNode(b.build());
    expect(byPath(p.actions)[MEMORY]).toMatchObject({ type: 'ensure-dir', mode: 0o2770, owner: { uid: 1001, gid: 1002 } });
    // An existing target: a set-owner carries them.
    const b2 = ownedConverged().owned(MEMORY, 0, 0, 0o755).dir(`${OC}/memory`, { 'a.md': 'x' }).owned(`${OC}/memory`, 1001, 1002, 0o2770);
    b2.manifests[MEMORY] = { entries: [], digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' };
    const p2 = planNode(b2.build());
    expect(byPath(p2.actions)[MEMORY]).toMatchObject({ type: 'set-owner', from: { uid: 0, gid: 0, mode: 0o755 }, to: { uid: 1001, gid: 1002, mode: 0o2770 } });
  });

  it('a carried mode is no more open than the home: a 0755 dir behind a 0700 home becomes a 0700 target', () => {
    const b = converged().gateway(GW).owned(OC, 1001, 1001, 0o700).owned(CONFIG, 1001, 1001, 0o600).owned(DATA, 0, 0, 0o755);
    b.missing(MEMORY).dir(`${OC}/memory`, { 'a.md': 'x' }).owned(`${OC}/memory`, 1001, 1001, 0o755);
    for (const d of [`${DATA}/agents`, `${DATA}/agents/alpha`, SESSIONS]) b.owned(d, 1001, 1001, 0o700);
    expect(byPath(planNode(b.build()).actions)[MEMORY]).toMatchObject({ type: 'ensure-dir', mode: 0o700, owner: { uid: 1001, gid: 1001 } });
  });

  it('an inventory owner the node does not know is a plan error naming it', () => {
    const p = planNode(ownedConverged().gateway(null, 'owner "ghost": no user "ghost" in the node\'s /etc/passwd').build());
    expect(nodeHasErrors(p)).toBe(true);
    expect(p.diagnostics.find((d) => d.severity === 'error')?.message).toMatch(/ghost/);
  });

  it('a root gateway: new dirs still no more open than the home, and a linked dir still carries its group and setgid bit', () => {
    const b = converged().owned(OC, 0, 0, 0o700).owned(CONFIG, 0, 0, 0o600).owned(DATA, 0, 0, 0o755);
    b.missing(MEMORY).dir(`${OC}/memory`, { 'a.md': 'x' }).owned(`${OC}/memory`, 0, 1002, 0o2770);
    b.missing(SESSIONS);
    const a = byPath(planNode(b.build()).actions);
    expect(a[MEMORY]).toMatchObject({ type: 'ensure-dir', mode: 0o2770, owner: { uid: 0, gid: 1002 } });
    expect(a[SESSIONS]).toMatchObject({ type: 'ensure-dir', mode: 0o700 });
    expect(a[SESSIONS]).not.toHaveProperty('owner');
  });

  it('a root gateway (or none found) plans no owner: the behaviour of a root-owned tree stays', () => {
    const p = planNode(converged({ config: MINI_CONFIG_FULL }).gateway({ ...GW, uid: 0, gid: 0, groups: [0] }).owned(CONFIG, 0, 0, 0o600).build());
    expect(p.actions).toEqual([]);
  });
});

describe('the gateway user from the inventory or the OpenClaw home', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nopenclaw:x:1001:1001::/home/openclaw:/bin/sh\nbad line\n';
  const group = 'root:x:0:\nopenclaw:x:1001:\nmedia:x:1002:alice,openclaw\n';
  it('resolves a name, a name:group, numbers, and the home\'s owner', () => {
    expect(resolveGateway('openclaw', undefined, passwd, group).user).toEqual({ name: 'openclaw', uid: 1001, gid: 1001, groups: [1001, 1002], source: 'inventory' });
    expect(resolveGateway('openclaw:media', undefined, passwd, group).user).toMatchObject({ uid: 1001, gid: 1002, groups: [1002, 1001] });
    expect(resolveGateway('1500:1500', undefined, passwd, group).user).toMatchObject({ uid: 1500, gid: 1500, groups: [1500] });
    expect(resolveGateway(undefined, { kind: 'dir', mode: 0o700, uid: 1001, gid: 1001 }, passwd, group).user).toMatchObject({ name: 'openclaw', uid: 1001, source: 'home' });
  });
  it('names what it cannot find', () => {
    expect(resolveGateway('ghost', undefined, passwd, group).problem).toMatch(/no user "ghost"/);
    expect(resolveGateway('openclaw:nogroup', undefined, passwd, group).problem).toMatch(/no group "nogroup"/);
    expect(resolveGateway(undefined, { kind: 'missing' }, passwd, group)).toEqual({ user: null });
  });
});

describe('check judges ownership and modes from the facts (the same findings as the plan)', () => {
  const checkOf = (input: ReturnType<ReturnType<typeof ownedConverged>['build']>) => buildCheck([{ node: 'n1', plan: planNode(input), input }], '2026-12-01T00:00:00Z');

  it('a converged node with the gateway\'s owners is ✓ everywhere', () => {
    const r = checkOf(ownedConverged().build());
    expect(r.drift).toBe(false);
    expect(Object.values(r.rows[0]!.cells).every((c) => c.state === 'ok')).toBe(true);
  });

  it('a data dir the gateway cannot write, a config it cannot read, a mode more open than the home: ✗ in text and JSON', () => {
    const input = ownedConverged().owned(MEMORY, 0, 0, 0o700).owned(SESSIONS, 1001, 1001, 0o755).owned(CONFIG, 0, 0, 0o600).build();
    const r = checkOf(input);
    const cells = r.rows[0]!.cells;
    expect(r.drift).toBe(true);
    expect(cells['memory']).toMatchObject({ state: 'drift', what: ['owner'] });
    expect(cells['agent-sessions']).toMatchObject({ state: 'drift', what: ['mode'] });
    expect(cells['logging']).toMatchObject({ state: 'drift', what: ['owner'] });
    expect(cells['tools.media']).toMatchObject({ state: 'drift', what: ['owner'] });
    const text = renderCheckText(r, PLAIN);
    expect(text).toMatch(/n1\s+✗ owner\s+✗ owner\s+✗ owner\s+✗ mode/);
    expect(text).toContain(`✗ n1 memory: the gateway (openclaw) cannot write ${MEMORY} (0:0 0700)`);
    expect(text).toContain(`✗ n1 agent-sessions: ${SESSIONS} is more open (0755) than the OpenClaw home lets it be`);
    expect(text).toContain(`✗ n1 logging: the gateway (openclaw) cannot read and write ${CONFIG} (0:0 0600)`);
    const json = JSON.parse(checkToJson(r));
    expect(CheckResultSchema.parse(json).rows[0]!.cells['memory']).toMatchObject({ state: 'drift', what: ['owner'] });
    // The plan fixes exactly those paths.
    expect(planNode(input).actions.map((a) => [a.type, a.path])).toEqual([['set-owner', MEMORY], ['set-owner', SESSIONS], ['set-owner', CONFIG]]);
  });

  it('a data root the gateway cannot pass through is ✗ owner on every link item', () => {
    const r = checkOf(ownedConverged().owned(DATA, 0, 0, 0o700).build());
    expect(r.rows[0]!.cells['memory']).toMatchObject({ state: 'drift', what: ['owner'] });
    expect(r.rows[0]!.cells['agent-sessions']).toMatchObject({ state: 'drift', what: ['owner'] });
    expect(r.rows[0]!.cells['logging']).toEqual({ state: 'ok' });
  });

  it('an inventory owner the node does not know leaves the items unjudged (?), never ✓', () => {
    const r = checkOf(ownedConverged().gateway(null, 'owner "ghost": no user "ghost" in the node\'s /etc/passwd').build());
    expect(r.rows[0]!.cells['memory']).toMatchObject({ state: 'unknown', why: expect.stringMatching(/ghost/) });
    expect(r.errors).toBe(true);
  });

  it('a root gateway judges no owner (a root-owned tree stays ✓)', () => {
    const r = checkOf(converged({ config: MINI_CONFIG_FULL }).gateway({ ...GW, uid: 0, gid: 0, groups: [0] }).owned(CONFIG, 0, 0, 0o600).build());
    expect(r.drift).toBe(false);
  });
});
