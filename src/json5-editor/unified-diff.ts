import { createTwoFilesPatch } from 'diff';

/** Unified diff (3 lines of context) of a config file, labelled `a/<path>` / `b/<path>`; '' when equal. */
export function configDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, {
    context: 3,
    headerOptions: { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
  });
}
