package main

// Changed block tracking, which vcsim does not model: a VM whose config.changeTrackingEnabled is
// true gets a new change id on each of its disks when a snapshot is taken (CreateSnapshot_Task)
// and when it powers on (PowerOnVM_Task) — the moments vSphere opens a new tracking epoch —, and
// at that moment the hashes of the disk's 64 KiB blocks are recorded under that id. The change id
// lands in the disk's backing (`backing.changeId`), so a snapshot taken at that moment carries it
// in its config, as on vSphere. QueryChangedDiskAreas compares the disk's blocks at the snapshot
// asked for (or now, for a powered-off VM) with those recorded at the change id it is given.
//
// vcsim's snapshots are not frozen copies: "the disk at the snapshot" is the hashes recorded
// when it was taken, while its data (what an export reads) is the disk as it is now.

import (
	"crypto/rand"
	"fmt"
	"hash/maphash"
	"log"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const trackedBlock = 64 * 1024

// changeTracking holds every tracked disk's epochs, by VM and device key.
type changeTracking struct {
	// pageBytes bounds the disk range one QueryChangedDiskAreas answer covers; callers loop.
	pageBytes int64
	seed      maphash.Seed

	mu    sync.Mutex
	disks map[trackedDisk]*diskEpochs
}

type trackedDisk struct {
	vm     string
	device int32
}

// diskEpochs is one disk's tracking history. Its change ids are `<ctk> /<n>` like vSphere's: the
// tracking file's identity (new when tracking starts) and the epoch's sequence number.
type diskEpochs struct {
	ctk    string
	next   int
	blocks map[string]blockHashes
}

type blockHashes struct {
	capacity int64
	hashes   []uint64
}

func newChangeTracking(pageBytes int64) *changeTracking {
	return &changeTracking{pageBytes: pageBytes, seed: maphash.MakeSeed(), disks: map[trackedDisk]*diskEpochs{}}
}

// trackedVM is the VM object a tracked call is dispatched to: vcsim's own, plus the epochs.
type trackedVM struct {
	*simulator.VirtualMachine
	tracking *changeTracking
}

func (vm *trackedVM) CreateSnapshotTask(ctx *simulator.Context, req *types.CreateSnapshot_Task) soap.HasFault {
	vm.tracking.newEpoch(ctx, vm.VirtualMachine)
	return vm.VirtualMachine.CreateSnapshotTask(ctx, req)
}

func (vm *trackedVM) PowerOnVMTask(ctx *simulator.Context, req *types.PowerOnVM_Task) soap.HasFault {
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn && !vm.Config.Template {
		vm.tracking.newEpoch(ctx, vm.VirtualMachine)
	}
	return vm.VirtualMachine.PowerOnVMTask(ctx, req)
}

func (vm *trackedVM) QueryChangedDiskAreas(ctx *simulator.Context, req *types.QueryChangedDiskAreas) soap.HasFault {
	body := new(methods.QueryChangedDiskAreasBody)
	info, message, fault := vm.tracking.changedAreas(ctx, vm.VirtualMachine, req)
	if fault != nil {
		body.Fault_ = simulator.Fault(message, fault)
		return body
	}
	body.Res = &types.QueryChangedDiskAreasResponse{Returnval: info}
	return body
}

func trackingEnabled(vm *simulator.VirtualMachine) bool {
	return vm.Config.ChangeTrackingEnabled != nil && *vm.Config.ChangeTrackingEnabled
}

// newEpoch gives each disk of a tracked VM a new change id and records its blocks under it; a
// VM whose tracking is off loses its disks' change ids and their history. The disks get new
// device objects: a snapshot shares the VM's, and keeps the ones it was taken with.
func (t *changeTracking) newEpoch(ctx *simulator.Context, vm *simulator.VirtualMachine) {
	devices := append([]types.BaseVirtualDevice(nil), vm.Config.Hardware.Device...)
	changed := false
	for i, device := range devices {
		disk, ok := device.(*types.VirtualDisk)
		if !ok {
			continue
		}
		key := trackedDisk{vm: vm.Self.Value, device: disk.Key}
		changeID := ""
		if trackingEnabled(vm) {
			var err error
			if changeID, err = t.record(ctx, vm, disk, key); err != nil {
				log.Printf("change tracking: %s disk %d: %v (no change id)", vm.Name, disk.Key, err)
			}
		} else {
			t.mu.Lock()
			delete(t.disks, key)
			t.mu.Unlock()
		}
		if tracked, ok := withChangeID(disk, changeID); ok {
			devices[i] = tracked
			changed = true
		}
	}
	if changed {
		ctx.Update(vm, []types.PropertyChange{{Name: "config.hardware.device", Val: devices}})
	}
}

func (t *changeTracking) record(ctx *simulator.Context, vm *simulator.VirtualMachine, disk *types.VirtualDisk, key trackedDisk) (string, error) {
	source, err := sourceOf(ctx, vm, disk)
	if err != nil {
		return "", err
	}
	image, err := openDisk(source)
	if err != nil {
		return "", err
	}
	defer image.Close()
	hashes, err := t.hashBlocks(image, 0, blocksOf(image.capacity))
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	epochs := t.disks[key]
	if epochs == nil {
		epochs = &diskEpochs{ctk: newCtkID(), next: 1, blocks: map[string]blockHashes{}}
		t.disks[key] = epochs
	}
	changeID := fmt.Sprintf("%s/%d", epochs.ctk, epochs.next)
	epochs.next++
	epochs.blocks[changeID] = blockHashes{capacity: image.capacity, hashes: hashes}
	return changeID, nil
}

// withChangeID is a copy of the disk whose backing carries the change id ("" for none), or
// false when it already does (or its backing has no change id).
func withChangeID(disk *types.VirtualDisk, changeID string) (*types.VirtualDisk, bool) {
	tracked := *disk
	switch backing := disk.Backing.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		if backing.ChangeId == changeID {
			return disk, false
		}
		b := *backing
		b.ChangeId = changeID
		tracked.Backing = &b
	case *types.VirtualDiskSparseVer2BackingInfo:
		if backing.ChangeId == changeID {
			return disk, false
		}
		b := *backing
		b.ChangeId = changeID
		tracked.Backing = &b
	case *types.VirtualDiskSeSparseBackingInfo:
		if backing.ChangeId == changeID {
			return disk, false
		}
		b := *backing
		b.ChangeId = changeID
		tracked.Backing = &b
	default:
		return disk, false
	}
	return &tracked, true
}

