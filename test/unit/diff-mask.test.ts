// Issue 11, item 4: the config diff's context lines show key paths and structure, never a value the node
// wrote; the values clawfleet adds (the baseline's, checked at load) read in full.
import { describe, expect, it } from 'vitest';
import type { MergeConfigAction } from '../../src/domain/actions.js';
import { planNode } from '../../src/planner/plan-node.js';
import { MASK, maskConfigValues, safeValues } from '../../src/shared/mask-config.js';
import { converged, MINI_CONFIG_FULL } from '../helpers/plan-builders.js';

const NODE_TEXT = `// ops: root pw is Winter2026!
{
  gateway: { auth: { mode: "token", token: 'tok-9f8e7d6c' }, port: 18789 },
  "x-custom header": "Bearer abc.def.ghi",
  hooks: ["https://discord.com/api/webhooks/123456/abcdefghijklmnopqrstuvwxyz"],
  /* legacy:
     password = hunter2 */
  long: "first half \\
second half",
  enabled: true, nothing: null, env: "\${OPENCLAW_GATEWAY_TOKEN}",
}
`;

describe('maskConfigValues', () => {
  const out = maskConfigValues(NODE_TEXT, new Set());

  it('masks every string, number and comment text; keeps keys, punctuation, booleans, null and ${VAR}', () => {
    for (const secret of ['Winter2026', 'tok-9f8e7d6c', 'abc.def.ghi', 'abcdefghijklmnop', 'hunter2', 'first half', 'second half', '18789', '"token"']) expect(out).not.toContain(secret);
    for (const kept of ['gateway: { auth: { mode:', 'token:', '"x-custom header":', 'enabled: true', 'nothing: null', 'env: "${OPENCLAW_GATEWAY_TOKEN}"', '/* ', '// ']) expect(out).toContain(kept);
    expect(out).toContain(`port: ${MASK} }`);
  });

  it('keeps the line structure, so hunk line numbers stay true', () => {
    expect(out.split('\n')).toHaveLength(NODE_TEXT.split('\n').length);
  });

  it('shows the values known to be safe', () => {
    const safe = safeValues([{ mode: 'token', port: 18789 }]);
    const shown = maskConfigValues(NODE_TEXT, safe);
    expect(shown).toContain('mode: "token"');
    expect(shown).toContain('port: 18789');
    expect(shown).not.toContain('tok-9f8e7d6c');
  });
});

describe('the planned diff', () => {
  it('masks the context lines and shows the added section in full', () => {
    const text = MINI_CONFIG_FULL.replace('  logging: { level: "info", file: "/openclaw-data/logs/openclaw.log" },\n', '  auth: { pin: 4711, "api.key": "k-5f4e3d2c1b" },\n');
    const p = planNode(converged({ config: text }).build());
    const diff = (p.actions.find((a) => a.type === 'merge-config') as MergeConfigAction).diff;
    expect(diff).toContain('auth: { pin: «…», "api.key": "«…»" },');
    expect(diff).toContain('+  "logging": {');
    expect(diff).toContain('"file": "/openclaw-data/logs/openclaw.log"');
    expect(diff).not.toMatch(/4711|k-5f4e3d2c1b/);
  });
});
