// Go's path/filepath Base, Dir and Clean on a Unix system (separator "/"), as
// migration-manager's path_base() and path_dir() call them.

export function pathBase(path: string): string {
  if (path === '') return '.';
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  const start = path.lastIndexOf('/', end - 1) + 1;
  if (end === 0) return '/';
  return path.slice(start, end);
}

/** `pathBase(path)` or `pathDir(path)` compared with a text, without building it: its length and whether it equals the text. */
export interface PathComparison {
  length: number;
  equal: boolean;
}

/** Fills `into` with `pathBase(path) === expected` and `pathBase(path).length`. */
export function comparePathBase(path: string, expected: string, into: PathComparison): void {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  if (path === '' || end === 0) {
    const base = path === '' ? '.' : '/';
    into.length = 1;
    into.equal = expected === base;
    return;
  }
  const start = path.lastIndexOf('/', end - 1) + 1;
  into.length = end - start;
  into.equal = end - start === expected.length && path.startsWith(expected, start);
}

export function pathDir(path: string): string {
  const lastSlash = path.lastIndexOf('/');
  return pathClean(path.slice(0, lastSlash + 1));
}

/** Fills `into` with `pathDir(path) === expected` and its length, building no string when the directory part is already clean. */
export function comparePathDir(path: string, expected: string, into: PathComparison): void {
  const lastSlash = path.lastIndexOf('/');
  if (lastSlash > 0 && isClean(path, lastSlash)) {
    into.length = lastSlash;
    into.equal = lastSlash === expected.length && path.startsWith(expected);
    return;
  }
  const dir = pathDir(path);
  into.length = dir.length;
  into.equal = dir === expected;
}

/** Whether `path.slice(0, end)` is its own Clean: no empty, "." or ".." element, no trailing slash. */
function isClean(path: string, end: number): boolean {
  if (end === 0 || path.charCodeAt(end - 1) === 47) return end === 1 && path.charCodeAt(0) === 47;
  let elementStart = path.charCodeAt(0) === 47 ? 1 : 0;
  for (let i = elementStart; i <= end; i++) {
    if (i < end && path.charCodeAt(i) !== 47) continue;
    const length = i - elementStart;
    if (length === 0) return false;
    if (path.charCodeAt(elementStart) === 46 && (length === 1 || (length === 2 && path.charCodeAt(elementStart + 1) === 46))) return false;
    elementStart = i + 1;
  }
  return true;
}

export function pathClean(path: string): string {
  if (path === '') return '.';
  if (isClean(path, path.length)) return path;
  const rooted = path.charCodeAt(0) === 47;
  const n = path.length;
  const out: string[] = [];
  let r = 0;
  let dotdot = 0;
  if (rooted) {
    out.push('/');
    r = 1;
    dotdot = 1;
  }
  while (r < n) {
    if (path[r] === '/') {
      r++;
    } else if (path[r] === '.' && (r + 1 === n || path[r + 1] === '/')) {
      r++;
    } else if (path[r] === '.' && path[r + 1] === '.' && (r + 2 === n || path[r + 2] === '/')) {
      r += 2;
      if (out.length > dotdot) {
        // Back up over the last element and the slash before it.
        let w = out.length - 1;
        while (w > dotdot && out[w] !== '/') w--;
        out.length = w;
      } else if (!rooted) {
        if (out.length > 0) out.push('/');
        out.push('.', '.');
        dotdot = out.length;
      }
    } else {
      if ((rooted && out.length !== 1) || (!rooted && out.length !== 0)) out.push('/');
      for (; r < n && path[r] !== '/'; r++) out.push(path[r]!);
    }
  }
  return out.length === 0 ? '.' : out.join('');
}
