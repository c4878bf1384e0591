// Issue 11, item 3: a saved plan is untrusted; every action must be one the planner could have made for
// its node from the inventory and the baseline.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/domain/actions.js';
import type { NodePlan } from '../../src/domain/plan.js';
import { checkSavedNodePlan } from '../../src/plan-file/check-node.js';
import { planNode } from '../../src/planner/plan-node.js';
import { bare, DATA, HOME, miniBaseline, nodeSpec, OC } from '../helpers/plan-builders.js';

const baseline = miniBaseline({ orphans: { policy: 'quarantine', neverTouch: [] } });
const spec = nodeSpec({ agents: ['alpha'] });
const genuine = (): NodePlan => planNode(bare({ baseline, node: spec }).agents('alpha', 'stray').dir(`${OC}/agents/alpha`).agentDir('stray').build());
const find = (p: NodePlan, type: Action['type']) => p.actions.find((a) => a.type === type)!;

const setOwner = (path: string, from: number, to: number): Action => ({
  type: 'set-owner',
  id: `owner:${path}`,
  path,
  expect: path.endsWith('.json') ? { kind: 'file', sha256: 'a'.repeat(64) } : { kind: 'dir' },
  from: { uid: 0, gid: 0, mode: from },
  to: { uid: 1001, gid: 1001, mode: to },
  reason: 'r',
  items: [],
});

describe('checkSavedNodePlan', () => {
  it('accepts what the planner made', () => {
    const p = genuine();
    expect(p.actions.map((a) => a.type).sort()).toEqual(expect.arrayContaining(['ensure-dir', 'link', 'merge-config', 'quarantine']));
    expect(checkSavedNodePlan(p, spec, baseline, HOME)).toBeNull();
  });

  it('accepts set-owner actions the planner could make (a config made the gateway\'s, a dir narrowed)', () => {
    const p = genuine();
    p.actions = p.actions.filter((a) => a.path !== `${DATA}/memory` && a.type !== 'merge-config');
    p.actions.push(setOwner(`${OC}/openclaw.json`, 0o600, 0o600), setOwner(`${DATA}/memory`, 0o755, 0o700));
    expect(checkSavedNodePlan(p, spec, baseline, HOME)).toBeNull();
  });

  const tamper: [string, (p: NodePlan) => void, RegExp][] = [
    ['a quarantine of /root/.ssh', (p) => Object.assign(find(p, 'quarantine'), { path: '/root/.ssh', id: 'quarantine:/root/.ssh' }), /not the agent dir/],
    ['a quarantine of a listed agent', (p) => Object.assign(find(p, 'quarantine'), { path: `${OC}/agents/alpha`, id: `quarantine:${OC}/agents/alpha`, agentId: 'alpha' }), /keeps/],
    ['an id that does not match the path', (p) => Object.assign(find(p, 'quarantine'), { path: `${OC}/agents/alpha` }), /does not match/],
    ['a link to another target', (p) => Object.assign(find(p, 'link'), { target: '/etc/cron.d' }), /baseline's target/],
    ['a link at another path', (p) => Object.assign(find(p, 'link'), { path: '/etc/passwd', id: 'link:/etc/passwd' }), /not a link slot/],
    ['a dir outside the data root', (p) => Object.assign(find(p, 'ensure-dir'), { path: '/etc/x', id: 'dir:/etc/x' }), /neither the OpenClaw home nor a data dir/],
    ['a world-writable dir', (p) => Object.assign(p.actions.find((a) => a.type === 'ensure-dir' && a.path === DATA + '/memory')!, { mode: 0o777 }), /mode 777/],
    ['a config merge of another file', (p) => Object.assign(find(p, 'merge-config'), { path: '/etc/sudoers', id: 'config:/etc/sudoers' }), /not the node's config/],
    ['config sections not from the baseline', (p) => (find(p, 'merge-config') as Extract<Action, { type: 'merge-config' }>).sections.push({ path: ['gateway'], value: { bind: '0.0.0.0' } }), /sections differ/],
    ['a node moved to another state dir', (p) => (p.paths.stateDir = '/tmp/state'), /stateDir is not the one/],
    ['protected files dropped', (p) => (p.protected = []), /protected files differ/],
    ['a set-owner of /etc/shadow', (p) => p.actions.push(setOwner('/etc/shadow', 0o640, 0o640)), /neither the config nor a data dir/],
    ['a set-owner that opens the config', (p) => p.actions.push(setOwner(`${OC}/openclaw.json`, 0o600, 0o644)), /opens the config/],
    ['a set-owner that opens a data dir to others', (p) => p.actions.push(setOwner(`${DATA}/memory`, 0o700, 0o777)), /more open to others/],
    ['a set-owner that sets a setuid bit', (p) => p.actions.push(setOwner(`${DATA}/memory`, 0o700, 0o4700)), /setuid or sticky/],
    ['two actions for one path', (p) => p.actions.push({ ...find(p, 'link') }), /second action/],
  ];
  it.each(tamper)('refuses %s', (_, edit, why) => {
    const p = genuine();
    edit(p);
    expect(checkSavedNodePlan(p, spec, baseline, HOME)?.message).toMatch(why);
  });
});
