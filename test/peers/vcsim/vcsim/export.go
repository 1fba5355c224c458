package main

// NFC downloads of disks as vSphere sends them. vcsim's ExportSnapshot makes an HttpNfcLease whose
// device URLs (`/nfc/<lease>/<file>`) serve each backing file as it is on the datastore — for a
// disk, its descriptor. Here the disks of each lease an ExportSnapshot made are remembered, and a
// GET of one answers the disk's bytes as a stream-optimized VMDK, as vSphere does. Anything else
// (another device's file, a PUT of an import lease, an unknown lease) is vcsim's own.

import (
	"bufio"
	"log"
	"net/http"
	"path"
	"sync"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// diskExports are the disks of the live export leases: lease → device URL file name → disk.
type diskExports struct {
	mu     sync.Mutex
	leases map[string]map[string]diskSource
}

func newDiskExports() *diskExports {
	return &diskExports{leases: map[string]map[string]diskSource{}}
}

// exportedSnapshot is the snapshot object an ExportSnapshot call is dispatched to.
type exportedSnapshot struct {
	*simulator.VirtualMachineSnapshot
	exports *diskExports
}

func (s *exportedSnapshot) ExportSnapshot(ctx *simulator.Context, req *types.ExportSnapshot) soap.HasFault {
	res := s.VirtualMachineSnapshot.ExportSnapshot(ctx, req)
	body, ok := res.(*methods.ExportSnapshotBody)
	if !ok || body.Res == nil {
		return res
	}
	vm, ok := ctx.Map.Get(s.Vm).(*simulator.VirtualMachine)
	if !ok {
		return res
	}
	disks := map[string]diskSource{}
	for _, device := range s.Config.Hardware.Device {
		disk, ok := device.(*types.VirtualDisk)
		if !ok {
			continue
		}
		source, err := sourceOf(ctx, vm, disk)
		if err != nil {
			log.Printf("export of %s: %v", vm.Name, err)
			continue
		}
		var file object.DatastorePath
		file.FromString(fileName(disk))
		disks[path.Base(file.Path)] = source // the device URL's name, as vcsim makes it
	}
	s.exports.mu.Lock()
	s.exports.leases[body.Res.Returnval.Value] = disks
	s.exports.mu.Unlock()
	return res
}

func (e *diskExports) forget(lease string) {
	e.mu.Lock()
	delete(e.leases, lease)
	e.mu.Unlock()
}

// serveDisk answers `GET /nfc/{lease}/{name}`.
func (e *diskExports) serveDisk(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	source, ok := e.leases[r.PathValue("lease")][r.PathValue("name")]
	e.mu.Unlock()
	if !ok {
		simulator.ServeNFC(w, r)
		return
	}
	image, err := openDisk(source)
	if err != nil {
		log.Printf("nfc GET %s: %v", r.URL.Path, err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer image.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	out := bufio.NewWriterSize(w, 256*1024)
	err = writeStreamVmdk(out, image, r.PathValue("name"))
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		// Cut the connection: the client sees a broken download, not a short stream.
		log.Printf("nfc GET %s: %v", r.URL.Path, err)
		panic(http.ErrAbortHandler)
	}
}
