// Generated from schemas/*.schema.json by `npm run gen`. Do not edit: change the schema.

export type FerryDocument =
  | ProjectDocument
  | SourceDocument
  | TargetDocument
  | BatchDocument
  | InstanceOverrideDocument
  | NetworkOverrideDocument
  | ResolutionDocument
  | SimulationDocument;
/**
 * The document format version. ferry.dev/v1alpha1 is the newest.
 */
export type ApiVersion = 'ferry.dev/v1alpha1';
/**
 * An Incus API name: 1-64 characters, no whitespace, none of $ ? & + " ' ` * /, starting and ending with a letter or digit.
 */
export type ApiName = NoControlCharacters & ApiName1;
/**
 * Names hold no control characters (C0, DEL, C1), line or paragraph separators, or bidirectional overrides and isolates: these would change what a terminal or a page shows.
 */
export type NoControlCharacters = string;
export type ApiName1 = string;
/**
 * A Go duration such as 10m, 1h30m, 90s or 10m0s.
 */
export type Duration = string;
/**
 * A number of bytes, such as 20GiB, 512MB or 1073741824.
 */
export type ByteSize = number | string;
/**
 * SHA-256 fingerprint of a server certificate, hex, with or without colons.
 */
export type Fingerprint = string;
/**
 * A UTC time: RFC 3339 (2025-12-01T01:00:00Z, or with an offset) or migration-manager's 2025-12-01 01:00:00 (read as UTC).
 */
export type Timestamp = string;
export type NicType = 'managed' | 'bridged' | 'physical';
/**
 * A VLAN id, or several as a comma-separated list of non-zero integers.
 */
export type VlanIds = number | string;
/**
 * Bytes per second, such as 400MiB/s, 1.5GB/s or 512KiB/s.
 */
export type ByteRate = string;
/**
 * When: a time (2026-12-01T22:00:00Z, 2026-12-01 22:00:00) or an offset from the clock start (+2h, +90m).
 */
export type EventTime = string;

/**
 * Repository-wide settings: where status is kept, how often to reconcile, GitHub reporting. At most one per repository.
 */
export interface ProjectDocument {
  apiVersion: ApiVersion;
  kind: 'Project';
  metadata: Metadata;
  spec?: ProjectSpec;
}
export interface Metadata {
  name: ApiName;
  /**
   * Free text for people.
   */
  description?: string;
  labels?: {
    [k: string]: string;
  };
  annotations?: {
    [k: string]: string;
  };
}
export interface ProjectSpec {
  status?: StatusSettings;
  trust?: TrustSettings;
  budgets?: Budgets;
  reconcile?: ReconcileSettings;
  github?: GitHubSettings;
}
export interface StatusSettings {
  /**
   * The branch the reconciler owns. Never a branch people edit.
   */
  branch?: string;
  /**
   * The Git remote the status branch is pushed to.
   */
  remote?: string;
  /**
   * Keep the status branch in the local repository only (demos, tests).
   */
  local?: boolean;
}
/**
 * Which revision Ferry trusts: Source and Target connection settings (endpoints, certificate pins, secret references) are honoured only from it, and apply acts only on commits it contains. Read from the remote's default branch, never from a pull request.
 */
export interface TrustSettings {
  /**
   * The trusted branch, as the status remote has it. The remote's default branch when absent.
   */
  branch?: string;
}
/**
 * What one evaluation of repository content may cost (docs/security.md, Budgets). Honoured only from the trusted revision: a pull request is evaluated within the budgets of the default branch, whatever its own ferry.yaml says. Each value has a ceiling no setting can pass.
 */
export interface Budgets {
  expression?: ExpressionBudget;
  scriptlet?: ScriptletBudget;
  pull_request_plan?: PlanBudget;
}
/**
 * One include expression evaluated for one instance.
 */
export interface ExpressionBudget {
  /**
   * Work units: operators, predicate iterations, characters read and written, regular-expression steps.
   */
  work?: number;
  /**
   * List elements and string characters created, garbage included.
   */
  allocation?: number;
  time?: Duration;
}
/**
 * One run of a placement scriptlet: its top level, or placement() for one instance.
 */
export interface ScriptletBudget {
  /**
   * Work units: statements, iterations, calls, and what built-ins do (elements touched, bytes processed).
   */
  work?: number;
  /**
   * Elements and bytes of every value created, garbage included.
   */
  allocation?: number;
  /**
   * Nested calls.
   */
  call_depth?: number;
  time?: Duration;
}
/**
 * The whole plan of a pull request (ferry github plan), which runs in a worker of its own.
 */
