import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { configText, demoKey, type ScenarioNode } from './scenario-data.js';

/**
 * Writes one scenario node into a host dir that stands in for the node's `/` (home /root). Used by the
 * demo and the tests; it creates fixtures, it is not a way to change a managed node.
 * Symlinks hold the node's own paths (`/openclaw-data/…`), byte for byte what a real node holds; `linkText`
 * may turn them into something else.
 */
export async function seedNode(rootDir: string, n: ScenarioNode, linkText: (nodePath: string) => string = (p) => p): Promise<void> {
  const home = `${rootDir}/root/.openclaw`;
  const data = `${rootDir}/openclaw-data`;
  const file = async (p: string, text: string, mode = 0o644) => {
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, text, { mode });
    await chmod(p, mode);
  };
  const dir = (p: string) => mkdir(p, { recursive: true });
  await dir(`${rootDir}/root`);
  await chmod(`${rootDir}/root`, 0o700);
  await dir(home);
  await chmod(home, 0o700);
  await dir(data);
  await file(`${home}/openclaw.json`, configText(n), 0o600);
  await file(`${home}/channels.json5`, '{ telegram: { enabled: false } }\n', 0o600);

  // Global data dirs: real dirs with real data, or links into /openclaw-data already.
  const globals: Record<string, Record<string, string>> = {
    memory: Object.fromEntries(n.agents.slice(0, 3).map((a) => [`${a}.sqlite`, `SQLite format 3\0 index of ${a}\n`])),
    media: { 'inbound/photo-0001.jpg': '\xff\xd8\xff demo jpeg\n', 'outbound/voice-0001.ogg': 'OggS demo\n' },
    logs: { 'audit.jsonl': '{"event":"start"}\n', 'health.json': '{"ok":true}\n' },
    browser: { 'openclaw/user-data/Default/Preferences': '{"profile":{"name":"openclaw"}}\n' },
  };
  for (const [name, files] of Object.entries(globals)) {
    const base = n.linked ? `${data}/${name}` : `${home}/${name}`;
    await dir(base);
    for (const [rel, text] of Object.entries(files)) await file(`${base}/${rel}`, text);
    if (n.linked) await symlink(linkText(`/openclaw-data/${name}`), `${home}/${name}`);
  }

  for (const a of [...n.agents, ...n.orphans]) {
    const agentDir = `${home}/agents/${a}`;
    const creds = { version: 1, profiles: { 'anthropic:default': { type: 'api_key', provider: 'anthropic', key: demoKey(n.name, a) } } };
    if (!(a === 'child-learning')) await file(`${agentDir}/agent/auth-profiles.json`, JSON.stringify(creds, null, 2) + '\n', 0o600);
    await file(`${agentDir}/agent/models.json`, '{ "providers": {} }\n', 0o600);
    const orphan = n.orphans.includes(a);
    const sessionsBase = n.linked && !orphan ? `${data}/agents/${a}/sessions` : `${agentDir}/sessions`;
    const memoryBase = n.linked && !orphan ? `${data}/agents/${a}/memory` : `${agentDir}/memory`;
    await file(`${sessionsBase}/sessions.json`, JSON.stringify({ [`agent:${a}:main`]: { sessionId: `s-${a}-1` } }) + '\n', 0o600);
    await file(`${sessionsBase}/s-${a}-1.jsonl`, `{"type":"message","role":"user","text":"hello from ${n.name}/${a}"}\n`, 0o600);
    await file(`${memoryBase}/notes.md`, `# ${a} on ${n.name}\n- remembers things\n`);
    if (n.linked && !orphan) {
      await symlink(linkText(`/openclaw-data/agents/${a}/sessions`), `${agentDir}/sessions`);
      await symlink(linkText(`/openclaw-data/agents/${a}/memory`), `${agentDir}/memory`);
    }
  }
}
