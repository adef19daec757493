import { type Document, type LineCounter, isMap, isScalar, isSeq, type Node } from 'yaml';

export type PathSegment = string | number;

/** `rules[1].projects.web-prd`; other keys are quoted: `projects["*"]`, `projects["a.b"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-][A-Za-z0-9_:-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * The 1-based line of a path in a parsed document: the line of the last map key found on the way (so a value
 * and its key report the key's line), a sequence item's own line, or the deepest existing parent when the path
 * names something missing.
 */
export function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PathSegment[]): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return Math.max(1, lineCounter.linePos(offset).line);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