export interface PlanBudget {
  time?: Duration;
  memory?: ByteSize;
}
export interface ReconcileSettings {
  interval?: Duration;
  sync_interval?: Duration;
}
export interface GitHubSettings {
  conflict_branch_prefix?: string;
  status_context?: string;
}
/**
 * Where VMs come from: a vCenter or ESXi host, or the built-in simulator. Credentials are references, never values.
 */
export interface SourceDocument {
  apiVersion: ApiVersion;
  kind: 'Source';
  metadata: Metadata;
  spec: SourceSpec;
}
export interface SourceSpec {
  /**
   * vmware: vCenter or ESXi. sim: the built-in simulator.
   */
  type: 'vmware' | 'sim';
  /**
   * sim only: the simulated vCenter's VMs, a JSON array in migration-manager's instance format, relative to this document's file and inside the repository.
   */
  inventory_file?: string;
  /**
   * https://vcenter.example.com (vmware).
   */
  endpoint?: string;
  username?: string;
  password_from?: SecretRef;
  trusted_server_certificate_fingerprint?: Fingerprint;
  trusted_server_certificate_from?: SecretRef;
  /**
   * Entries importing from this source at once; 0 is unlimited.
   */
  import_limit?: number;
  connection_timeout?: Duration;
  sync_timeout?: Duration;
  /**
   * VMs fetched concurrently during a sync.
   */
  sync_limit?: number;
  datacenters?: string[];
}
/**
 * Where a secret comes from at run time. Secrets never live in the repository.
 */
export interface SecretRef {
  /**
   * Name of an environment variable.
   */
  env?: string;
  /**
   * Path of a file on the machine running Ferry (not in the repository).
   */
  file?: string;
}
/**
 * Where VMs go: an Incus (or LXD) cluster, or the built-in simulator. TLS material is referenced, never inlined.
 */
export interface TargetDocument {
  apiVersion: ApiVersion;
  kind: 'Target';
  metadata: Metadata;
  spec: TargetSpec;
}
export interface TargetSpec {
  /**
   * incus: the Incus REST API (also LXD). sim: the built-in simulator.
   */
  type: 'incus' | 'sim';
  /**
   * https://incus.example.com:8443 or unix:///var/lib/incus/unix.socket (incus).
   */
  endpoint?: string;
  trusted_server_certificate_fingerprint?: Fingerprint;
  trusted_server_certificate_from?: SecretRef;
  tls_client_cert_from?: SecretRef;
  tls_client_key_from?: SecretRef;
  trust_token_from?: SecretRef;
  /**
   * What Ferry creates on this target (incus). container is for hosts without virtual-machine support: imported disks are written but cannot be attached.
   */
  instance_type?: 'virtual-machine' | 'container';
  container_image?: ApiName;
  /**
   * Entries importing into this target at once; 0 is unlimited.
   */
  import_limit?: number;
  /**
   * How disk data reaches this target. stream: the reconciler reads each disk from the source and streams it into the target (a powered-off copy). mover: a mover booted inside each new VM copies the disks itself (warm copies of running VMs, changed areas at cutover); see docs/providers/incus.md.
   */
  transfer?: 'stream' | 'mover';
  /**
   * With transfer: mover (incus): the path, on the machine running Ferry, of the mover image scripts/build-mover-image.sh builds. Ferry imports it once per storage pool.
   */
  mover_image?: string;
  /**
   * With transfer: mover (incus): the path, on the machine running Ferry, of the virtio-win ISO (the Windows virtio drivers) the mover installs into Windows guests it prepares. Ferry imports it once per storage pool and attaches it to every mover VM as device ferry-virtio-win.
   */
  virtio_win_image?: string;
  /**
   * Instances being created on this target at once; 0 is unlimited.
   */
  create_limit?: number;
  connection_timeout?: Duration;
}
/**
 * A migration batch: which instances move, when, where and under which limits. The spec carries migration-manager's batch fields with their names, defaults and limits, plus Ferry's declarative `state`.
 */
