import { describe, expect, it } from 'vitest';
import type { BootstrapAction } from '../../src/domain/actions.js';
import type { BootstrapFacts } from '../../src/domain/facts.js';
import type { BootstrapSpec } from '../../src/domain/inventory.js';
import { checkSavedNodePlan } from '../../src/plan-file/check-node.js';
import { bootstrapCandidates, unitSha } from '../../src/planner/bootstrap-ops.js';
import { bareBootstrapFacts } from '../../src/transport/bootstrap-probe.js';
import { planNode } from '../../src/planner/plan-node.js';
import { bare, HOME, OC, shippedBaseline, type InputBuilder } from '../helpers/plan-builders.js';

const CACHE = '/srv/push-cache';
const push: BootstrapSpec = { source: 'push', cache: CACHE, prefix: '/opt/openclaw', port: 18789, readonly: false, start: 'nohup openclaw gateway run &' };
const nothing: BootstrapFacts = {
  pushedRuntime: null,
  systemNode: 'v20.19.0',
  npm: true,
  systemd: false,
  installed: [],
  unitSha256: null,
  healthy: null,
  pushSource: { runtime: true, openclaw: true },
};

function node(b: BootstrapSpec = push, facts: BootstrapFacts = nothing): InputBuilder {
  return bare({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current', agents: ['main', 'coder'], bootstrap: b } }).boot(facts);
}
/** A node OpenClaw is installed and set up on (config, agents main and coder), with these bootstrap facts over `nothing`. */
function setUp(b: BootstrapSpec, facts: Partial<BootstrapFacts>): InputBuilder {
  return node(b, { ...nothing, pushedRuntime: 'v24.0.0', installed: ['2026.9.6'], ...facts })
    .openclaw('2026.9.6')
    .dir(OC)
    .configText('{}')
    .agents('main', 'coder');
}
const ops = (p: ReturnType<typeof planNode>) => p.actions.map((a) => (a.type === 'bootstrap' ? `${a.boot.op} ${a.path}` : `${a.type} ${a.path}`));
const errors = (p: ReturnType<typeof planNode>) => p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

describe('bootstrap planner: what an install needs, refused before any write', () => {
  it("too little space on the prefix's filesystem: one error naming the prefix, the space and the need; no action", () => {
    const p = planNode(node(push, { ...nothing, freeKiB: 500 * 1024 }).build());
    expect(p.actions).toEqual([]);
    expect(errors(p)).toEqual([
      'bootstrap install-openclaw: /opt/openclaw: 500 MiB free on its filesystem, the install needs about 1550 MiB (openclaw and its Node.js runtime): free some space, or set bootstrap.prefix to a bigger filesystem',
    ]);
    // the runtime already pushed: only the release's share is needed
    expect(errors(planNode(node(push, { ...nothing, pushedRuntime: 'v24.11.1', freeKiB: 1300 * 1024 }).build()))).toEqual([]);
    expect(errors(planNode(node(push, { ...nothing, freeKiB: 40 * 1024 * 1024 }).build()))).toEqual([]);
  });

  it('a login that is not root, without become: sudo: one error saying why; with become: sudo the plan goes on', () => {
    const as = (extra: object) =>
      bare({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current', agents: ['main'], bootstrap: push, transport: 'ssh', user: 'deploy', ...extra } }).boot(nothing);
    expect(errors(planNode(as({}).build()))).toEqual([
      'bootstrap install-openclaw: logged in as deploy without `become: sudo`: a bootstrap installs under /opt/openclaw, writes a service and may create a user, which needs root: log in as root or set become: sudo',
    ]);
    expect(errors(planNode(as({ become: 'sudo' }).build()))).toEqual([]);
  });
});

describe('bootstrap planner: a bare node', () => {
  it('push: runtime, the pinned OpenClaw (irreversible), its setup and the agents, alone (layout and config wait)', () => {
    const p = planNode(node().build());
    expect(ops(p)).toEqual(['install-runtime /opt/openclaw/node-24', 'install-openclaw /opt/openclaw/2026.9.6', `openclaw-setup ${OC}/openclaw.json`, `add-agent ${OC}/agents/coder`]);
    const irreversible = p.actions.filter((a) => a.type === 'bootstrap' && a.irreversible).map((a) => (a as BootstrapAction).boot.op);
    expect(irreversible).toEqual(['install-runtime', 'install-openclaw']);
    expect(errors(p)).toEqual([]);
    expect(p.diagnostics.map((d) => d.message).join('\n')).toMatch(/agents without credentials after the bootstrap: main, coder/);
    const inst = p.actions[1] as BootstrapAction;
    expect(inst.boot).toMatchObject({ op: 'install-openclaw', source: 'push', version: '2026.9.6', from: `${CACHE}/openclaw-2026.9.6`, node: '/opt/openclaw/node-24/bin/node' });
  });

  it('registry: no runtime pushed; without npm or Node ≥ 22 on the node it is a plan error naming the step', () => {
    const reg: BootstrapSpec = { ...push, source: 'registry' };
    delete reg.cache;
    const ok = planNode(node(reg, { ...nothing, systemNode: 'v24.1.0' }).build());
    expect(ops(ok)[0]).toBe('install-openclaw /opt/openclaw/2026.9.6');
    const old = planNode(node(reg, nothing).build());
    expect(old.actions).toEqual([]);
    expect(errors(old)).toEqual(['bootstrap install-openclaw: source registry needs npm and Node.js ≥ 22 on the node (found npm, Node.js v20.19.0): use source push, or install them']);
  });

  it('push source missing on the operator side: one plan error naming the step, no action', () => {
    const p = planNode(node(push, { ...nothing, pushSource: { runtime: true, openclaw: false } }).build());
    expect(p.actions).toEqual([]);
    expect(errors(p)).toEqual([`bootstrap install-openclaw: push source missing: ${CACHE}/openclaw-2026.9.6 has no openclaw 2026.9.6 on this machine`]);
  });

  it('another OpenClaw version installed: a plan error naming both versions', () => {
    const p = planNode(node().openclaw('2026.8.4').build());
    expect(p.actions).toEqual([]);
    expect(errors(p)[0]).toMatch(/node runs OpenClaw 2026\.8\.4 \(\/usr\/local\/bin\/openclaw\), baseline "openclaw-current" pins 2026\.9\.6/);
  });

  it('no systemd and no start command: a plan error once OpenClaw is set up', () => {
    const b = { ...push };
    delete b.start;
    const p = planNode(setUp(b, { healthy: false }).build());
    expect(errors(p)).toEqual(['bootstrap start-service: the node has no systemd and the inventory gives no bootstrap.start command']);
  });

  it('set up but the gateway does not answer: layout and config, then the start with its health check, last', () => {
    const p = planNode(setUp(push, { healthy: false }).build());
    expect(ops(p).at(-1)).toBe('start-service /opt/openclaw/.gateway');
    expect(ops(p).some((o) => o.startsWith('merge-config'))).toBe(true);
    // healthy: nothing of the service
    const q = planNode(setUp(push, { healthy: true }).build());
    expect(ops(q).filter((o) => o.startsWith('start-service'))).toEqual([]);
  });

  it('systemd: the unit is written when it differs, and the gateway started', () => {
    const facts = { systemd: true, healthy: true };
    const b = setUp(push, facts);
    const p = planNode(b.build());
    expect(ops(p).slice(-2)).toEqual(['install-service /etc/systemd/system/openclaw-gateway.service', 'start-service /opt/openclaw/.gateway']);
    const unit = (p.actions.at(-2) as BootstrapAction).boot;
    expect(unit.op === 'install-service' && unit.unit).toContain('ExecStart=/usr/local/bin/openclaw gateway run --port 18789');
    expect(unit.op === 'install-service' && unit.unit).not.toContain('OPENCLAW_CONFIG_READONLY');
    const c = bootstrapCandidates(b.node, b.baseline, b.layout, true)!;
    const same = planNode(setUp(push, { ...facts, unitSha256: unitSha(c) }).build());
    expect(ops(same).filter((o) => /service/.test(o))).toEqual([]);
  });

  it('a saved plan: its bootstrap actions are accepted; one with another start command or version is refused', () => {
    const b = node();
    const p = planNode(b.build());
    expect(checkSavedNodePlan(p, b.node, b.baseline, HOME)).toBeNull();
    const forged = structuredClone(p);
    (forged.actions[1] as BootstrapAction).boot = { ...(forged.actions[1] as BootstrapAction).boot, version: '2026.9.7' } as BootstrapAction['boot'];
    expect(checkSavedNodePlan(forged, b.node, b.baseline, HOME)?.message).toMatch(/bootstrap action: bootstrap install-openclaw differs/);
  });
});

describe('bootstrap planner: a local dir standing in for a node', () => {
  const standIn = (b: BootstrapSpec, facts: BootstrapFacts) =>
    bare({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current', transport: 'local', root: '/srv/demo/bare5', agents: ['main', 'coder'], bootstrap: b } }).boot(facts);
  const dirFacts = bareBootstrapFacts();

  it('is planned as over SSH (systemd assumed, npm and Node.js unknown), with a note that apply refuses it', () => {
    const reg: BootstrapSpec = { source: 'registry', prefix: '/opt/openclaw', port: 18789, readonly: false };
    const p = planNode(standIn(reg, dirFacts).build());
    expect(ops(p)).toEqual(['install-openclaw /opt/openclaw/2026.9.6', `openclaw-setup ${OC}/openclaw.json`, `add-agent ${OC}/agents/coder`]);
    expect(errors(p)).toEqual([]);
    const notes = p.diagnostics.filter((d) => d.severity === 'info').map((d) => d.message);
    expect(notes[1]).toBe(
      "bootstrap: a local dir (root: /srv/demo/bare5) can only be bootstrapped over SSH: this plan shows what `apply` would do there; `apply` refuses it (its installs would run on this machine). A dir cannot tell what the node runs: assumed: systemd; unknown: the node's npm and Node.js ≥ 22 (source registry needs them)",
    );
    expect(notes[0]).toMatch(
      /service: systemd unit \/etc\/systemd\/system\/openclaw-gateway\.service; start: systemctl enable --now openclaw-gateway; health: `OPENCLAW_STATE_DIR='\/root\/\.openclaw' OPENCLAW_CONFIG_PATH='\/root\/\.openclaw\/openclaw\.json' OPENCLAW_GATEWAY_PORT=18789 openclaw health --json` within 300 s$/,
    );
  });

  it('push: the operator-side cache is still checked (it is on this machine); no registry caveat', () => {
    const missing = planNode(standIn(push, { ...dirFacts, pushSource: { runtime: false, openclaw: true } }).build());
    expect(errors(missing)[0]).toMatch(/^bootstrap install-runtime: push source missing/);
    const ok = planNode(standIn(push, { ...dirFacts, pushSource: { runtime: true, openclaw: true } }).build());
    expect(ops(ok)[0]).toBe('install-runtime /opt/openclaw/node-24');
    expect(ok.diagnostics.map((d) => d.message).join('\n')).not.toMatch(/unknown: the node's npm/);
  });

  it('an SSH node keeps its own facts: no systemd and no start command is named in the note, registry without npm is an error', () => {
    const p = planNode(node().build());
    expect(p.diagnostics.find((d) => d.severity === 'info')!.message).toMatch(/start: nohup openclaw gateway run &; health:/);
    expect(p.diagnostics.map((d) => d.message).join('\n')).not.toMatch(/can only be bootstrapped over SSH/);
  });
});

describe('bootstrap: the baseline names the config file', () => {
  it('another config.file: the setup, `agents add` and the start command all carry it, none assumes openclaw.json', () => {
    const baseline = shippedBaseline('openclaw-current');
    baseline.config.file = 'gateway.json5';
    const b = bare({ baseline, node: { baseline: 'openclaw-current', agents: ['main', 'coder'], bootstrap: push } }).boot(nothing);
    const p = planNode(b.build());
    expect(ops(p).slice(-2)).toEqual([`openclaw-setup ${OC}/gateway.json5`, `add-agent ${OC}/agents/coder`]);
    expect((p.actions.at(-1) as BootstrapAction).boot).toMatchObject({ op: 'add-agent', config: `${OC}/gateway.json5` });
    const c = bootstrapCandidates(b.node, b.baseline, b.layout, false)!;
    expect(c.start.boot).toMatchObject({ op: 'start-service', config: `${OC}/gateway.json5` });
    expect(JSON.stringify(p)).not.toContain('openclaw.json"');
    expect(checkSavedNodePlan(p, b.node, b.baseline, HOME)).toBeNull();
  });
});
