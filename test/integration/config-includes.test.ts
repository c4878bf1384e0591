// `$include` on the local transport: a section counts as present only when the included file (read on the
// node, confined to the config dir, no symlink on the way) really defines it; what cannot be read that way
// is reported and treated as present, as before.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MergeConfigAction } from '../../src/domain/actions.js';
import { mergedText } from '../../src/json5-editor/merged-text.js';
import { gatherFacts } from '../../src/facts/gather.js';
import { BUILTIN_PLANS, loadBaseline } from '../../src/inventory/load-baseline.js';
import { planNode } from '../../src/planner/plan-node.js';
import { LocalNode } from '../../src/transport/local.js';
import { nodeSpec } from '../helpers/plan-builders.js';

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function planWith(files: Record<string, string | { link: string }>) {
  dir = await mkdtemp(join(tmpdir(), 'clawfleet-include-'));
  const oc = join(dir, 'root/.openclaw');
  await mkdir(join(oc, 'agents/alpha'), { recursive: true });
  await mkdir(join(dir, 'openclaw-data'), { recursive: true });
  for (const [rel, v] of Object.entries(files)) {
    await mkdir(join(oc, rel, '..'), { recursive: true });
    if (typeof v === 'string') await writeFile(join(oc, rel), v);
    else await symlink(v.link, join(oc, rel));
  }
  const { baseline } = await loadBaseline('openclaw-classic', [BUILTIN_PLANS]);
  const node = nodeSpec({ transport: 'local', root: dir, baseline: 'openclaw-classic' });
  const reader = new LocalNode({ node: 'n1', root: dir, home: '/root' });
  const { facts, layout } = await gatherFacts(reader, node, baseline);
  const plan = planNode({ baseline, node, facts, layout });
  const merge = plan.actions.find((a): a is MergeConfigAction => a.type === 'merge-config');
  return { plan, merge, facts, before: facts.config.text };
}

const META = 'meta: { lastTouchedVersion: "2026.5.28" }';

describe('$include', () => {
  it('a root-level $include no longer makes every section present: only what the included file defines is', async () => {
    const { plan, merge, before } = await planWith({
      'openclaw.json': `{ "$include": "./base.json5", ${META} }\n`,
      'base.json5': '{ logging: { level: "debug" }, tools: { profile: "coding" } }\n',
    });
    expect(merge).toBeDefined();
    // logging comes from base.json5 (its absent keys are added beside the include); tools.media, memory
    // search and browser are nowhere: added.
    expect(merge!.added).toEqual(expect.arrayContaining(['agents', 'tools.media', 'browser', 'logging.file']));
    expect(merge!.added).not.toContain('logging.level');
    expect(merge!.added).not.toContain('logging');
    // the plan carries key paths of the include, never its values; the apply-time merge is the same
    expect(JSON.stringify(merge!.sections)).not.toMatch(/debug|coding/);
    const again = mergedText(before, merge!.sections);
    expect(again.added).toEqual(merge!.added);
    expect(plan.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });

  it('a section the included file defines counts as present (nested include, section-level include)', async () => {
    const { merge, plan } = await planWith({
      'openclaw.json': `{ ${META}, tools: { $include: "./conf/tools.json5" }, agents: { defaults: { memorySearch: { enabled: true } } }, logging: { level: "info", file: "/x", maxFileBytes: 1, consoleLevel: "warn", consoleStyle: "pretty" }, browser: { enabled: true, headless: true, noSandbox: true, defaultProfile: "openclaw" } }\n`,
      'conf/tools.json5': '{ $include: "./media.json5" }\n',
      'conf/media.json5': '{ media: { concurrency: 1, image: { enabled: false }, audio: { enabled: true }, video: { enabled: false } } }\n',
    });
    expect(merge).toBeUndefined();
    expect(plan.diagnostics.filter((d) => d.severity === 'warning' || d.severity === 'error')).toEqual([]);
  });

  it('an include that leaves the config dir, or goes through a symlink, is not read: warned, treated as present', async () => {
    for (const [name, files] of [
      ['outside', { 'openclaw.json': `{ ${META}, "$include": "../../etc/base.json5" }\n` }],
      ['symlink', { 'openclaw.json': `{ ${META}, "$include": "./inc/base.json5" }\n`, 'real/base.json5': '{}', inc: { link: 'real' } }],
      ['missing', { 'openclaw.json': `{ ${META}, "$include": "./nope.json5" }\n` }],
    ] as const) {
      const { merge, plan } = await planWith(files as Record<string, string | { link: string }>);
      expect(merge, name).toBeUndefined();
      const w = plan.diagnostics.find((d) => d.severity === 'warning' && /\$include at the root cannot be read as OpenClaw confines it/.test(d.message));
      expect(w?.message, name).toMatch(name === 'outside' ? /leaves the config dir/ : name === 'symlink' ? /inc is a symlink/ : /nope\.json5 does not exist/);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
