import { describe, expect, it } from 'vitest';
import { refuseStandInBootstrap } from '../../src/commands/stand-in-refusal.js';
import type { Plan } from '../../src/domain/plan.js';
import type { NodeSpec } from '../../src/domain/inventory.js';
import type { Action } from '../../src/domain/actions.js';

const boot = { type: 'bootstrap', id: 'bootstrap:/opt/openclaw/2026.9.6', path: '/opt/openclaw/2026.9.6' } as unknown as Action;
const dirAction = { type: 'ensure-dir', id: 'ensure-dir:/openclaw-data', path: '/openclaw-data' } as unknown as Action;
const plan = (nodes: [string, Action[]][]): Plan => ({ nodes: nodes.map(([node, actions]) => ({ node, actions, diagnostics: [] })) }) as unknown as Plan;
const spec = (name: string, extra: Partial<NodeSpec>): NodeSpec => ({ name, transport: 'ssh', ...extra }) as NodeSpec;

describe('apply refuses a bootstrap on a local dir standing in for a node', () => {
  it('names the node and its dir, whatever else the plan holds', () => {
    const p = plan([
      ['node02', [dirAction]],
      ['bare5', [boot]],
    ]);
    expect(() => refuseStandInBootstrap(p, [spec('node02', { transport: 'local', root: '/d/node02' }), spec('bare5', { transport: 'local', root: '/d/bare5' })])).toThrow(
      /^bare5: a local dir \(root: \/d\/bare5\) can only be bootstrapped over SSH: its installs would run on this machine; nothing applied on any node/,
    );
  });

  it('lets through a local dir without bootstrap actions and an SSH node with them', () => {
    const p = plan([
      ['node02', [dirAction]],
      ['node05', [boot]],
    ]);
    expect(() => refuseStandInBootstrap(p, [spec('node02', { transport: 'local', root: '/d/node02' }), spec('node05', { host: '10.0.0.15' })])).not.toThrow();
  });

  it('a local node without root: (the machine itself, programs and all) is not a stand-in', () => {
    expect(() => refuseStandInBootstrap(plan([['self', [boot]]]), [spec('self', { transport: 'local' })])).not.toThrow();
  });
});
