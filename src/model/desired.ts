// The internal model of the desired state: every supported document version is read into these
// shapes (defaults filled in, durations in milliseconds, times as epoch milliseconds), and only
// these shapes travel past the loader.

import type { CrashStep } from './crash-steps.js';

/** Where something was written: 1-based line and column in a repository file. */
export interface Origin {
  file: string;
  line: number;
  column: number;
}

export interface DocumentMeta {
  name: string;
  description?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The document's own position (its `kind:` line). */
  origin: Origin;
  /** The format version the document was written in. */
  apiVersion: string;
  /** Positions of the fields that name other documents (`spec.batch`, …), for reference errors. */
  at: Record<string, Origin>;
}

export interface SecretReference {
  env?: string;
  file?: string;
}

import type { Budgets } from './budgets.js';
import { DEFAULT_BUDGETS } from './budgets.js';

export interface Project {
  meta: DocumentMeta | null;
  status: { branch: string; remote: string; local: boolean };
  /** The trusted branch (docs/security.md); null: the remote's default branch. */
  trust: { branch: string | null };
  /** What one evaluation of repository content may cost (docs/security.md). */
  budgets: Budgets;
  reconcile: { interval_ms: number; sync_interval_ms: number };
  github: { conflict_branch_prefix: string; status_context: string };
}

export interface Source {
  meta: DocumentMeta;
  type: 'vmware' | 'sim';
  /** sim only: the simulated VMs (migration-manager instance JSON), relative to the repository root. */
  inventory_file: string | null;
  endpoint?: string;
  username?: string;
  password_from?: SecretReference;
  trusted_server_certificate_fingerprint?: string;
  trusted_server_certificate_from?: SecretReference;
  import_limit: number;
  connection_timeout_ms: number;
  sync_timeout_ms: number;
  sync_limit: number;
  datacenters: string[];
}

export interface Target {
  meta: DocumentMeta;
  type: 'incus' | 'sim';
  endpoint?: string;
  trusted_server_certificate_fingerprint?: string;
  trusted_server_certificate_from?: SecretReference;
  tls_client_cert_from?: SecretReference;
  tls_client_key_from?: SecretReference;
  /** A one-time trust token (incus): presented with the client certificate while the server does not trust it yet. */
  trust_token_from?: SecretReference;
  /** What the target creates (incus); absent means virtual machines. */
  instance_type?: 'virtual-machine' | 'container';
  /** With containers: the alias of an image on the target they are created from; absent: empty containers. */
  container_image?: string;
  /** How disk data reaches this target: streamed through the reconciler, or copied by a mover inside each new VM. */
  transfer: 'stream' | 'mover';
  /** With transfer mover (incus): the mover image's path on the machine running Ferry. */
  mover_image?: string;
  /** With transfer mover (incus): the virtio-win ISO's path on the machine running Ferry (attached to every mover VM). */
  virtio_win_image?: string;
  import_limit: number;
  create_limit: number;
  connection_timeout_ms: number;
}

export type BatchState = 'defined' | 'running' | 'stopped';

/** A text the loader compiled (expression or scriptlet) and where it starts in its file. */
export interface SourceText {
  text: string;
  origin: Origin;
}

export interface MigrationWindow {
  name: string;
  /** Epoch milliseconds; null = unlimited (already begun / no deadline / no lockout). */
  start: number | null;
  end: number | null;
  lockout: number | null;
  capacity: number;
  origin: Origin;
}

export interface Constraint {
  name: string;
  description: string;
  include_expression: SourceText;
  max_concurrent_instances: number;
  min_instance_boot_time_ms: number | null;
  origin: Origin;
}

export interface MigrationNetwork {
  target: string;
  target_project: string;
  network: string;
  nictype: 'managed' | 'bridged' | 'physical';
  vlan_id: string;
}

export interface Batch {
  meta: DocumentMeta;
  state: BatchState;
  include_expression: SourceText;
  migration_windows: MigrationWindow[];
  constraints: Constraint[];
  defaults: {
    placement: { target: string; target_project: string; storage_pool: string };
    migration_network: MigrationNetwork[];
    force_conflict_resolution: boolean;
  };
  config: {
    rerun_scriptlets: boolean;
    /** The scriptlet's text, inline or read from placement_scriptlet_file; null when there is none. */
    placement_scriptlet: SourceText | null;
    /** The file the scriptlet came from, relative to the repository root, when it was a file. */
    placement_scriptlet_file: string | null;
    post_migration_retries: number;
    background_sync_interval_ms: number;
    final_background_sync_limit_ms: number;
    instance_restriction_overrides: {
      allow_unknown_os: boolean;
      allow_no_ipv4: boolean;
      allow_no_background_import: boolean;
    };
  };
}

export interface ObjectMatch {
  uuid?: string;
  location?: string;
  source?: string;
}

