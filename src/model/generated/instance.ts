// Generated from schemas/instance.schema.json by `npm run gen`. Do not edit: change the schema.

/**
 * A source VM as migration-manager's instance JSON shows it (shared/api/instance.go, properties flattened). Used by `ferry query --instances`, `ferry placement --instances` and the inventory snapshot. Fields this schema does not know are dropped when a file is read, so exports of newer migration-manager versions still load.
 */
export interface Instance {
  /**
   * The VM's UUID; compares as a string in expressions.
   */
  uuid: string;
  /**
   * The source's own id, e.g. vm-123 on vCenter.
   */
  source_specific_id?: string;
  /**
   * Inventory path, unique and human readable, e.g. /DC1/vm/web/web-01.
   */
  location: string;
  name: string;
  description?: string;
  os?: string;
  os_description?: string;
  os_template?: string;
  architecture?: string;
  cpus?: number;
  /**
   * Bytes.
   */
  memory?: number;
  /**
   * vCenter tags as tag.<category> (comma-joined), vmware.resource_pool and other keys.
   */
  config?: {
    [k: string]: string;
  };
  secure_boot?: boolean;
  legacy_boot?: boolean;
  tpm?: boolean;
  running?: boolean;
  background_import?: boolean;
  nics?: Nic[];
  disks?: Disk[];
  snapshots?: {
    name: string;
  }[];
  source?: string;
  source_type?: string;
  /**
   * windows, linux, bsd or fortigate.
   */
  os_type?: string;
  distribution?: string;
  distribution_version?: string;
  last_update_from_source?: string;
  overrides?: Overrides;
}
export interface Nic {
  /**
   * The network record's UUID.
   */
  uuid?: string;
  source_specific_id?: string;
  /**
   * The NIC's MAC address.
   */
  hardware_address: string;
  location?: string;
  ipv4_address?: string;
  ipv6_address?: string;
}
export interface Disk {
  /**
   * [datastore] path.vmdk
   */
  name: string;
  /**
   * Bytes.
   */
  capacity?: number;
  shared?: boolean;
  supported?: boolean;
  background_import_verified?: boolean;
}
export interface Overrides {
  name?: string;
  cpus?: number;
  memory?: number;
  config?: {
    [k: string]: string;
  };
  architecture?: string;
  os_type?: string;
  distribution?: string;
  distribution_version?: string;
  comment?: string;
  disable_migration?: boolean;
  ignore_restrictions?: boolean;
  started_after_migration?: boolean;
  stopped_after_migration?: boolean;
  guest_preparation?: string;
}
