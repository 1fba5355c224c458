// VMDK descriptors: the small text file a VM's disk backing names (`[ds] vm/vm.vmdk`), whose
// extent lines say where the data is. Ferry reads flat disks, whose data is a plain byte image
// in one or more extent files (`vm-flat.vmdk`; `createType` vmfs, monolithicFlat,
// twoGbMaxExtentFlat…). Sparse and delta formats (snapshots, vSAN, streamOptimized) need
// VMware's disk library and are refused with the reason.

export type Extent = { kind: 'file'; file: string; sectors: number; offset: number } | { kind: 'zero'; sectors: number };

export interface Descriptor {
  createType: string;
  extents: Extent[];
  /** The disk's size in bytes (512-byte sectors). */
  size: number;
}

export type DescriptorResult = { ok: true; descriptor: Descriptor } | { ok: false; reason: string };

export const SECTOR = 512;

const FLAT_EXTENTS = new Set(['FLAT', 'VMFS']);
const EXTENT_LINE = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/;

/** Whether a file's first bytes are a binary VMDK (hosted sparse `KDMV`, ESX 2 `COWD`). */
export function isBinaryVmdk(head: Uint8Array): boolean {
  const magic = Buffer.from(head.subarray(0, 4)).toString('latin1');
  return magic === 'KDMV' || magic === 'COWD';
}

export function parseDescriptor(text: string): DescriptorResult {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (!lines.some((line) => /^#\s*Disk DescriptorFile/i.test(line) || /^createType\s*=/.test(line))) {
    return { ok: false, reason: 'it is not a VMDK descriptor' };
  }
  let createType = '';
  const extents: Extent[] = [];
  for (const line of lines) {
    const setting = /^([A-Za-z.]+)\s*=\s*"?([^"]*)"?$/.exec(line);
    if (setting) {
      if (setting[1] === 'createType') createType = setting[2]!;
      if (setting[1] === 'parentFileNameHint' && setting[2] !== '') {
        return { ok: false, reason: `it is a snapshot delta of ${setting[2]} (consolidate or delete the VM's snapshots first)` };
      }
      continue;
    }
    const extent = EXTENT_LINE.exec(line);
    if (!extent) continue;
    const [, , sectors, type, file, offset] = extent;
    if (type === 'ZERO') {
      extents.push({ kind: 'zero', sectors: Number(sectors) });
    } else if (FLAT_EXTENTS.has(type!) && file !== undefined && file !== '') {
      extents.push({ kind: 'file', file, sectors: Number(sectors), offset: Number(offset ?? 0) });
    } else {
      return { ok: false, reason: `its extent type ${type} (createType ${createType || 'unknown'}) is not a flat disk image` };
    }
  }
  if (extents.length === 0) return { ok: false, reason: 'the descriptor lists no extent' };
  const size = extents.reduce((sum, e) => sum + e.sectors * SECTOR, 0);
  return { ok: true, descriptor: { createType, extents, size } };
}
