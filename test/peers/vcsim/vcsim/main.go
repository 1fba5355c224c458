// Command vcsim runs VMware's vCenter/ESXi simulator from github.com/vmware/govmomi (the version
// test/peers/vcsim/install.sh pins), for Ferry's vmware peer suite and benchmark.
//
// Upstream's vcsim command is a module of its own (github.com/vmware/govmomi/vcsim) that replaces
// govmomi with its parent directory, so it cannot be built from the module proxy: this is Ferry's
// own small main over the simulator library, with the upstream command's model flags. It prints
// `export GOVC_URL=<url> GOVC_SIM_PID=<pid>` once the server listens, and on SIGINT/SIGTERM
// closes the server and removes its temporary datastore directories.
//
// On top of vcsim it answers what Ferry's mover needs (tracking.go, export.go): changed block
// tracking (change ids on the disks of VMs with changeTrackingEnabled, QueryChangedDiskAreas) and
// NFC downloads of disks as stream-optimized VMDKs. The SOAP calls reach them through the
// registry's Handler hook, which picks the object a method call is dispatched to.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	// The optional endpoints (tagging and content library on /rest, lookup, pbm, sts), as upstream.
	_ "github.com/vmware/govmomi/lookup/simulator"
	_ "github.com/vmware/govmomi/pbm/simulator"
	_ "github.com/vmware/govmomi/sts/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator"
)

