// vCenter / ESXi as a Ferry source, over the vSphere SOAP API (docs/providers/vmware.md).

export { openVmwareSource, type VmwareSource, type VmwareSourceOptions } from './source.js';
