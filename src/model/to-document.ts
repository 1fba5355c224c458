import { posix } from 'node:path';
import type {
  BatchDocument,
  FerryDocument,
  InstanceOverrideDocument,
  Metadata,
  NetworkOverrideDocument,
  ProjectDocument,
  ResolutionDocument,
  SimulationDocument,
  SimulationEvent as SimulationEventDocument,
  SourceDocument,
  TargetDocument,
} from './generated/documents.js';
import type { Batch, DesiredState, DocumentMeta, InstanceOverride, NetworkOverride, Project, Resolution, Simulation, SimulationEvent, Source, Target } from './desired.js';
import { formatByteRate } from './bytes.js';
import { formatDuration } from './duration.js';
import { formatTimestamp } from './timestamp.js';

// Writes the model back as documents of the current format (ferry.dev/v1alpha1), every default
// spelled out. Reading what this writes gives back the same model: see test/model/round-trip.test.ts.

const API_VERSION = 'ferry.dev/v1alpha1' as const;

function metadata(meta: DocumentMeta): Metadata {
  const out: Metadata = { name: meta.name };
  if (meta.description !== undefined) out.description = meta.description;
  if (meta.labels !== undefined) out.labels = { ...meta.labels };
  if (meta.annotations !== undefined) out.annotations = { ...meta.annotations };
  return out;
}

export function projectDocument(project: Project): ProjectDocument {
  return {
    apiVersion: API_VERSION,
    kind: 'Project',
    metadata: project.meta ? metadata(project.meta) : { name: 'project' },
    spec: {
      status: { ...project.status },
      reconcile: { interval: formatDuration(project.reconcile.interval_ms), sync_interval: formatDuration(project.reconcile.sync_interval_ms) },
      github: { ...project.github },
    },
  };
}

export function sourceDocument(source: Source): SourceDocument {
  const { meta, connection_timeout_ms, sync_timeout_ms, inventory_file, ...rest } = source;
  return {
    apiVersion: API_VERSION,
    kind: 'Source',
    metadata: metadata(meta),
    spec: {
      ...rest,
      ...(inventory_file !== null ? { inventory_file: posix.relative(posix.dirname(meta.origin.file), inventory_file) } : {}),
      connection_timeout: formatDuration(connection_timeout_ms), sync_timeout: formatDuration(sync_timeout_ms), datacenters: [...rest.datacenters],
    },
  };
}

export function targetDocument(target: Target): TargetDocument {
  const { meta, connection_timeout_ms, ...rest } = target;
  return { apiVersion: API_VERSION, kind: 'Target', metadata: metadata(meta), spec: { ...rest, connection_timeout: formatDuration(connection_timeout_ms) } };
}

export function batchDocument(batch: Batch): BatchDocument {
  const config = batch.config;
  const spec: BatchDocument['spec'] = {
    state: batch.state,
    include_expression: batch.include_expression.text,
    migration_windows: batch.migration_windows.map((window) => ({
      name: window.name,
      ...(window.start !== null ? { start: formatTimestamp(window.start) } : {}),
      ...(window.end !== null ? { end: formatTimestamp(window.end) } : {}),
      ...(window.lockout !== null ? { lockout: formatTimestamp(window.lockout) } : {}),
      config: { capacity: window.capacity },
    })),
    constraints: batch.constraints.map((constraint) => ({
      name: constraint.name,
      description: constraint.description,
      include_expression: constraint.include_expression.text,
      max_concurrent_instances: constraint.max_concurrent_instances,
      ...(constraint.min_instance_boot_time_ms !== null ? { min_instance_boot_time: formatDuration(constraint.min_instance_boot_time_ms) } : {}),
    })),
    defaults: {
      placement: { ...batch.defaults.placement },
      migration_network: batch.defaults.migration_network.map((network) => ({
        target: network.target,
        target_project: network.target_project,
        network: network.network,
        nictype: network.nictype,
        ...(network.vlan_id !== '' ? { vlan_id: network.vlan_id } : {}),
      })),
      force_conflict_resolution: batch.defaults.force_conflict_resolution,
    },
    config: {
      rerun_scriptlets: config.rerun_scriptlets,
      ...(config.placement_scriptlet_file !== null
        ? { placement_scriptlet_file: posix.relative(posix.dirname(batch.meta.origin.file), config.placement_scriptlet_file) }
        : config.placement_scriptlet !== null
          ? { placement_scriptlet: config.placement_scriptlet.text }
          : {}),
      post_migration_retries: config.post_migration_retries,
      background_sync_interval: formatDuration(config.background_sync_interval_ms),
      final_background_sync_limit: formatDuration(config.final_background_sync_limit_ms),
      instance_restriction_overrides: { ...config.instance_restriction_overrides },
    },
  };
  return { apiVersion: API_VERSION, kind: 'Batch', metadata: metadata(batch.meta), spec };
}

export function instanceOverrideDocument(override: InstanceOverride): InstanceOverrideDocument {
  const { meta, match, ...rest } = override;
  return { apiVersion: API_VERSION, kind: 'InstanceOverride', metadata: metadata(meta), spec: { match: { ...match }, ...rest } };
}