func changeIDOf(disk *types.VirtualDisk) string {
	switch backing := disk.Backing.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		return backing.ChangeId
	case *types.VirtualDiskSparseVer2BackingInfo:
		return backing.ChangeId
	case *types.VirtualDiskSeSparseBackingInfo:
		return backing.ChangeId
	}
	return ""
}

// newCtkID is a tracking file's identity as vSphere prints it: `52 1f … 9a-3c … 0e`.
func newCtkID() string {
	var id [16]byte
	_, _ = rand.Read(id[:])
	id[0] = 0x52
	s := ""
	for i, b := range id {
		switch {
		case i == 8:
			s += "-"
		case i > 0:
			s += " "
		}
		s += fmt.Sprintf("%02x", b)
	}
	return s
}

var changeIDPattern = regexp.MustCompile(`^([0-9a-f]{2}( [0-9a-f]{2}){7}-[0-9a-f]{2}( [0-9a-f]{2}){7})/([0-9]+)$`)

func blocksOf(capacity int64) int64 { return (capacity + trackedBlock - 1) / trackedBlock }

func blockLength(capacity, block int64) int64 {
	return min(trackedBlock, capacity-block*trackedBlock)
}

// hashBlocks hashes blocks [from, to) of a disk; a block no file holds hashes as zeros.
func (t *changeTracking) hashBlocks(image *diskImage, from, to int64) ([]uint64, error) {
	hashes := make([]uint64, 0, to-from)
	buf := make([]byte, trackedBlock)
	for block := from; block < to; block++ {
		length := blockLength(image.capacity, block)
		if !image.holdsData(block*trackedBlock, length) {
			hashes = append(hashes, t.zeroHash(length))
			continue
		}
		if err := image.readAt(buf[:length], block*trackedBlock); err != nil {
			return nil, err
		}
		hashes = append(hashes, maphash.Bytes(t.seed, buf[:length]))
	}
	return hashes, nil
}

var zeros = make([]byte, trackedBlock)

func (t *changeTracking) zeroHash(length int64) uint64 { return maphash.Bytes(t.seed, zeros[:length]) }

