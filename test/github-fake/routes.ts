// Matches a request's method and path to an operation of the subset by its path template.
import { OPERATIONS, type Operation } from './openapi.js';

export interface Route {
  operation: Operation;
  /** Path parameters, percent-decoded. */
  pathParameters: Record<string, string>;
}

interface CompiledRoute {
  operation: Operation;
  pattern: RegExp;
  names: string[];
  /** Characters of the template outside parameters: the more, the more specific the route. */
  literalLength: number;
}

// A Git ref may hold slashes. Octokit percent-encodes them (heads%2Fmain), but GitHub also
// accepts them raw (heads/main), so `ref` alone may span segments.
const MULTI_SEGMENT = new Set(['ref']);

function compile(operation: Operation): CompiledRoute {
  const names: string[] = [];
  const source = operation.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
    names.push(name);
    return MULTI_SEGMENT.has(name) ? '(.+)' : '([^/]+)';
  });
  return { operation, pattern: new RegExp(`^${source}$`), names, literalLength: operation.path.replace(/\{[^}]+\}/g, '').length };
}

const ROUTES = OPERATIONS.map(compile).sort((a, b) => b.literalLength - a.literalLength);

/** The operation a request addresses, or undefined when the subset has none for it. */
export function findRoute(method: string, pathname: string): Route | undefined {
  for (const route of ROUTES) {
    if (route.operation.method !== method) continue;
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    try {
      route.names.forEach((name, index) => { pathParameters[name] = decodeURIComponent(match[index + 1]!); });
    } catch {
      continue;
    }
    return { operation: route.operation, pathParameters };
  }
  return undefined;
}
