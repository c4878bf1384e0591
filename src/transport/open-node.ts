import type { NodeSpec } from '../domain/inventory.js';
import { withFailpoints } from './failpoint.js';
import { LocalNode } from './local.js';
import { dataRootOf, withNoFollow } from './no-follow.js';
import type { ConnectOptions as SshConnectOptions } from './ssh/connect.js';
import { SshNode } from './ssh/ssh-node.js';
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
    const local = new LocalNode({ node: spec.name, root: spec.root!, ...(spec.home ? { home: spec.home } : {}) });
    return withFailpoints(withNoFollow(local, dataRootOf(local, spec.dataRoot)));
  }
  const o: SshConnectOptions = { node: spec.name, host: spec.host };
  if (spec.port !== undefined) o.port = spec.port;
  if (spec.user !== undefined) o.user = spec.user;
  if (spec.identity !== undefined) o.identityFiles = [spec.identity];
  if (spec.become !== undefined) o.become = spec.become;
  if (opts.knownHostsFiles) o.knownHostsFiles = opts.knownHostsFiles;
  if (opts.trustNewHostKeys) o.trustNewHostKey = true;
  if (opts.connectTimeoutMs) o.connectTimeoutMs = opts.connectTimeoutMs;
  if (opts.sshConfigPath) o.sshConfigPath = opts.sshConfigPath;
  const node = await SshNode.open(o);
  return withFailpoints(withNoFollow(node, dataRootOf(node, spec.dataRoot)), () => node.conn.client.destroy());
}
