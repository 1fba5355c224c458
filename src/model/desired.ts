// The internal model of the desired state: every supported document version is read into these
// shapes (defaults filled in, durations in milliseconds, times as epoch milliseconds), and only
// these shapes travel past the loader.

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

export interface Project {
  meta: DocumentMeta | null;
  status: { branch: string; remote: string; local: boolean };
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

export interface DesiredState {
  project: Project;
  sources: Source[];
  targets: Target[];
  batches: Batch[];
  instanceOverrides: InstanceOverride[];
  networkOverrides: NetworkOverride[];
  resolutions: Resolution[];
}

export const DEFAULT_PROJECT: Project = {
  meta: null,
  status: { branch: 'ferry/status', remote: 'origin', local: false },
  reconcile: { interval_ms: 60_000, sync_interval_ms: 600_000 },
  github: { conflict_branch_prefix: 'ferry/conflicts/', status_context: 'ferry' },
};
