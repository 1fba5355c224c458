// A sync of a vCenter's inventory. Reads, in order: the inventory tree (folders, datacenters,
// vApps, resource pools), the networks, the custom attribute names and the tags, then the list of
// VMs, then every VM's properties in pages of PAGE VMs, `sync_limit` pages in flight, each within
// `sync_timeout`. Memory stays bounded by the pages in flight, not by the size of the vCenter.

import type { Logger } from 'pino';
import type { NetworkRecord } from '../../engine/status.js';
import type { InstanceRecord } from '../../model/instance.js';
import { ProviderError } from '../ports.js';
import type { ObjectContent, ServiceContent, VimClient } from './client.js';
import { isFault, VimFault } from './faults.js';
import { mapLimit } from '../../util/map-limit.js';
import { mapNetworks, NETWORK_PROPERTIES, NETWORK_TYPES, type SourceNetwork } from './networks.js';
import { selectDatacenters, Topology, TOPOLOGY_PROPERTIES, TOPOLOGY_TYPES } from './topology.js';
import { field, int, items, moref, str, type MoRef } from './values.js';
import { mapVm, VM_PATHS, type MappedVm, type VmContext } from './vm-record.js';

/** VMs per properties request. */
export const PAGE = 100;
/** Objects per page of the cheap listings (tree, networks, VM list). */
const LIST_PAGE = 1000;

export interface SyncSettings {
  source: string;
  host: string;
  datacenters: readonly string[];
  syncLimit: number;
  syncTimeoutMs: number;
}

/** What the sync reads around the VMs, kept for reading single VMs later. */
export interface SyncContext extends VmContext {
  content: ServiceContent;
  /** The datacenters the Source reads (their ids). */
  selected: ReadonlySet<string>;
}

/** Where a VM of the inventory is, for power changes and disk reads. */
export interface VmLocator {
  ref: MoRef;
  /** The datacenter's inventory path (`/DC0`), for datastore URLs. */
  datacenter: string | null;
}

export interface SyncResult {
  instances: InstanceRecord[];
  networks: NetworkRecord[];
  vms: Map<string, VmLocator>;
  /** The instance UUIDs several VMs have (left out of the inventory). */
  duplicates: Set<string>;
  context: SyncContext;
}

export type TagReader = (content: ServiceContent) => Promise<Map<string, Record<string, string>>>;

/**
 * The objects of a read whose properties all came: one deleted meanwhile (ManagedObjectNotFound)
 * is left out; any other property the server could not return (NoPermission…) fails the read,
 * rather than leaving a hole in the inventory. `tolerate` names object types whose missing
 * properties are only hints (a disconnected host's port groups).
 */
function present(objects: readonly ObjectContent[], tolerate: readonly string[] = []): ObjectContent[] {
  return objects.filter((object) => {
    for (const missing of object.missing) {
      if (missing.fault.fault === 'ManagedObjectNotFound') return false;
      if (!tolerate.includes(object.obj.type)) throw missing.fault;
    }
    return true;
  });
}

async function readTree(client: VimClient, content: ServiceContent): Promise<Topology> {
  const objects = await client.withView(content.rootFolder, TOPOLOGY_TYPES, (view) =>
    client.retrieve({ propSet: TOPOLOGY_PROPERTIES, objectSet: [{ view }] }, { maxObjects: LIST_PAGE }),
  );
  return new Topology(content.rootFolder.value, present(objects));
}

async function readCustomFields(client: VimClient, content: ServiceContent): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (content.customFieldsManager === null) return out;
  const [manager] = present(await client.retrieve({ propSet: [{ type: 'CustomFieldsManager', paths: ['field'] }], objectSet: [{ obj: content.customFieldsManager }] }));
  for (const def of items(manager?.props.get('field'))) {
    const key = int(field(def, 'key'));
    const name = str(field(def, 'name'));
    if (key !== undefined && name !== undefined) out.set(String(key), name);
  }
  return out;
}

/** The inventory tree, networks, custom attribute names and tags of the selected datacenters. */
export async function readContext(client: VimClient, settings: SyncSettings, readTags: TagReader, readAt: string): Promise<SyncContext> {
  const content = await client.serviceContent();
  const topology = await readTree(client, content);
  const selected = selectDatacenters(topology, settings.datacenters, settings.host);
  const networkObjects = await client.withView(content.rootFolder, NETWORK_TYPES, (view) =>
    client.retrieve({ propSet: NETWORK_PROPERTIES, objectSet: [{ view }] }, { maxObjects: LIST_PAGE }),
  );
  const all = mapNetworks(present(networkObjects, ['HostSystem']), topology, settings.source, content.about.instanceUuid || settings.host);
  const networks = new Map<string, SourceNetwork>([...all].filter(([, n]) => n.datacenter === null || selected.has(n.datacenter)));
  const customFields = await readCustomFields(client, content);
  const tags = content.about.apiType === 'VirtualCenter' ? await readTags(content) : new Map<string, Record<string, string>>();
  return { content, source: settings.source, topology, networks, tags, customFields, readAt, selected };
}


/**
 * The properties of a page of VMs. A VM deleted between the listing and this read makes vCenter
 * fail the whole request (ManagedObjectNotFound naming it): it is dropped and the rest read again.
 */
export async function readVmPage(client: VimClient, refs: readonly MoRef[], timeoutMs: number): Promise<ObjectContent[]> {
  let remaining = [...refs];
  for (let attempt = 0; remaining.length > 0; attempt++) {
    try {
      const objects = await client.retrieve({ propSet: [{ type: 'VirtualMachine', paths: VM_PATHS }], objectSet: remaining.map((obj) => ({ obj })) }, { timeoutMs, maxObjects: PAGE });
      return present(objects);
    } catch (error) {
      const gone = error instanceof VimFault && error.fault === 'ManagedObjectNotFound' ? error.object?.value : undefined;
      if (gone === undefined || attempt >= refs.length) throw error;
      remaining = remaining.filter((ref) => ref.value !== gone);
    }
  }
  return [];
}

