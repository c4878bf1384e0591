import type { SectionValue } from '../domain/actions.js';
import { mergeConfigText, type MergeResult } from './merge.js';

/** What a node without a config file starts from. */
export const EMPTY_CONFIG = '{\n}\n';

/** The one merge both the planner (to show) and the executor (to write) run: same input, same bytes. */
export function mergedText(current: string | null, sections: SectionValue[]): MergeResult {
  return mergeConfigText(current ?? EMPTY_CONFIG, sections);
}
