import { diag, type PlanInput, type RuleOutput } from './context.js';
import { compareVersions } from './version.js';

/** OpenClaw moved to the current config shape in this release (see plans/openclaw-current.yaml). */
export const CURRENT_SHAPE_SINCE = '2026.8.1';

/**
 * A node still on the classic shape, planned against a current baseline that retires links: the transition
 * before the upgrade. Only the retired links are turned back into real dirs (what OpenClaw's doctor and update
 * need); the config keeps its shape (the new version's doctor migrates it) and agent dirs move after the upgrade.
 */
export function transitional(input: PlanInput): boolean {
  const v = input.facts.openclawVersion;
  const b = input.baseline;
  const retires = b.retiredLinks.global.length + b.retiredLinks.agent.length > 0;
  return retires && b.openclaw.shape === 'current' && v !== null && v !== undefined && compareVersions(v.version, CURRENT_SHAPE_SINCE) < 0;
}

/** The node's OpenClaw must accept the config shape the baseline writes. */
export function planVersion(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  const { shape, minVersion, maxVersion } = input.baseline.openclaw;
  const v = input.facts.openclawVersion;
  const range = maxVersion ? `${minVersion} – ${maxVersion}` : `≥ ${minVersion}`;
  if (!v) {
    out.diagnostics.push(
      diag(input, 'warning', `OpenClaw version unknown (${input.facts.openclawBinary ? `${input.facts.openclawBinary.path} --version named none` : 'no openclaw binary'}, no meta.lastTouchedVersion): config written for the ${shape} shape (${range}) could not be checked against it`, input.layout.configPath),
    );
    return out;
  }
  const below = compareVersions(v.version, minVersion) < 0;
  const above = maxVersion !== undefined && compareVersions(v.version, maxVersion) > 0;
  if (transitional(input)) {
    out.diagnostics.push(
      diag(input, 'warning', `node runs OpenClaw ${v.version} (from ${v.source}), below baseline "${input.baseline.name}" (${range}): transition plan before the upgrade: only the links OpenClaw ${CURRENT_SHAPE_SINCE}+ refuses are turned back into real dirs; the config keeps its ${compareVersions(v.version, CURRENT_SHAPE_SINCE) < 0 ? 'classic' : 'current'} shape (the new version's \`openclaw doctor --fix\` migrates it) and agent dirs move to the data root once the node runs ${minVersion} or later: plan again after the upgrade`, input.layout.configPath),
    );
    return out;
  }
  if (below || above) {
    const need = compareVersions(v.version, CURRENT_SHAPE_SINCE) >= 0 ? 'current' : 'classic';
    const why = need === shape ? `is outside the versions baseline "${input.baseline.name}" targets (${range})` : `needs the ${need} config shape; baseline "${input.baseline.name}" writes the ${shape} shape (${range})`;
    out.diagnostics.push(diag(input, 'error', `node runs OpenClaw ${v.version} (from ${v.source}), which ${why}`, input.layout.configPath));
  }
  return out;
}