export interface InstanceOverride {
  meta: DocumentMeta;
  match: ObjectMatch;
  comment: string;
  disable_migration: boolean;
  ignore_restrictions: boolean;
  name?: string;
  cpus?: number;
  memory?: number;
  architecture?: string;
  os_type?: 'windows' | 'linux' | 'bsd' | 'fortigate';
  distribution?: string;
  distribution_version?: string;
  config?: Record<string, string>;
  started_after_migration: boolean;
  stopped_after_migration: boolean;
  /** Guest preparation: skip (prepared by hand) or force (even an unknown OS); absent: auto. */
  guest_preparation?: 'skip' | 'force';
}

export interface NetworkOverride {
  meta: DocumentMeta;
  match: ObjectMatch;
  network?: string;
  nictype?: 'managed' | 'bridged' | 'physical';
  vlan_id?: string;
}

export type ResolutionAction = 'resolve' | 'retry' | 'cancel' | 'reset';

export interface Resolution {
  meta: DocumentMeta;
  /** Stable identity: the file and document name. With `hash`, it decides whether it was applied. */
  id: string;
  /** SHA-256 of the document's content: editing a resolution makes a new one. */
  hash: string;
  batch: string;
  instance: string | null;
  action: ResolutionAction;
  cleanup: boolean;
  force: boolean;
  comment: string;
}

/** A simulated Incus (a sim Target's world). A null list means "derived from the repository". */
export interface SimulatedTarget {
  name: string;
  projects: string[] | null;
  storage_pools: string[] | null;
  networks: string[] | null;
  /** Instances that exist before the campaign and carry no Ferry markers. */
  instances: { project: string; name: string; running: boolean }[];
  /** Bytes per second of one disk import. */
  import_rate: number;
  create_time_ms: number;
  post_import_time_ms: number;
  agent_start_time_ms: number;
}

/** How a simulated vCenter (a sim Source) behaves. */
export interface SimulatedSource {
  name: string;
  /** Bytes per second a running VM writes, spread over its disks by capacity. */
  dirty_rate: number;
  background_import: boolean;
  offline_sessions: 'shared' | 'separate';
}

/**
 * The calls a `fail` event makes fail. `prepare` and `readiness` are the guest preparation of a
 * target with `transfer: mover`: a post-import's preparation, a copy's readiness check.
 */
export type SimulatedOperation = 'transfer' | 'create' | 'start' | 'post_import' | 'prepare' | 'readiness';

interface SimulationEventBase {
  /** Identity across edits of the document; null when unnamed (then its content identifies it). */
  name: string | null;
  /** Epoch milliseconds. */
  at: number;
  /** Written as an offset from the clock start (`+2h`) rather than a time. */
  relative: boolean;
  origin: Origin;
}

/** A VM of a sim Source's inventory, as the event names it (name, location or UUID). */
interface VmEventBase extends SimulationEventBase {
  vm: string;
  /** The Source the VM is in, when the document says (needed only when the name is ambiguous). */
  source: string | null;
}

export type SimulationEvent =
  | (VmEventBase & { type: 'power_on' | 'power_off' | 'enable_change_tracking' })
  | (VmEventBase & { type: 'change_disk'; disk: string; bytes: number | null })
  | (VmEventBase & { type: 'add_disk'; disk: string; capacity: number; supported: boolean })
  | (VmEventBase & { type: 'remove_disk'; disk: string })
  | (VmEventBase & { type: 'resize_disk'; disk: string; capacity: number })
  | (VmEventBase & { type: 'change_uuid'; new_uuid: string })
  | (VmEventBase & { type: 'rename_vm'; new_name: string })
  | (VmEventBase & { type: 'set_config'; config: Record<string, string> })
  | (SimulationEventBase & { type: 'delete_network' | 'add_network'; target: string; network: string })
  | (SimulationEventBase & { type: 'fail'; operation: SimulatedOperation; count: number; vm: string | null; source: string | null })
  | (SimulationEventBase & { type: 'unreachable'; source: string | null; target: string | null; duration_ms: number })
  | (SimulationEventBase & { type: 'crash'; step: CrashStep });

export type SimulationEventType = SimulationEvent['type'];

/** The simulator's world besides the sim sources' inventory files (at most one per repository). */
export interface Simulation {
  meta: DocumentMeta;
  /** Where the virtual clock starts, epoch milliseconds. */
  start: number;
  targets: SimulatedTarget[];
  sources: SimulatedSource[];
  /** Targets and sources in document order; events too. */
  events: SimulationEvent[];
}

export interface DesiredState {
  project: Project;
  sources: Source[];
  targets: Target[];
  batches: Batch[];
  instanceOverrides: InstanceOverride[];
  networkOverrides: NetworkOverride[];
  resolutions: Resolution[];
  /** The simulator's world, when the repository describes one. */
  simulation: Simulation | null;
}

export const DEFAULT_PROJECT: Project = {
  meta: null,
  status: { branch: 'ferry/status', remote: 'origin', local: false },
  trust: { branch: null },
  budgets: DEFAULT_BUDGETS,
  reconcile: { interval_ms: 60_000, sync_interval_ms: 600_000 },
  github: { conflict_branch_prefix: 'ferry/conflicts/', status_context: 'ferry' },
};
