import { readdirSync } from 'node:fs';

/** The newest run id recorded on a local node dir. */
export function lastRunId(root: string): string {
  const runs = readdirSync(`${root}/openclaw-data/.clawfleet/runs`).sort();
  return runs[runs.length - 1]!;
}