func main() {
	model := simulator.VPX()

	flag.IntVar(&model.Datacenter, "dc", model.Datacenter, "Number of datacenters")
	flag.IntVar(&model.Cluster, "cluster", model.Cluster, "Number of clusters per datacenter")
	flag.IntVar(&model.ClusterHost, "host", model.ClusterHost, "Number of hosts per cluster")
	flag.IntVar(&model.Host, "standalone-host", model.Host, "Number of standalone hosts per datacenter")
	flag.IntVar(&model.Datastore, "ds", model.Datastore, "Number of local datastores")
	flag.IntVar(&model.Machine, "vm", model.Machine, "Number of virtual machines per resource pool")
	flag.IntVar(&model.Pool, "pool", model.Pool, "Number of resource pools per compute resource")
	flag.IntVar(&model.App, "app", model.App, "Number of virtual apps per compute resource")
	flag.IntVar(&model.Pod, "pod", model.Pod, "Number of storage pods per datacenter")
	flag.IntVar(&model.Portgroup, "pg", model.Portgroup, "Number of distributed port groups per datacenter")
	flag.IntVar(&model.PortgroupNSX, "nsx-pg", model.PortgroupNSX, "Number of NSX backed distributed port groups per datacenter")
	flag.IntVar(&model.OpaqueNetwork, "nsx", model.OpaqueNetwork, "Number of NSX opaque networks per datacenter")
	flag.IntVar(&model.Folder, "folder", model.Folder, "Number of folders")
	flag.BoolVar(&model.Autostart, "autostart", model.Autostart, "Power on the virtual machines the model creates")
	flag.IntVar(&model.DelayConfig.Delay, "delay", model.DelayConfig.Delay, "Delay in milliseconds added to every SOAP call")
	flag.Float64Var(&model.DelayConfig.DelayJitter, "delay-jitter", model.DelayConfig.DelayJitter, "Delay jitter as a coefficient of variation (stddev/mean)")

	isESX := flag.Bool("esx", false, "Simulate a standalone ESX host instead of vCenter")
	isTLS := flag.Bool("tls", true, "Serve HTTPS")
	cert := flag.String("tlscert", "", "Path to a TLS certificate file (PEM)")
	key := flag.String("tlskey", "", "Path to the TLS key file (PEM)")
	listen := flag.String("l", "127.0.0.1:8989", "Listen address (port 0 picks a free port)")
	user := flag.String("username", "", "Login username (any non-empty username is accepted by default)")
	pass := flag.String("password", "", "Login password (any non-empty password is accepted by default)")
	load := flag.String("load", "", "Load the model from a directory (govc object.save output)")
	cbtPage := flag.Int64("cbt-page", 64<<20, "Bytes of disk one QueryChangedDiskAreas answer covers at most (the caller asks again from where it ends)")
	flag.BoolVar(&simulator.Trace, "trace", simulator.Trace, "Write SOAP traffic to stderr")
	flag.Parse()

	if flag.NArg() != 0 {
		log.Fatalf("unexpected arguments: %v", flag.Args())
	}
	if *cbtPage < trackedBlock {
		log.Fatalf("-cbt-page %d: at least %d bytes (one tracked block)", *cbtPage, trackedBlock)
	}

	if *isESX {
		options := model
		model = simulator.ESX()
		// The options that also apply to a single host.
		model.Datastore = options.Datastore
		model.Machine = options.Machine
		model.Autostart = options.Autostart
		model.DelayConfig = options.DelayConfig
	}

	var err error
	if *load != "" {
		err = model.Load(*load)
	} else {
		err = model.Create()
	}
	if err != nil {
		log.Fatal(err)
	}
	defer model.Remove()

	tracking := newChangeTracking(*cbtPage)
	exports := newDiskExports()
	model.Map().Handler = func(ctx *simulator.Context, method *simulator.Method) (mo.Reference, types.BaseMethodFault) {
		handler := dispatch(ctx, method, tracking, exports)
		if handler != nil && ctx.Session != nil {
			// vcsim then looks the object up in the caller's session, which falls back to the
			// inventory and would replace ours: a reference no registry holds keeps it. Nothing
			// else reads method.This (the request body keeps its own _this).
			method.This.Value += "#ferry"
		}
		return handler, nil
	}

	model.Service.RegisterEndpoints = true
	model.Service.ServeMux = http.NewServeMux()
	// More specific than vcsim's own "/nfc/", which serves the rest of the NFC interface.
	model.Service.ServeMux.HandleFunc("GET /nfc/{lease}/{name}", exports.serveDisk)
	model.Service.Listen = &url.URL{Host: *listen}
	if *user != "" || *pass != "" {
		model.Service.Listen.User = url.UserPassword(*user, *pass)
	}
	if *isTLS {
		model.Service.TLS = new(tls.Config)
		if *cert != "" {
			pair, err := tls.LoadX509KeyPair(*cert, *key)
			if err != nil {
				log.Fatal(err)
			}
			model.Service.TLS.Certificates = []tls.Certificate{pair}
		}
	}

	server := model.Service.NewServer()
	u := *server.URL
	u.User = nil
	if *user != "" || *pass != "" {
		u.User = url.UserPassword(*user, *pass)
	}
	fmt.Printf("export GOVC_URL=%s GOVC_SIM_PID=%d\n", u.String(), os.Getpid())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	server.Close()
}

// dispatch picks the object that answers a SOAP call: one of ours wrapping vcsim's for the calls
// change tracking and disk exports extend, nil (vcsim's own) for every other. vcsim then calls it
// under the wrapped object's lock, as its own.
func dispatch(ctx *simulator.Context, method *simulator.Method, tracking *changeTracking, exports *diskExports) mo.Reference {
	switch method.Name {
	case "CreateSnapshot_Task", "PowerOnVM_Task", "QueryChangedDiskAreas":
		if vm, ok := ctx.Map.Get(method.This).(*simulator.VirtualMachine); ok {
			return &trackedVM{VirtualMachine: vm, tracking: tracking}
		}
	case "ExportSnapshot":
		if snapshot, ok := ctx.Map.Get(method.This).(*simulator.VirtualMachineSnapshot); ok {
			return &exportedSnapshot{VirtualMachineSnapshot: snapshot, exports: exports}
		}
	case "HttpNfcLeaseComplete", "HttpNfcLeaseAbort":
		if ctx.Session != nil {
			exports.forget(method.This.Value)
		}
	}
	return nil
}