/** The VMs of the selected datacenters, and those whose place in the tree is not known. */
async function listVms(client: VimClient, context: SyncContext): Promise<{ refs: MoRef[]; unplaced: MoRef[] }> {
  const refs: MoRef[] = [];
  const unplaced: MoRef[] = [];
  await client.withView(context.content.rootFolder, ['VirtualMachine'], async (view) => {
    for await (const page of client.retrievePages({ propSet: [{ type: 'VirtualMachine', paths: ['parent', 'parentVApp'] }], objectSet: [{ view }] }, { maxObjects: LIST_PAGE })) {
      for (const object of present(page)) {
        const parent = moref(object.props.get('parentVApp')) ?? moref(object.props.get('parent'));
        const dc = context.topology.datacenterOf(parent?.value ?? null);
        if (dc === null) unplaced.push(object.obj);
        else if (context.selected.has(dc.id)) refs.push(object.obj);
      }
    }
  });
  return { refs, unplaced };
}

/** Maps read VMs to instances: templates and vCLS agents left out, incomplete VMs warned about. */
export function mapVms(objects: readonly ObjectContent[], context: SyncContext, log: Logger): MappedVm[] {
  const out: MappedVm[] = [];
  for (const object of objects) {
    const mapped = mapVm(object, context);
    if (!mapped.ok) {
      if (mapped.skip === 'incomplete') log.warn({ vm: object.obj.value }, `skipped: ${mapped.reason}`);
      continue;
    }
    // vSphere Cluster Services agents are vCenter's own; migration-manager leaves them out too.
    if (mapped.vm.instance.location.includes('/vCLS/')) continue;
    out.push(mapped.vm);
  }
  return out;
}

/**
 * Leaves out every VM whose UUID another VM of this source has too (a copied VM keeps its
 * UUID): acting on one of them by UUID could touch the other.
 */
export function dropDuplicateUuids(vms: readonly MappedVm[], log: Logger): { vms: MappedVm[]; duplicates: Set<string> } {
  const byUuid = new Map<string, MappedVm[]>();
  for (const vm of vms) {
    const list = byUuid.get(vm.instance.uuid);
    if (list) list.push(vm);
    else byUuid.set(vm.instance.uuid, [vm]);
  }
  const out: MappedVm[] = [];
  const duplicates = new Set<string>();
  for (const [uuid, list] of byUuid) {
    if (list.length === 1) {
      out.push(list[0]!);
      continue;
    }
    duplicates.add(uuid);
    log.warn({ uuid, vms: list.map((vm) => vm.instance.location) }, `skipped ${list.length} VMs that share the instance UUID ${uuid}: ${list.map((vm) => vm.instance.location).join(', ')}`);
  }
  return { vms: out, duplicates };
}

function byLocation(a: { location: string }, b: { location: string }): number {
  return a.location < b.location ? -1 : a.location > b.location ? 1 : 0;
}

export async function syncInventory(client: VimClient, settings: SyncSettings, readTags: TagReader, readAt: string, log: Logger): Promise<SyncResult> {
  let context = await readContext(client, settings, readTags, readAt);
  let listed = await listVms(client, context);
  if (listed.unplaced.length > 0) {
    // A folder created after the tree was read: read it again rather than lose the VMs in it.
    context = await readContext(client, settings, readTags, readAt);
    listed = await listVms(client, context);
    if (listed.unplaced.length > 0) log.warn({ vms: listed.unplaced.map((r) => r.value) }, `skipped ${listed.unplaced.length} VMs whose folder is not in the inventory tree the account can see`);
  }
  const refs = listed.refs;
  const pages: MoRef[][] = [];
  for (let i = 0; i < refs.length; i += PAGE) pages.push(refs.slice(i, i + PAGE));
  const mapped = (await mapLimit(pages, settings.syncLimit, async (page) => mapVms(await readVmPage(client, page, settings.syncTimeoutMs), context, log))).flat();
  const { vms, duplicates } = dropDuplicateUuids(mapped, log);
  const locators = new Map<string, VmLocator>();
  for (const vm of vms) locators.set(vm.instance.uuid, { ref: { type: 'VirtualMachine', value: vm.instance.source_specific_id }, datacenter: vm.datacenter?.path ?? null });
  const instances = vms.map((vm) => vm.instance).sort(byLocation);
  const networks = [...context.networks.values()].map((n) => n.record).sort(byLocation);
  log.info({ vms: instances.length, networks: networks.length, listed: refs.length }, 'vCenter inventory read');
  return { instances, networks, vms: locators, duplicates, context };
}

/** Reads one VM fresh by reference; null when it no longer exists (or is not the VM with this UUID). */
export async function readOneVm(client: VimClient, ref: MoRef, uuid: string, context: SyncContext, timeoutMs: number): Promise<MappedVm | null> {
  let objects: ObjectContent[];
  try {
    objects = await readVmPage(client, [ref], timeoutMs);
  } catch (error) {
    if (isFault(error, 'ManagedObjectNotFound')) return null;
    throw error;
  }
  const object = objects[0];
  if (!object) return null;
  const mapped = mapVm(object, context);
  if (!mapped.ok) {
    if (mapped.skip === 'template') return null;
    throw new ProviderError('incomplete', mapped.reason);
  }
  if (mapped.vm.instance.uuid !== uuid.toLowerCase()) return null;
  return mapped.vm;
}