export interface BatchDocument {
  apiVersion: ApiVersion;
  kind: 'Batch';
  metadata: Metadata;
  spec: BatchSpec;
}
export interface BatchSpec {
  /**
   * defined: instances are selected but nothing runs. running: the batch is started (migration-manager's start). stopped: no new work starts and in-flight work pauses at its next safe point.
   */
  state?: 'defined' | 'running' | 'stopped';
  /**
   * An expr-lang expression selecting the batch's instances, e.g. location matches '^/DC1/' and cpus >= 4.
   */
  include_expression: string;
  /**
   * When final cutovers may happen. None means any time.
   */
  migration_windows?: MigrationWindow[];
  /**
   * Per-subset limits. For each instance the last matching constraint applies.
   */
  constraints?: Constraint[];
  defaults?: BatchDefaults;
  config?: BatchConfig;
}
export interface MigrationWindow {
  name: ApiName;
  start?: Timestamp;
  end?: Timestamp;
  lockout?: Timestamp;
  config?: {
    /**
     * Most entries assigned to this window at once; 0 is unlimited.
     */
    capacity?: number;
  };
}
export interface Constraint {
  name: NoControlCharacters;
  description?: string;
  /**
   * Selects the instances of the batch this constraint applies to.
   */
  include_expression: string;
  /**
   * Matching entries allowed in their final steps at once; 0 is unlimited.
   */
  max_concurrent_instances?: number;
  min_instance_boot_time?: Duration;
}
export interface BatchDefaults {
  placement?: DefaultPlacement;
  /**
   * The network NICs use during migration, at most one entry per target and project.
   */
  migration_network?: MigrationNetwork[];
  /**
   * Keep the original placement when a recomputed one differs.
   */
  force_conflict_resolution?: boolean;
}
export interface DefaultPlacement {
  target?: ApiName;
  target_project?: ApiName;
  storage_pool?: ApiName;
}
export interface MigrationNetwork {
  target?: ApiName;
  target_project?: ApiName;
  network: ApiName;
  nictype: NicType;
  vlan_id?: VlanIds;
}
export interface BatchConfig {
  /**
   * Re-run the placement scriptlet for waiting entries on every tick.
   */
  rerun_scriptlets?: boolean;
  /**
   * Starlark source defining placement(instance, batch).
   */
  placement_scriptlet?: string;
  /**
   * A .star file, relative to this document's file, inside the repository.
   */
  placement_scriptlet_file?: string;
  post_migration_retries?: number;
  background_sync_interval?: Duration;
  final_background_sync_limit?: Duration;
  instance_restriction_overrides?: RestrictionOverrides;
}
export interface RestrictionOverrides {
  allow_unknown_os?: boolean;
  allow_no_ipv4?: boolean;
  allow_no_background_import?: boolean;
}
/**
 * Persistent settings for one source instance (migration-manager's instance override).
 */
export interface InstanceOverrideDocument {
  apiVersion: ApiVersion;
  kind: 'InstanceOverride';
  metadata: Metadata;
  spec: InstanceOverrideSpec;
}
export interface InstanceOverrideSpec {
  match: InstanceMatch;
  comment?: string;
  disable_migration?: boolean;
  /**
   * Skip every blocking rule except disable_migration.
   */
  ignore_restrictions?: boolean;
  /**
   * The target instance name; must be a valid hostname.
   */
  name?: NoControlCharacters;
  cpus?: number;
  /**
   * Bytes.
   */
  memory?: number;
  architecture?: string;
  os_type?: 'windows' | 'linux' | 'bsd' | 'fortigate';
  distribution?: string;
  distribution_version?: string;
  /**
   * Merged over the instance's config.
   */
  config?: {
    [k: string]: string;
  };
  started_after_migration?: boolean;
  stopped_after_migration?: boolean;
  /**
   * Guest preparation by the mover after the final pass (docs/providers/incus.md, Guest preparation). auto: Linux and Windows guests are prepared, others boot as copied. skip: the guest was prepared by hand (or needs nothing); the mover leaves it alone. force: prepare even a guest whose OS the source does not know (the mover detects it from the disk).
   */
  guest_preparation?: 'auto' | 'skip' | 'force';
}
/**
 * Which instance: by UUID, or by inventory location. `source` narrows to one Source.
 */
export interface InstanceMatch {
  uuid?: string;
  location?: string;
  source?: ApiName;
}
/**
 * Persistent target network settings for one source network (migration-manager's network override).
 */
export interface NetworkOverrideDocument {
  apiVersion: ApiVersion;
  kind: 'NetworkOverride';
  metadata: Metadata;
  spec: NetworkOverrideSpec;
}
export interface NetworkOverrideSpec {
  match: NetworkMatch;
  network?: ApiName;
  nictype?: NicType;
  vlan_id?: VlanIds;
}
/**
 * Which source network: by UUID, or by inventory location. `source` narrows to one Source.
 */
export interface NetworkMatch {
  uuid?: string;
  location?: string;
  source?: ApiName;
}
/**
 * A one-shot operation on a queue entry or a batch, applied once (identified by its path and content hash).
 */
