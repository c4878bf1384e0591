import type { BootstrapOp } from '../../domain/actions.js';
import { addAgent } from './add-agent.js';
import { createUser } from './create-user.js';
import { installOpenclaw } from './install-openclaw.js';
import { installRuntime } from './install-runtime.js';
import { installService } from './install-service.js';
import type { BootOp } from './op.js';
import { openclawSetup } from './openclaw-setup.js';
import { startService } from './start-service.js';

/** Every bootstrap operation, keyed by its `op`: one missing is a compile error. */
export const BOOT_OPS: { readonly [K in BootstrapOp['op']]: BootOp<K> } = {
  'create-user': createUser,
  'install-runtime': installRuntime,
  'install-openclaw': installOpenclaw,
  'openclaw-setup': openclawSetup,
  'add-agent': addAgent,
  'install-service': installService,
  'start-service': startService,
};

export function bootOpFor(op: string): BootOp<BootstrapOp['op']> | undefined {
  return (BOOT_OPS as Record<string, BootOp<BootstrapOp['op']>>)[op];
}
