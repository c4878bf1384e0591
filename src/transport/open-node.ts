import { ClawError } from '../domain/errors.js';
import type { NodeSpec } from '../domain/inventory.js';
import { LocalNode } from './local.js';
import type { NodeWriter } from './types.js';

export interface ConnectOptions {
  trustNewHostKeys?: boolean;
  connectTimeoutMs?: number;
  knownHostsFiles?: string[];
  sshConfigPath?: string;
}

/** Opens the transport a node's inventory entry names. */
export async function openNode(spec: NodeSpec, opts: ConnectOptions = {}): Promise<NodeWriter> {
  if (spec.transport === 'local') {
    return new LocalNode({ node: spec.name, root: spec.root!, ...(spec.home ? { home: spec.home } : {}) });
  }
  void opts;
  throw new ClawError('TRANSPORT', 'ssh transport not available yet', { node: spec.name });
}
