import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The demo's bare fifth node: an empty dir an SSH node with sshd alone would look like. */
export const NEW_NODE = 'bare5';

/**
 * Its inventory, apart from the fleet's (`apply` on the fleet's inventory must keep converging): a node the
 * inventory bootstraps. Source registry: a dir cannot tell whether the node has npm and Node.js, the plan says
 * so; push would need a real cache of Node.js and OpenClaw on this machine.
 */
export function newNodeInventory(): string {
  return `# A bare node to bootstrap (made by \`clawfleet demo\`): an empty dir standing in for a node with sshd alone.
# \`clawfleet plan -i\` on this file shows what \`apply\` would do over SSH; \`apply\` refuses it, since the
# installs would run on this machine. For a real node: host: instead of transport and root.
version: 1
nodes:
  ${NEW_NODE}:
    transport: local
    root: nodes/${NEW_NODE}
    home: /root
    dataRoot: /openclaw-data
    openclawHome: ~/.openclaw
    baseline: openclaw-current
    agents: [main, coder]
    bootstrap:
      source: registry    # npm on the node installs openclaw@<pin> (push: from a cache on this machine)
`;
}

/** The bare node's inventory in a demo dir. */
export function newNodeInventoryPath(demoDir: string): string {
  return join(demoDir, 'new-node.yaml');
}

/** Writes the bare node's (empty) dir and its inventory under the demo dir. */
export async function createNewNode(demoDir: string): Promise<void> {
  await mkdir(join(demoDir, 'nodes', NEW_NODE), { recursive: true });
  await writeFile(newNodeInventoryPath(demoDir), newNodeInventory());
}
