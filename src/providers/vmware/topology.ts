// The inventory tree above VMs and networks: folders, datacenters, vApps and resource pools, by
// managed object id, so an object's inventory path (`/DC1/vm/web/web-01`, the instance's
// `location`) and its datacenter can be computed. Names stay as vSphere sends them, with `/` and
// `%` escaped (`%2f`, `%25`), so a path splits unambiguously.

import { ProviderError } from '../ports.js';
import type { ObjectContent } from './client.js';
import { moref, str } from './values.js';

export interface Entity {
  id: string;
  type: string;
  name: string;
  /** The object above it in the inventory path (a vApp's folder or parent vApp), or null. */
  parent: string | null;
}

/** The properties each entity type needs, for one RetrievePropertiesEx over a ContainerView. */
export const TOPOLOGY_PROPERTIES = [
  { type: 'Folder', paths: ['name', 'parent'] },
  { type: 'Datacenter', paths: ['name', 'parent'] },
  { type: 'ResourcePool', paths: ['name'] },
  { type: 'VirtualApp', paths: ['parentFolder', 'parentVApp'] },
] as const;

export const TOPOLOGY_TYPES = ['Folder', 'Datacenter', 'ResourcePool'] as const;

export class Topology {
  readonly entities = new Map<string, Entity>();

  constructor(
    /** The root folder's id: where paths start (it is not part of them). */
    readonly root: string,
    objects: readonly ObjectContent[],
  ) {
    for (const object of objects) {
      const props = object.props;
      const parent = moref(props.get('parentFolder')) ?? moref(props.get('parentVApp')) ?? moref(props.get('parent'));
      this.entities.set(object.obj.value, { id: object.obj.value, type: object.obj.type, name: str(props.get('name')) ?? object.obj.value, parent: parent?.value ?? null });
    }
  }

  /** The inventory path of an object whose name and parent are given, or null if its chain is unknown. */
  pathOf(name: string, parent: string | null): string | null {
    const names = [name];
    let current = parent;
    for (let depth = 0; current !== null && current !== this.root; depth++) {
      const entity = this.entities.get(current);
      if (!entity || depth > 256) return null;
      names.push(entity.name);
      current = entity.parent;
    }
    if (current === null) return null;
    return `/${names.reverse().join('/')}`;
  }

  /** The datacenter above an object (given its parent), or null. */
  datacenterOf(parent: string | null): Entity | null {
    let current = parent;
    for (let depth = 0; current !== null && depth <= 256; depth++) {
      const entity = this.entities.get(current);
      if (!entity) return null;
      if (entity.type === 'Datacenter') return entity;
      current = entity.parent;
    }
    return null;
  }

  datacenters(): Entity[] {
    return [...this.entities.values()].filter((e) => e.type === 'Datacenter');
  }

  name(id: string): string | null {
    return this.entities.get(id)?.name ?? null;
  }
}

/**
 * Which datacenters a Source reads. Each pattern is a datacenter's inventory path (the leading
 * `/` optional); `*` matches within one path segment, a trailing `/...` any depth of folders, and
 * `/...` alone every datacenter. A pattern that matches nothing is an error: a typo must not empty
 * the inventory.
 */
export function selectDatacenters(topology: Topology, patterns: readonly string[], host: string): Set<string> {
  const all = topology.datacenters().map((dc) => ({ dc, path: topology.pathOf(dc.name, dc.parent) ?? `/${dc.name}` }));
  const selected = new Set<string>();
  for (const pattern of patterns) {
    const matcher = datacenterMatcher(pattern);
    const matched = all.filter(({ path }) => matcher.test(path));
    if (matched.length === 0 && all.length > 0) {
      throw new ProviderError(
        'unknown-datacenter',
        `datacenters: "${pattern}" matches no datacenter on ${host} (it has ${all.map(({ path }) => path).sort().join(', ')})`,
      );
    }
    for (const { dc } of matched) selected.add(dc.id);
  }
  return selected;
}

function datacenterMatcher(pattern: string): RegExp {
  const trimmed = pattern.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '...' || trimmed === '*' || trimmed === '') return /^/;
  const anyDepth = trimmed.endsWith('/...');
  const body = (anyDepth ? trimmed.slice(0, -4) : trimmed)
    .split('/')
    .map((segment) => segment.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('/');
  return new RegExp(`^/${body}${anyDepth ? '(/.+)?' : ''}$`);
}
