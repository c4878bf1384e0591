/** The reference scenario as data: four nodes on OpenClaw's classic shape (2026.5.28). */

export const T440_AGENTS = [
  'assistant', 'coder', 'researcher', 'writer', 'translator', 'scheduler', 'analyst', 'support',
  'ops', 'sales', 'legal', 'finance', 'hr', 'design', 'tutor',
];

export interface ScenarioNode {
  name: string;
  agents: string[];
  /** Agent dirs present on the node but not in the inventory. */
  orphans: string[];
  /**
   * Orphans that hold credentials and that the operator decided, by hand, to quarantine anyway: the
   * inventory names them under quarantineAgents (clawfleet never moves such a dir by default).
   */
  quarantine: string[];
  /** Which of the four config sections the node already has. */
  sections: ('memory' | 'media' | 'logs' | 'browser')[];
  /** Whether ~/.openclaw/{memory,media,logs,browser} and agent dirs already are links into /openclaw-data. */
  linked: boolean;
}

export const SCENARIO: ScenarioNode[] = [
  { name: 't440', agents: T440_AGENTS, orphans: ['main', 'child-learning'], quarantine: ['main', 'child-learning'], sections: ['memory', 'media', 'logs', 'browser'], linked: true },
  { name: 'node02', agents: ['assistant', 'coder', 'researcher'], orphans: [], quarantine: [], sections: [], linked: false },
  { name: 'node03', agents: ['assistant', 'writer', 'ops'], orphans: [], quarantine: [], sections: ['memory'], linked: true },
  { name: 'node04', agents: ['assistant', 'support', 'analyst', 'tutor'], orphans: [], quarantine: [], sections: [], linked: false },
];

export const OPENCLAW_VERSION = '2026.5.28';

/** A fake key per agent: shaped like a real one so redaction is exercised, never a real secret. */
export function demoKey(node: string, agent: string): string {
  const tail = Buffer.from(`${node}:${agent}:clawfleet-demo-key`).toString('base64url');
  return `sk-ant-api03-DEMO${tail}`;
}

/** The classic-shape config text of a node, with the comments and $include real configs carry. */
export function configText(n: ScenarioNode): string {
  const has = (s: ScenarioNode['sections'][number]) => n.sections.includes(s);
  const lines = [
    '// OpenClaw config for ' + n.name + ' (hand-edited; keep the comments)',
    '{',
    '  meta: { lastTouchedVersion: "' + OPENCLAW_VERSION + '", lastTouchedAt: "2026-10-30T16:02:11.000Z" },',
    '  gateway: {',
    '    mode: "local",',
    '    port: 18789,',
    '    // auth token comes from the environment',
    '    auth: { mode: "token", token: "${OPENCLAW_GATEWAY_TOKEN}" },',
    '  },',
    '  agents: {',
    '    defaults: {',
    '      model: { primary: "anthropic/claude-sonnet-4-5" },',
    has('memory') ? '      memorySearch: { enabled: true, provider: "local" }, // tuned by hand' : null,
    '    },',
    '    list: [',
    ...n.agents.map((a) => `      { id: "${a}" },`),
    '    ],',
    '  },',
    has('media') || has('logs') || has('browser') ? null : '  channels: { $include: "./channels.json5" },',
    '  tools: {',
    '    profile: "coding",',
    has('media') ? '    media: { concurrency: 4, image: { enabled: true }, audio: { enabled: true }, video: { enabled: true } }, // video on here' : null,
    '  },',
    has('logs')
      ? '  logging: { level: "debug", file: "/openclaw-data/logs/openclaw.log", maxFileBytes: 52428800, consoleLevel: "warn", consoleStyle: "compact" },'
      : null,
    has('browser') ? '  browser: { enabled: true, headless: false, noSandbox: true, defaultProfile: "openclaw" },' : null,
    '}',
    '',
  ];
  return lines.filter((l): l is string => l !== null).join('\n');
}
