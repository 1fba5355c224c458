import { describe, expect, it } from 'vitest';
import { datastorePath, folderUrl } from '../../../src/providers/vmware/disk-data.js';
import { isBinaryVmdk, parseDescriptor } from '../../../src/providers/vmware/vmdk.js';

const descriptor = (createType: string, extents: string[], extra: string[] = []) =>
  ['# Disk DescriptorFile', 'version=1', 'CID=fffffffe', 'parentCID=ffffffff', `createType="${createType}"`, ...extra, '', '# Extent description', ...extents, '', '#DDB', 'ddb.adapterType = "lsilogic"'].join('\n');

describe('VMDK descriptors', () => {
  it.each([
    ['an ESXi flat disk', descriptor('vmfs', ['RW 2048 VMFS "web-01-flat.vmdk"']), [{ kind: 'file', file: 'web-01-flat.vmdk', sectors: 2048, offset: 0 }], 1024 * 1024],
    ['a hosted flat disk at an offset', descriptor('monolithicFlat', ['RW 100 FLAT "d-flat.vmdk" 8']), [{ kind: 'file', file: 'd-flat.vmdk', sectors: 100, offset: 8 }], 51_200],
    [
      'a disk split in 2 GB extents, with a zero extent',
      descriptor('twoGbMaxExtentFlat', ['RW 4 FLAT "d-f001.vmdk" 0', 'RW 2 ZERO', 'RW 4 FLAT "d f002.vmdk" 0']),
      [
        { kind: 'file', file: 'd-f001.vmdk', sectors: 4, offset: 0 },
        { kind: 'zero', sectors: 2 },
        { kind: 'file', file: 'd f002.vmdk', sectors: 4, offset: 0 },
      ],
      5120,
    ],
  ])('reads %s', (_, text, extents, size) => {
    expect(parseDescriptor(text)).toEqual({ ok: true, descriptor: { createType: expect.any(String), extents, size } });
  });

  it.each([
    ['a snapshot delta', descriptor('vmfsSparse', ['RW 2048 VMFSSPARSE "web-01-000001-delta.vmdk"'], ['parentFileNameHint="web-01.vmdk"']), /snapshot delta of web-01\.vmdk/],
    ['an SE sparse disk', descriptor('seSparse', ['RW 2048 SESPARSE "d-sesparse.vmdk"']), /extent type SESPARSE \(createType seSparse\) is not a flat disk image/],
    ['a raw device mapping', descriptor('vmfsPassthroughRawDeviceMap', ['RW 2048 VMFSRDM "d-rdm.vmdk"']), /extent type VMFSRDM/],
    ['a file that is not a descriptor', 'hello', /not a VMDK descriptor/],
    ['a descriptor without extents', descriptor('vmfs', []), /lists no extent/],
  ])('refuses %s, saying why', (_, text, reason) => {
    const parsed = parseDescriptor(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });

  it('recognises binary sparse files by their magic', () => {
    expect(isBinaryVmdk(Buffer.from('KDMV\x01\x00\x00\x00', 'latin1'))).toBe(true);
    expect(isBinaryVmdk(Buffer.from('# Disk DescriptorFile'))).toBe(false);
  });
});

describe('datastore URLs', () => {
  it('splits a backing file name into datastore and path', () => {
    expect(datastorePath('[SAN LUN 01] web 01/web 01.vmdk')).toEqual({ datastore: 'SAN LUN 01', path: 'web 01/web 01.vmdk' });
    expect(datastorePath('/vmfs/volumes/x.vmdk')).toBeNull();
  });

  it('encodes the path, the datacenter path (without its leading slash) and the datastore', () => {
    const url = folderUrl({ base: new URL('https://vc.example.com'), agent: null as never, cookie: () => null, timeoutMs: 1 }, '/Prod/DC 1', 'SAN&1', 'web 01/web#01-flat.vmdk');
    expect(url.href).toBe('https://vc.example.com/folder/web%2001/web%2301-flat.vmdk?dcPath=Prod%2FDC%201&dsName=SAN%261');
  });
});