export function networkOverrideDocument(override: NetworkOverride): NetworkOverrideDocument {
  const { meta, match, ...rest } = override;
  return { apiVersion: API_VERSION, kind: 'NetworkOverride', metadata: metadata(meta), spec: { match: { ...match }, ...rest } };
}

export function resolutionDocument(resolution: Resolution): ResolutionDocument {
  const { meta, id: _id, hash: _hash, instance, ...rest } = resolution;
  return {
    apiVersion: API_VERSION,
    kind: 'Resolution',
    metadata: metadata(meta),
    spec: { ...rest, ...(instance !== null ? { instance } : {}) },
  };
}

export function simulationDocument(simulation: Simulation): SimulationDocument {
  const spec: SimulationDocument['spec'] = { start: formatTimestamp(simulation.start) };
  if (simulation.targets.length > 0) {
    spec.targets = Object.fromEntries(simulation.targets.map((target) => [target.name, {
      ...(target.projects !== null ? { projects: [...target.projects] } : {}),
      ...(target.storage_pools !== null ? { storage_pools: [...target.storage_pools] } : {}),
      ...(target.networks !== null ? { networks: [...target.networks] } : {}),
      ...(target.instances.length > 0 ? { instances: target.instances.map((instance) => ({ ...instance })) } : {}),
      import_rate: formatByteRate(target.import_rate),
      create_time: formatDuration(target.create_time_ms),
      post_import_time: formatDuration(target.post_import_time_ms),
      agent_start_time: formatDuration(target.agent_start_time_ms),
    }]));
  }
  if (simulation.sources.length > 0) {
    spec.sources = Object.fromEntries(simulation.sources.map(({ name, dirty_rate, ...rest }) => [name, { dirty_rate: formatByteRate(dirty_rate), ...rest }]));
  }
  if (simulation.events.length > 0) spec.events = simulation.events.map((event) => simulationEventDocument(simulation.start, event));
  return { apiVersion: API_VERSION, kind: 'Simulation', metadata: metadata(simulation.meta), spec };
}

function simulationEventDocument(start: number, event: SimulationEvent): SimulationEventDocument {
  const out: SimulationEventDocument = {
    ...(event.name !== null ? { name: event.name } : {}),
    at: event.relative ? `+${formatDuration(event.at - start)}` : formatTimestamp(event.at),
    type: event.type,
  };
  switch (event.type) {
    case 'delete_network':
    case 'add_network':
      return { ...out, target: event.target, network: event.network };
    case 'fail':
      return { ...out, operation: event.operation, count: event.count, ...(event.vm !== null ? { vm: event.vm } : {}), ...(event.source !== null ? { source: event.source } : {}) };
    case 'unreachable':
      return { ...out, ...(event.source !== null ? { source: event.source } : {}), ...(event.target !== null ? { target: event.target } : {}), for: formatDuration(event.duration_ms) };
    case 'crash':
      return { ...out, step: event.step };
    default: {
      const vm = { ...out, vm: event.vm, ...(event.source !== null ? { source: event.source } : {}) };
      switch (event.type) {
        case 'power_on':
        case 'power_off':
        case 'enable_change_tracking':
          return vm;
        case 'change_disk':
          return { ...vm, disk: event.disk, ...(event.bytes !== null ? { bytes: event.bytes } : {}) };
        case 'add_disk':
          return { ...vm, disk: event.disk, capacity: event.capacity, supported: event.supported };
        case 'remove_disk':
          return { ...vm, disk: event.disk };
        case 'resize_disk':
          return { ...vm, disk: event.disk, capacity: event.capacity };
        case 'change_uuid':
          return { ...vm, new_uuid: event.new_uuid };
        case 'rename_vm':
          return { ...vm, new_name: event.new_name };
        case 'set_config':
          return { ...vm, config: { ...event.config } };
      }
    }
  }
}

/** Every document of a desired state, grouped by the file each came from. */
export function stateDocuments(state: DesiredState): Map<string, FerryDocument[]> {
  const byFile = new Map<string, FerryDocument[]>();
  const add = (file: string, document: FerryDocument) => byFile.set(file, [...(byFile.get(file) ?? []), document]);
  if (state.project.meta) add(state.project.meta.origin.file, projectDocument(state.project));
  for (const source of state.sources) add(source.meta.origin.file, sourceDocument(source));
  for (const target of state.targets) add(target.meta.origin.file, targetDocument(target));
  for (const batch of state.batches) add(batch.meta.origin.file, batchDocument(batch));
  for (const override of state.instanceOverrides) add(override.meta.origin.file, instanceOverrideDocument(override));
  for (const override of state.networkOverrides) add(override.meta.origin.file, networkOverrideDocument(override));
  for (const resolution of state.resolutions) add(resolution.meta.origin.file, resolutionDocument(resolution));
  if (state.simulation) add(state.simulation.meta.origin.file, simulationDocument(state.simulation));
  return byFile;
}