export interface ResolutionDocument {
  apiVersion: ApiVersion;
  kind: 'Resolution';
  metadata: Metadata;
  spec: ResolutionSpec;
}
export interface ResolutionSpec {
  batch: ApiName;
  /**
   * The entry's instance: its name, location or UUID. Required except for reset.
   */
  instance?: string;
  /**
   * resolve: re-check a Conflict entry. retry: re-queue a Canceled entry. cancel: stop an entry. reset: clear the whole batch's queue.
   */
  action: 'resolve' | 'retry' | 'cancel' | 'reset';
  /**
   * With cancel: delete the target instance.
   */
  cleanup?: boolean;
  /**
   * With reset: also reset committed entries.
   */
  force?: boolean;
  /**
   * Why, for the ledger.
   */
  comment?: string;
}
/**
 * The world of the built-in simulator besides the sim sources' inventory files: the virtual clock, the simulated Incus targets, how the simulated vCenters behave, and scripted events and faults. At most one per repository.
 */
export interface SimulationDocument {
  apiVersion: ApiVersion;
  kind: 'Simulation';
  metadata: Metadata;
  spec: SimulationSpec;
}
export interface SimulationSpec {
  start: Timestamp;
  /**
   * Settings of sim Targets by name; a sim Target not listed gets the defaults.
   */
  targets?: {
    [k: string]: SimulatedTarget;
  };
  /**
   * Settings of sim Sources by name; a sim Source not listed gets the defaults.
   */
  sources?: {
    [k: string]: SimulatedSource;
  };
  /**
   * Scripted changes and faults, applied when the virtual clock reaches their time.
   */
  events?: SimulationEvent[];
}
/**
 * A simulated Incus: what exists on it and how fast it works.
 */
export interface SimulatedTarget {
  /**
   * Incus projects (default always exists). Omitted: the projects the batches' default placements name.
   */
  projects?: ApiName[];
  /**
   * Storage pools, visible in every project. Omitted: the pools the batches' default placements name.
   */
  storage_pools?: ApiName[];
  /**
   * Networks, visible in every project. Omitted: the networks the sources' NICs map to by default and by NetworkOverrides, and the batches' migration networks.
   */
  networks?: ApiName[];
  /**
   * Instances that exist before the campaign and are not Ferry's (no markers).
   */
  instances?: ForeignInstance[];
  import_rate?: ByteRate;
  create_time?: Duration;
  post_import_time?: Duration;
  agent_start_time?: Duration;
}
export interface ForeignInstance {
  project: ApiName;
  name: ApiName;
  running?: boolean;
}
/**
 * How a simulated vCenter behaves.
 */
export interface SimulatedSource {
  dirty_rate?: ByteRate;
  /**
   * Whether the source can do background (changed-block) imports at all.
   */
  background_import?: boolean;
  /**
   * shared: offline copies started from this source at the same instant share one transfer session. separate: each copy has its own.
   */
  offline_sessions?: 'shared' | 'separate';
}
/**
 * One scripted change or fault. Which fields apply depends on type.
 */
export interface SimulationEvent {
  name?: ApiName;
  at: EventTime;
  type:
    | 'power_on'
    | 'power_off'
    | 'enable_change_tracking'
    | 'change_disk'
    | 'add_disk'
    | 'remove_disk'
    | 'resize_disk'
    | 'change_uuid'
    | 'rename_vm'
    | 'set_config'
    | 'delete_network'
    | 'add_network'
    | 'fail'
    | 'unreachable'
    | 'crash';
  /**
   * A VM of a sim Source's inventory: its name, location or UUID as the inventory file has it. For fail: omitted means every VM.
   */
  vm?: string;
  source?: ApiName;
  target?: ApiName;
  /**
   * A disk name, such as "[ds-ssd] web-01/web-01.vmdk".
   */
  disk?: string;
  bytes?: ByteSize;
  capacity?: ByteSize;
  /**
   * add_disk: whether the new disk supports snapshots.
   */
  supported?: boolean;
  /**
   * change_uuid: the VM's new UUID.
   */
  new_uuid?: string;
  /**
   * rename_vm: the VM's new name.
   */
  new_name?: string;
  /**
   * set_config: keys to set in the VM's config (an empty value removes the key).
   */
  config?: {
    [k: string]: string;
  };
  network?: ApiName;
  /**
   * fail: which calls fail — disk transfers, instance creations, starts when finalizing, post-import steps; on a target with transfer: mover, a guest's preparation (a Conflict) or the readiness check of a copy (the guest is found not ready to boot).
   */
  operation?: 'transfer' | 'create' | 'start' | 'post_import' | 'prepare' | 'readiness';
  /**
   * fail: how many of the next such calls fail.
   */
  count?: number;
  for?: Duration;
  /**
   * crash: the step (crash point) at which the process is killed, once the event is due.
   */
  step?: string;
}
