// Commits written straight into object directories as loose objects, for benchmarks that need
// thousands of them: the objects a small push leaves on a server (receive-pack unpacks a pack of
// fewer than transfer.unpackLimit objects) and a small fast-import leaves in a clone, with
// core.looseCompression's default (zlib level 1), without a git process per commit. Only files
// the tree already has may change (no file is added or removed).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

interface TreeEntry {
  tree: boolean;
  id: string;
}

const parentOf = (dir: string): string => dir.slice(0, Math.max(0, dir.lastIndexOf('/')));
const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const depth = (dir: string): number => (dir === '' ? 0 : dir.split('/').length);

export class LooseCommits {
  /** Every directory of the tree (the root is ''), its entries by name. */
  private readonly dirs = new Map<string, Map<string, TreeEntry>>([['', new Map()]]);

  /** The tree of `commit` in `repo`, to write its successors into `objectDirs`. */
  constructor(
    repo: string,
    commit: string,
    private readonly objectDirs: readonly string[],
  ) {
    const listing = execFileSync('git', ['-C', repo, 'ls-tree', '-r', '-t', '-z', '--full-tree', commit], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const record of listing.split('\0')) {
      if (record === '') continue;
      const tab = record.indexOf('\t');
      const [, type, id] = record.slice(0, tab).split(' ');
      const path = record.slice(tab + 1);
      if (type === 'tree') this.dirs.set(path, new Map());
      this.dirs.get(parentOf(path))!.set(baseName(path), { tree: type === 'tree', id: id! });
    }
  }

  /** Writes a commit on `parent` with these files replaced; returns its id. */
  commit(parent: string, files: Iterable<[string, string]>, seconds: number, message: string): string {
    const dirty = new Set<string>();
    for (const [path, text] of files) {
      const dir = path.includes('/') ? parentOf(path) : '';
      const entries = this.dirs.get(dir);
      if (!entries?.has(baseName(path))) throw new Error(`${path} is not in the tree: LooseCommits only replaces files`);
      entries.set(baseName(path), { tree: false, id: this.write('blob', Buffer.from(text, 'utf8')) });
      for (let d = dir; ; d = parentOf(d)) {
        dirty.add(d);
        if (d === '') break;
      }
    }
    let root = '';
    // Deepest first: a tree is written after the trees it holds.
    for (const dir of [...dirty].sort((a, b) => depth(b) - depth(a))) {
      const id = this.write('tree', treeBody(this.dirs.get(dir)!));
      if (dir === '') root = id;
      else this.dirs.get(parentOf(dir))!.set(baseName(dir), { tree: true, id });
    }
    const who = `Ferry <ferry@localhost> ${seconds} +0000`;
    return this.write('commit', Buffer.from(`tree ${root}\nparent ${parent}\nauthor ${who}\ncommitter ${who}\n\n${message}\n`, 'utf8'));
  }

  private write(type: string, body: Buffer): string {
    const header = Buffer.from(`${type} ${body.length}\0`, 'latin1');
    const id = createHash('sha1').update(header).update(body).digest('hex');
    const data = deflateSync(Buffer.concat([header, body]), { level: 1 });
    for (const objects of this.objectDirs) {
      mkdirSync(join(objects, id.slice(0, 2)), { recursive: true });
      try {
        writeFileSync(join(objects, id.slice(0, 2), id.slice(2)), data, { flag: 'wx', mode: 0o444 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return id;
  }
}

/** Git's tree format, entries in Git's order (a directory sorts as if its name ended in "/"). */
function treeBody(entries: Map<string, TreeEntry>): Buffer {
  const key = ([name, entry]: [string, TreeEntry]): string => (entry.tree ? `${name}/` : name);
  const sorted = [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return Buffer.concat(sorted.flatMap(([name, entry]) => [Buffer.from(`${entry.tree ? '40000' : '100644'} ${name}\0`, 'utf8'), Buffer.from(entry.id, 'hex')]));
}
