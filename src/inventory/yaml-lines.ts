import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';

/** Line numbers of keys in a YAML text that already passed its schema (for errors naming file, line and key). */
export class YamlLines {
  private readonly lc = new LineCounter();
  private readonly doc: Document;

  constructor(text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lc, prettyErrors: false });
  }

  /** The line of the last key of `path` (or of the nearest ancestor that exists), or null. */
  lineOf(path: (string | number)[]): number | null {
    for (let n = path.length; n > 0; n--) {
      const parent = n === 1 ? this.doc.contents : this.doc.getIn(path.slice(0, n - 1), true);
      const key = path[n - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        if (pair && isNode(pair.key) && pair.key.range) return this.lc.linePos(pair.key.range[0]).line;
      }
      const node = this.doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return this.lc.linePos(node.range[0]).line;
    }
    return null;
  }
}

/** `nodes.node02.dataRoot`, `config.sections[2].value.token` */
export function keyPath(path: (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}
