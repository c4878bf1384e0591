import { escapeControl } from './escape.js';
import { redactText } from '../shared/redact.js';

/** One line of free text for a human (an error, a journal's field, a lock holder): redacted, then escaped. */
export function safeLine(text: string): string {
  return escapeControl(redactText(text));
}
