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

/** `pathBase(path) === expected` without building the base string. */
export function pathBaseEquals(path: string, expected: string): boolean {
  if (path === '') return expected === '.';
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  if (end === 0) return expected === '/';
  const start = path.lastIndexOf('/', end - 1) + 1;
  return end - start === expected.length && path.startsWith(expected, start);
}

export function pathDir(path: string): string {
  const lastSlash = path.lastIndexOf('/');
  return pathClean(path.slice(0, lastSlash + 1));
}

export function pathClean(path: string): string {
  if (path === '') return '.';
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