// changedAreas answers QueryChangedDiskAreas: the areas of [startOffset, startOffset+page) whose
// blocks differ between the change id's epoch and the snapshot's (or the disk now); changeId "*"
// asks for every area that is not zero. Faults as vSphere's: a change id this disk's tracking
// does not know is a FileFault naming its tracking file, a malformed one an InvalidArgument.
func (t *changeTracking) changedAreas(ctx *simulator.Context, vm *simulator.VirtualMachine, req *types.QueryChangedDiskAreas) (types.DiskChangeInfo, string, types.BaseMethodFault) {
	var none types.DiskChangeInfo
	devices := vm.Config.Hardware.Device
	if req.Snapshot != nil {
		snapshot, ok := ctx.Map.Get(*req.Snapshot).(*simulator.VirtualMachineSnapshot)
		if !ok || snapshot.Vm != vm.Self {
			return none, fmt.Sprintf("A specified parameter was not correct: snapshot (%s is not a snapshot of %s)", req.Snapshot.Value, vm.Name), &types.InvalidArgument{InvalidProperty: "snapshot"}
		}
		devices = snapshot.Config.Hardware.Device
	} else if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		return none, "the current state of a disk can be queried only while the VM is powered off; name a snapshot", &types.InvalidPowerState{
			RequestedState: types.VirtualMachinePowerStatePoweredOff,
			ExistingState:  vm.Runtime.PowerState,
		}
	}
	var disk *types.VirtualDisk
	for _, device := range devices {
		if d, ok := device.(*types.VirtualDisk); ok && d.Key == req.DeviceKey {
			disk = d
		}
	}
	if disk == nil {
		return none, fmt.Sprintf("A specified parameter was not correct: deviceKey (%s has no disk %d)", vm.Name, req.DeviceKey), &types.InvalidArgument{InvalidProperty: "deviceKey"}
	}
	ctk := strings.Replace(fileName(disk), ".vmdk", "-ctk.vmdk", 1)
	if req.ChangeId != "*" && !changeIDPattern.MatchString(req.ChangeId) {
		return none, fmt.Sprintf("A specified parameter was not correct: changeId (%q is not a change id)", req.ChangeId), &types.InvalidArgument{InvalidProperty: "changeId"}
	}
	if !trackingEnabled(vm) {
		return none, fmt.Sprintf("Error caused by file %s: change tracking is not enabled on %s", ctk, vm.Name), &types.FileFault{File: ctk}
	}

	key := trackedDisk{vm: vm.Self.Value, device: req.DeviceKey}
	t.mu.Lock()
	epochs := t.disks[key]
	var since, at *blockHashes
	if epochs != nil {
		if b, ok := epochs.blocks[req.ChangeId]; ok {
			since = &b
		}
		if req.Snapshot != nil {
			if b, ok := epochs.blocks[changeIDOf(disk)]; ok {
				at = &b
			}
		}
	}
	t.mu.Unlock()
	if since == nil && req.ChangeId != "*" {
		return none, fmt.Sprintf("Error caused by file %s: change id %s is not one of this disk's", ctk, req.ChangeId), &types.FileFault{File: ctk}
	}
	if req.Snapshot != nil && at == nil {
		return none, fmt.Sprintf("Error caused by file %s: the snapshot's disk has no change id", ctk), &types.FileFault{File: ctk}
	}

	var image *diskImage
	capacity := int64(0)
	if at != nil {
		capacity = at.capacity
	} else {
		source, err := sourceOf(ctx, vm, disk)
		if err == nil {
			image, err = openDisk(source)
		}
		if err != nil {
			return none, fmt.Sprintf("Error caused by file %s: %v", fileName(disk), err), &types.FileFault{File: fileName(disk)}
		}
		defer image.Close()
		capacity = image.capacity
	}
	if req.StartOffset < 0 || req.StartOffset >= capacity {
		return none, fmt.Sprintf("A specified parameter was not correct: startOffset (%d is outside the disk's %d bytes)", req.StartOffset, capacity), &types.InvalidArgument{InvalidProperty: "startOffset"}
	}

	end := min(capacity, req.StartOffset+t.pageBytes)
	from, to := req.StartOffset/trackedBlock, blocksOf(end)
	var now []uint64
	if at != nil {
		now = at.hashes[from:to]
	} else {
		var err error
		if now, err = t.hashBlocks(image, from, to); err != nil {
			return none, fmt.Sprintf("Error caused by file %s: %v", fileName(disk), err), &types.FileFault{File: fileName(disk)}
		}
	}
	info := types.DiskChangeInfo{StartOffset: req.StartOffset, Length: end - req.StartOffset}
	for i, hash := range now {
		block := from + int64(i)
		length := blockLength(capacity, block)
		var changed bool
		if since == nil {
			changed = hash != t.zeroHash(length)
		} else {
			changed = block >= int64(len(since.hashes)) || since.hashes[block] != hash || blockLength(since.capacity, block) != length
		}
		if !changed {
			continue
		}
		start := max(block*trackedBlock, req.StartOffset)
		stop := min(block*trackedBlock+length, end)
		if n := len(info.ChangedArea); n > 0 && info.ChangedArea[n-1].Start+info.ChangedArea[n-1].Length == start {
			info.ChangedArea[n-1].Length += stop - start
		} else {
			info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: start, Length: stop - start})
		}
	}
	return info, "", nil
}

func fileName(disk *types.VirtualDisk) string {
	if backing, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
		return backing.GetVirtualDeviceFileBackingInfo().FileName
	}
	return "disk " + strconv.Itoa(int(disk.Key))
}
