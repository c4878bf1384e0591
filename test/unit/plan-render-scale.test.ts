// Issue 15: plans people can read at fleet scale: alike nodes grouped, findings in a banner next to the
// summary and counted, the Markdown keeping every node's verdict under GitHub's limit.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/domain/actions.js';
import type { NodePlan, Plan } from '../../src/domain/plan.js';
import { MARKDOWN_LIMIT, renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { groupPlans, nodeRanges } from '../../src/render/plan-groups.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { PLAIN } from '../../src/terminal/style.js';

const hex = (n: number) => n.toString(16).padStart(64, '0');

/** A node02-like plan: 3 links (its own dir digests and entries), one config merge whose context names the node. */
function nodePlan(node: string, i: number, opts: { added?: string; warn?: string; error?: string } = {}): NodePlan {
  const links: Action[] = ['memory', 'media', 'logs'].map((d) => ({
    type: 'link',
    id: `link:/root/.openclaw/${d}`,
    path: `/root/.openclaw/${d}`,
    target: `/openclaw-data/${d}`,
    expect: { kind: 'dir', digest: hex(i * 7 + d.length) },
    reason: 'r',
    items: [d],
    copy: [`${node}-${d}.log`],
    same: [],
  }));
  const added = opts.added ?? 'logging';
  const config: Action = {
    type: 'merge-config',
    id: 'config:/root/.openclaw/openclaw.json',
    path: '/root/.openclaw/openclaw.json',
    expect: { kind: 'file', sha256: hex(i) },
    reason: 'r',
    items: ['logs'],
    sections: [{ path: [added], value: { level: 'info' } }],
    afterSha256: hex(i + 1000),
    diff: `--- a\n+++ b\n@@ -1,3 +1,4 @@\n {\n   "name": "${node}",\n+  "${added}": { "level": "info" },\n }\n`,
    added: [added],
    mode: 0o600,
  };
  const diagnostics = [
    ...(opts.warn ? [{ severity: 'warning' as const, node, path: '/root/.openclaw/agents/main', message: opts.warn }] : []),
    ...(opts.error ? [{ severity: 'error' as const, node, message: opts.error }] : []),
  ];
  return { node, baseline: 'openclaw-classic', paths: { home: '/root', dataRoot: '/openclaw-data', attic: '/root/.openclaw/.clawfleet', stateDir: '/openclaw-data/.clawfleet' }, protected: [], actions: opts.error ? [] : [...links, config], diagnostics };
}

function fleet(nodes: NodePlan[]): Plan {
  return { format: 'clawfleet-plan', version: 1, createdAt: '2026-01-01T00:00:00.000Z', baselines: [{ name: 'openclaw-classic', sha256: hex(1) }], inventory: { path: 'inventory.yaml', sha256: hex(2) }, nodes };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `node${String(i + 1).padStart(2, '0')}`);

/** t440 with a credential warning, node02–node80 alike, node03 with a different change. */
function eighty(): Plan {
  return fleet([nodePlan('t440', 0, { warn: 'CREDENTIALS: orphan holds agent/auth-profiles.json' }), ...names(80).slice(1).map((n, i) => nodePlan(n, i + 1, n === 'node03' ? { added: 'browser' } : {}))]);
}

describe('node ranges', () => {
  it.each([
    [['node05', 'node06', 'node07', 'node08'], 'node05–node08'],
    [['node05', 'node06'], 'node05, node06'],
    [['node01', 'node02', 'node03', 'node05', 'web1', 'web2', 'web3', 'db'], 'node01–node03, node05, web1–web3, db'],
    [['n9', 'n10', 'n11'], 'n9–n11'],
    [['n09', 'n10', 'n11'], 'n09–n11'],
    [['n099', 'n100', 'n0101'], 'n099, n100, n0101'],
  ])('%j → %s', (list, text) => {
    expect(nodeRanges(list)).toBe(text);
  });
});

describe('text plan at fleet scale', () => {
  it('groups nodes with the same changes (their own digests and entries aside), not nodes with other changes', () => {
    const groups = groupPlans(eighty().nodes);
    expect(groups.map((g) => [g.first.node, g.same.length])).toEqual([
      ['t440', 0],
      ['node02', 77],
      ['node03', 0],
    ]);
  });

  it('reads in a screen: the alike nodes in one line, the warning in a banner next to the counted summary', () => {
    const text = renderPlanText(eighty(), PLAIN, { diffs: true });
    const lines = text.trimEnd().split('\n');
    expect(text).toContain('node04–node80: same 4 changes as node02 (77 nodes)');
    expect(lines.length).toBeLessThan(60);
    // from the banner to the end: one screen, with the warning in it and counted in the summary
    const banner = lines.findIndex((l) => /^0 errors, 1 warning:$/.test(l));
    expect(banner).toBeGreaterThan(0);
    const tail = lines.slice(banner);
    expect(tail.length).toBeLessThanOrEqual(24);
    expect(tail[1]).toBe('  warning: t440: /root/.openclaw/agents/main: CREDENTIALS: orphan holds agent/auth-profiles.json');
    expect(tail.at(-1)).toBe('Plan: 320 changes on 80 nodes, 0 up to date, 0 with errors. 1 warning (above).');
  });

  it('a finding shared by grouped nodes is listed once with its nodes, and counted per node', () => {
    const plan = fleet(names(12).map((n, i) => nodePlan(n, i, { error: 'unreachable: connection refused' })));
    const text = renderPlanText(plan, PLAIN);
    expect(text).toContain('node02–node12: cannot be planned either, like node01 (11 nodes)');
    expect(text).toContain('12 errors, 0 warnings:\n  error: node01–node12: unreachable: connection refused\n');
    expect(text).toMatch(/Plan: 0 changes on 0 nodes, 0 up to date, 12 with errors\. 12 errors \(above\)\.\n$/);
  });
});

describe('Markdown plan at fleet scale', () => {
  it('80 nodes: every verdict, the warning banner and the diffs, far under the limit', () => {
    const md = renderPlanMarkdown(eighty());
    expect(md.length).toBeLessThan(MARKDOWN_LIMIT / 4);
    expect(md).toContain('| node02, node04–node80 (78) | 4 | 0 | 0 | memory, media, logs |');
    expect(md).toContain('| t440 | 4 | 0 | 1 |');
    expect(md).toContain('### ⚠️ 0 errors, 1 warning\n\n- ⚠️ warning: t440: `/root/.openclaw/agents/main`: CREDENTIALS');
    expect(md).toContain('```diff');
    expect(md).not.toContain('Truncated');
  });

  it('400 different nodes: still under the limit, every node named in the table, sections cut with a note', () => {
    const plan = fleet(Array.from({ length: 400 }, (_, i) => nodePlan(`n${i}`, i, { added: `section${i}` })));
    const md = renderPlanMarkdown(plan);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    for (let i = 0; i < 400; i++) expect(md).toContain(`| n${i} | 4 |`);
    expect(md).toMatch(/Truncated: \d+ node sections not shown .* every node's verdict is in the table above/);
  });
});
