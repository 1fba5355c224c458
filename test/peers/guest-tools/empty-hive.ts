// An empty registry hive (a root key and nothing else), written by the test itself: no Debian
// package ships one and hivex cannot create a hive, only edit one. The layout is the "regf"
// format hivex reads (hivex's own lib/hivex-internal.h): a 4 KiB base block, then one 4 KiB
// "hbin" holding the root key's nk cell, the sk cell every key points to, and one free cell.

function putUtf16(block: Buffer, offset: number, text: string): void {
  block.write(text, offset, 'utf16le');
}

export function emptyHive(rootName: string): Buffer {
  const hive = Buffer.alloc(0x2000);
  const base = hive.subarray(0, 0x1000);
  base.write('regf', 0, 'latin1');
  base.writeUInt32LE(1, 0x04); // primary sequence number
  base.writeUInt32LE(1, 0x08); // secondary sequence number (equal: the hive is consistent)
  base.writeUInt32LE(1, 0x14); // major version
  base.writeUInt32LE(3, 0x18); // minor version
  base.writeUInt32LE(0, 0x1c); // primary file
  base.writeUInt32LE(1, 0x20); // direct memory load
  base.writeUInt32LE(0x20, 0x24); // root key cell, relative to the first hbin
  base.writeUInt32LE(0x1000, 0x28); // size of the hbins
  base.writeUInt32LE(1, 0x2c); // clustering factor
  putUtf16(base, 0x30, rootName);
  let checksum = 0;
  for (let at = 0; at < 0x1fc; at += 4) checksum ^= base.readUInt32LE(at);
  base.writeUInt32LE(checksum >>> 0, 0x1fc);

  const bin = hive.subarray(0x1000);
  bin.write('hbin', 0, 'latin1');
  bin.writeUInt32LE(0, 0x04); // offset of this bin from the first
  bin.writeUInt32LE(0x1000, 0x08); // its size

  const nkAt = 0x20;
  const name = Buffer.from(rootName, 'latin1');
  const nkSize = (4 + 0x4c + name.length + 7) & ~7;
  const skAt = nkAt + nkSize;
  bin.writeInt32LE(-nkSize, nkAt); // allocated cells have a negative size
  const nk = bin.subarray(nkAt + 4);
  nk.write('nk', 0, 'latin1');
  nk.writeUInt16LE(0x2c, 0x02); // hive entry (root) | cannot be deleted | ASCII name
  nk.writeUInt32LE(0xffffffff, 0x10); // parent: none
  nk.writeUInt32LE(0, 0x14); // subkeys
  nk.writeUInt32LE(0xffffffff, 0x1c); // subkey list: none
  nk.writeUInt32LE(0xffffffff, 0x20); // volatile subkey list: none
  nk.writeUInt32LE(0, 0x24); // values
  nk.writeUInt32LE(0xffffffff, 0x28); // value list: none
  nk.writeUInt32LE(skAt, 0x2c); // security
  nk.writeUInt32LE(0xffffffff, 0x30); // class name: none
  nk.writeUInt16LE(name.length, 0x48);
  name.copy(nk, 0x4c);

  // A self-relative security descriptor with no owner, group or ACL (revision 1, self-relative).
  const descriptor = Buffer.alloc(20);
  descriptor.writeUInt8(1, 0);
  descriptor.writeUInt16LE(0x8000, 2);
  const skSize = (4 + 0x14 + descriptor.length + 7) & ~7;
  bin.writeInt32LE(-skSize, skAt);
  const sk = bin.subarray(skAt + 4);
  sk.write('sk', 0, 'latin1');
  sk.writeUInt32LE(skAt, 0x04); // the list of security cells is this one alone
  sk.writeUInt32LE(skAt, 0x08);
  sk.writeUInt32LE(1, 0x0c); // referenced by the root key
  sk.writeUInt32LE(descriptor.length, 0x10);
  descriptor.copy(sk, 0x14);

  const freeAt = skAt + skSize;
  bin.writeInt32LE(0x1000 - freeAt, freeAt); // the rest of the bin is one free cell
  return hive;
}
