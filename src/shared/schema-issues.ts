/** A schema's issues as lines, every one of them (`path: message`; `root` names where the path is empty). */
export function schemaIssueLines(issues: readonly { path: readonly PropertyKey[]; message: string }[], root = '(root)'): string[] {
  return [...new Set(issues.map((i) => `${i.path.map(String).join('.') || root}: ${i.message}`))];
}
