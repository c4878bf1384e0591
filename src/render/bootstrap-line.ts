import type { BootstrapAction } from '../domain/actions.js';

const asUser = (user: string | undefined): string => (user === undefined ? '' : ` as ${user}`);

/** What a bootstrap action does, in one line for the plan (text and Markdown): commands as the node runs them. */
export function bootstrapWhat(a: BootstrapAction): { label: string; detail: string } {
  const b = a.boot;
  switch (b.op) {
    case 'create-user':
      return { label: 'user', detail: `useradd --system ${b.user}, uid and gid ${b.id}, home ${b.home} (the gateway's user; a rollback leaves it)` };
    case 'install-runtime':
      return { label: 'runtime', detail: `Node.js pushed from ${b.from} (this machine)` };
    case 'install-openclaw':
      return { label: 'openclaw', detail: `OpenClaw ${b.version} ${b.source === 'push' ? `pushed from ${b.from ?? '?'} (this machine)` : 'by npm on the node'}, command ${b.wrapper}` };
    case 'openclaw-setup':
      return { label: 'setup', detail: `openclaw onboard --non-interactive${asUser(b.runAs)} (no credentials, no daemon)` };
    case 'add-agent':
      return { label: 'agent', detail: `openclaw agents add ${b.agentId}${asUser(b.runAs)} (workspace ${b.workspace}; no credentials: add them yourself)` };
    case 'install-service':
      return { label: 'service', detail: 'systemd unit for `openclaw gateway run`' };
    case 'start-service':
      return { label: 'start', detail: b.systemd ? 'systemctl enable --now openclaw-gateway, then its health check' : `${b.command ?? '?'}${asUser(b.runAs)}, then its health check` };
  }
}

export const IRREVERSIBLE = 'cannot be undone';
