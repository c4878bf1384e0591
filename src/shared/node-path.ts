/** A node path's parent (`/a/b` → `/a`, `/a` → `/`) and last component: absolute paths as the node names them. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
