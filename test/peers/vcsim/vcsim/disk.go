package main

// A VM's virtual disk as vcsim keeps it: the descriptor file its backing names and the flat
// extent files the descriptor lists, next to it on the datastore (the files the tests write
// through /folder). vcsim itself leaves both files empty: an empty or missing descriptor is a
// disk of the device's capacity that reads as zeros, and so is any part of an extent past the
// end of its file.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strconv"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const sector = 512

// diskSource is where a disk's bytes live: its descriptor on the local file system, and the
// device's capacity for a disk whose descriptor is empty.
type diskSource struct {
	descriptor string
	capacity   int64
}

// sourceOf resolves a disk's backing file (`[LocalDS_0] vm/disk1.vmdk`) on the datastores of
// the VM's host. Callers hold the VM's lock.
func sourceOf(ctx *simulator.Context, vm *simulator.VirtualMachine, disk *types.VirtualDisk) (diskSource, error) {
	backing, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo)
	if !ok {
		return diskSource{}, fmt.Errorf("disk %d has no file backing", disk.Key)
	}
	name := backing.GetVirtualDeviceFileBackingInfo().FileName
	var file object.DatastorePath
	if !file.FromString(name) || vm.Runtime.Host == nil {
		return diskSource{}, fmt.Errorf("disk %d: cannot resolve %q", disk.Key, name)
	}
	host, ok := ctx.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
	if !ok {
		return diskSource{}, fmt.Errorf("disk %d: the VM's host is gone", disk.Key)
	}
	ds, ok := ctx.Map.FindByName(file.Datastore, host.Datastore).(*simulator.Datastore)
	if !ok {
		return diskSource{}, fmt.Errorf("disk %d: no datastore %q on the VM's host", disk.Key, file.Datastore)
	}
	capacity := disk.CapacityInBytes
	if capacity == 0 {
		capacity = disk.CapacityInKB * 1024
	}
	return diskSource{descriptor: path.Join(ds.Summary.Url, file.Path), capacity: capacity}, nil
}

type extent struct {
	file   *os.File // nil: reads as zeros (a ZERO extent, or a file that does not exist)
	size   int64    // of the file, bytes; reads past it are zeros
	offset int64    // where the extent starts in the file, bytes
	length int64
}

// diskImage reads a disk's bytes by offset. Close it when done.
type diskImage struct {
	capacity int64
	extents  []extent
}

var extentLine = regexp.MustCompile(`^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$`)

// openDisk opens a disk's extents as its descriptor lists them (flat and zero extents only: the
// tests write flat disks, as Ferry reads them).
func openDisk(source diskSource) (*diskImage, error) {
	text, err := os.ReadFile(source.descriptor)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return &diskImage{capacity: source.capacity, extents: []extent{{length: source.capacity}}}, nil
	}
	if bytes.HasPrefix(text, []byte("KDMV")) || bytes.HasPrefix(text, []byte("COWD")) {
		return nil, fmt.Errorf("%s is a sparse VMDK, not a descriptor of flat extents", source.descriptor)
	}
	image := &diskImage{}
	lines := bufio.NewScanner(bytes.NewReader(text))
	for lines.Scan() {
		m := extentLine.FindStringSubmatch(string(bytes.TrimSpace(lines.Bytes())))
		if m == nil {
			continue
		}
		sectors, _ := strconv.ParseInt(m[2], 10, 64)
		e := extent{length: sectors * sector}
		switch m[3] {
		case "ZERO":
		case "FLAT", "VMFS":
			offset, _ := strconv.ParseInt(m[5], 10, 64)
			e.offset = offset * sector
			if e.file, e.size, err = openExtent(path.Join(path.Dir(source.descriptor), m[4])); err != nil {
				image.Close()
				return nil, err
			}
		default:
			image.Close()
			return nil, fmt.Errorf("%s: extent type %s is not flat", source.descriptor, m[3])
		}
		image.extents = append(image.extents, e)
		image.capacity += e.length
	}
	if len(image.extents) == 0 {
		return nil, fmt.Errorf("%s lists no extent", source.descriptor)
	}
	return image, nil
}

func openExtent(name string) (*os.File, int64, error) {
	f, err := os.Open(name)
	if os.IsNotExist(err) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

func (d *diskImage) Close() {
	for _, e := range d.extents {
		if e.file != nil {
			e.file.Close()
		}
	}
}

// holdsData says whether a file holds any of the n bytes at off: a range no file holds reads as
// zeros without looking.
func (d *diskImage) holdsData(off, n int64) bool {
	start := int64(0)
	for _, e := range d.extents {
		end := start + e.length
		if off+n <= start {
			break
		}
		if off < end && e.file != nil && e.offset+max(off, start)-start < e.size {
			return true
		}
		start = end
	}
	return false
}

// readAt fills p with the disk's bytes at off, zeros where no file holds data.
func (d *diskImage) readAt(p []byte, off int64) error {
	clear(p)
	start := int64(0)
	for _, e := range d.extents {
		end := start + e.length
		if off+int64(len(p)) <= start {
			break
		}
		if off < end && e.file != nil {
			from := max(off, start)
			to := min(off+int64(len(p)), end)
			fileFrom := e.offset + from - start
			fileTo := min(e.offset+to-start, e.size)
			if fileFrom < fileTo {
				want := fileTo - fileFrom
				n, err := e.file.ReadAt(p[from-off:from-off+want], fileFrom)
				if err != nil && !(err == io.EOF && int64(n) == want) {
					return err
				}
			}
		}
		start = end
	}
	return nil
}
