// The expr-lang peer: compiles and runs include expressions the way migration-manager does,
// so Ferry's answers can be compared with the real implementation's.
//
// It reads JSON lines on stdin and writes one JSON line per request on stdout:
//
//	{"load": [instance, ...]}                 -> {"loaded": n}
//	{"expression": "...", "instance": {...}}  -> {"ok": true, "value": true} | {"ok": false, "phase": "compile"|"run", "error": "..."}
//	{"expression": "...", "all": true}        -> {"compile": {"ok": ...}, "results": [result per loaded instance]}
//	{"version": true}                         -> {"expr": "v1.17.2", "go": "go1.x"}
//
// Instances are in migration-manager's instance JSON (`migration-manager instance list -f json`).
//
// The environment follows migration-manager's batch expression environment as its documentation
// (doc/reference/filters.md) and its observable behaviour describe it: the instance's properties
// after the overrides (name, architecture, cpus and memory when set, config merged), plus os_type,
// distribution (both named string types), distribution_version, source, source_type and
// last_update_from_source (a time.Time); the instance UUID wrapped in .String() by a patcher;
// the untyped functions path_base, path_dir, has_tag and matches_tag; every expr-lang builtin;
// and the environment passed by pointer when running. This program is written for Ferry's tests
// only; it contains no code of migration-manager.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
	"github.com/google/uuid"
)

// OSType and Distro are named string types in migration-manager's API, which changes how
// expr-lang's checker treats them (a named string is not assignable to string).
type OSType string
type Distro string

type Configurable struct {
	Name         string            `json:"name" expr:"name"`
	CPUs         int64             `json:"cpus" expr:"cpus"`
	Memory       int64             `json:"memory" expr:"memory"`
	Config       map[string]string `json:"config" expr:"config"`
	Architecture string            `json:"architecture" expr:"architecture"`
}

type NIC struct {
	UUID             uuid.UUID `json:"uuid" expr:"uuid"`
	SourceSpecificID string    `json:"source_specific_id" expr:"source_specific_id"`
	HardwareAddress  string    `json:"hardware_address" expr:"hardware_address"`
	Location         string    `json:"location" expr:"location"`
	IPv4Address      string    `json:"ipv4_address" expr:"ipv4_address"`
	IPv6Address      string    `json:"ipv6_address" expr:"ipv6_address"`
}

type Disk struct {
	Capacity                 int64  `json:"capacity" expr:"capacity"`
	Name                     string `json:"name" expr:"name"`
	Shared                   bool   `json:"shared" expr:"shared"`
	Supported                bool   `json:"supported" expr:"supported"`
	BackgroundImportVerified bool   `json:"background_import_verified" expr:"background_import_verified"`
}

type Snapshot struct {
	Name string `json:"name" expr:"name"`
}

type Properties struct {
	Configurable
	UUID             uuid.UUID  `json:"uuid" expr:"uuid"`
	SourceSpecificID string     `json:"source_specific_id" expr:"source_specific_id"`
	Location         string     `json:"location" expr:"location"`
	Description      string     `json:"description" expr:"description"`
	OS               string     `json:"os" expr:"os"`
	OSDescription    string     `json:"os_description" expr:"os_description"`
	OSTemplate       string     `json:"os_template" expr:"os_template"`
	SecureBoot       bool       `json:"secure_boot" expr:"secure_boot"`
	LegacyBoot       bool       `json:"legacy_boot" expr:"legacy_boot"`
	TPM              bool       `json:"tpm" expr:"tpm"`
	Running          bool       `json:"running" expr:"running"`
	BackgroundImport bool       `json:"background_import" expr:"background_import"`
	NICs             []NIC      `json:"nics" expr:"nics"`
	Disks            []Disk     `json:"disks" expr:"disks"`
	Snapshots        []Snapshot `json:"snapshots" expr:"snapshots"`
}

// The API type has these two methods, so the environment's method set has them too: a value
// method (callable from an expression) and a pointer one (which shifts method indexes when the
// environment is passed by pointer).
func (p Properties) SupportsBackgroundImport() bool {
	if !p.BackgroundImport {
		return false
	}
	for _, disk := range p.Disks {
		if disk.Supported && !disk.BackgroundImportVerified {
			return false
		}
	}
	return true
}

func (p *Properties) Apply(overrides Configurable) {
	if overrides.Name != "" {
		p.Name = overrides.Name
	}
	if overrides.Architecture != "" {
		p.Architecture = overrides.Architecture
	}
	if overrides.CPUs != 0 {
		p.CPUs = overrides.CPUs
	}
	if overrides.Memory != 0 {
		p.Memory = overrides.Memory
	}
	merged := map[string]string{}
	for key, value := range p.Config {
		merged[key] = value
	}
	for key, value := range overrides.Config {
		merged[key] = value
	}
	p.Config = merged
}

type Filterable struct {
	Properties
	OSType               OSType    `json:"os_type" expr:"os_type"`
	Distribution         Distro    `json:"distribution" expr:"distribution"`
	DistributionVersion  string    `json:"distribution_version" expr:"distribution_version"`
	Source               string    `json:"source" expr:"source"`
	SourceType           string    `json:"source_type" expr:"source_type"`
	LastUpdateFromSource time.Time `json:"last_update_from_source" expr:"last_update_from_source"`
}

// The instance document as JSON carries ids and times as strings; an empty time is the zero time.
type document struct {
	UUID             string            `json:"uuid"`
	SourceSpecificID string            `json:"source_specific_id"`
	Location         string            `json:"location"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	OS               string            `json:"os"`
	OSDescription    string            `json:"os_description"`
	OSTemplate       string            `json:"os_template"`
	Architecture     string            `json:"architecture"`
	CPUs             int64             `json:"cpus"`
	Memory           int64             `json:"memory"`
	Config           map[string]string `json:"config"`
	SecureBoot       bool              `json:"secure_boot"`
	LegacyBoot       bool              `json:"legacy_boot"`
	TPM              bool              `json:"tpm"`
	Running          bool              `json:"running"`
	BackgroundImport bool              `json:"background_import"`
	NICs             []struct {
		UUID             string `json:"uuid"`
		SourceSpecificID string `json:"source_specific_id"`
		HardwareAddress  string `json:"hardware_address"`
		Location         string `json:"location"`
		IPv4Address      string `json:"ipv4_address"`
		IPv6Address      string `json:"ipv6_address"`
	} `json:"nics"`
	Disks []struct {
		Capacity                 int64  `json:"capacity"`
		Name                     string `json:"name"`
		Shared                   bool   `json:"shared"`
		Supported                *bool  `json:"supported"`
		BackgroundImportVerified bool   `json:"background_import_verified"`
	} `json:"disks"`
	Snapshots           []Snapshot `json:"snapshots"`
	Source              string     `json:"source"`
	SourceType          string     `json:"source_type"`
	OSType              string     `json:"os_type"`
	Distribution        string     `json:"distribution"`
	DistributionVersion string     `json:"distribution_version"`
	LastUpdate          string     `json:"last_update_from_source"`
	Overrides           *struct {
		Name         string            `json:"name"`
		CPUs         int64             `json:"cpus"`
		Memory       int64             `json:"memory"`
		Config       map[string]string `json:"config"`
		Architecture string            `json:"architecture"`
	} `json:"overrides"`
}

func parseUUID(text string) uuid.UUID {
	id, err := uuid.Parse(text)
	if err != nil {
		return uuid.Nil
	}
	return id
}

// filterable builds what an expression sees: the properties after the overrides.
func filterable(doc document) (*Filterable, error) {
	var updated time.Time
	if doc.LastUpdate != "" {
		t, err := time.Parse(time.RFC3339Nano, doc.LastUpdate)
		if err != nil {
			return nil, fmt.Errorf("last_update_from_source: %v", err)
		}
		updated = t
	}
	props := Properties{
		Configurable: Configurable{Name: doc.Name, CPUs: doc.CPUs, Memory: doc.Memory, Config: doc.Config, Architecture: doc.Architecture},
		UUID:         parseUUID(doc.UUID), SourceSpecificID: doc.SourceSpecificID, Location: doc.Location,
		Description: doc.Description, OS: doc.OS, OSDescription: doc.OSDescription, OSTemplate: doc.OSTemplate,
		SecureBoot: doc.SecureBoot, LegacyBoot: doc.LegacyBoot, TPM: doc.TPM, Running: doc.Running,
		BackgroundImport: doc.BackgroundImport,
		NICs:             []NIC{}, Disks: []Disk{}, Snapshots: []Snapshot{},
	}
	for _, nic := range doc.NICs {
		props.NICs = append(props.NICs, NIC{UUID: parseUUID(nic.UUID), SourceSpecificID: nic.SourceSpecificID, HardwareAddress: nic.HardwareAddress, Location: nic.Location, IPv4Address: nic.IPv4Address, IPv6Address: nic.IPv6Address})
	}
	for _, disk := range doc.Disks {
		supported := disk.Supported == nil || *disk.Supported
		props.Disks = append(props.Disks, Disk{Capacity: disk.Capacity, Name: disk.Name, Shared: disk.Shared, Supported: supported, BackgroundImportVerified: disk.BackgroundImportVerified})
	}
	props.Snapshots = append(props.Snapshots, doc.Snapshots...)
	overrides := Configurable{}
	if doc.Overrides != nil {
		overrides = Configurable{Name: doc.Overrides.Name, CPUs: doc.Overrides.CPUs, Memory: doc.Overrides.Memory, Config: doc.Overrides.Config, Architecture: doc.Overrides.Architecture}
	}
	props.Apply(overrides)
	return &Filterable{
		Properties: props, OSType: OSType(doc.OSType), Distribution: Distro(doc.Distribution),
		DistributionVersion: doc.DistributionVersion, Source: doc.Source, SourceType: doc.SourceType,
		LastUpdateFromSource: updated,
	}, nil
}

// uuidPatcher turns a name whose type is uuid.UUID into a call of its String method, as
// migration-manager's patcher does, so `uuid == '…'` compares strings.
type uuidPatcher struct{}

var uuidType = reflect.TypeOf(uuid.UUID{})

func (uuidPatcher) Visit(node *ast.Node) {
	identifier, ok := (*node).(*ast.IdentifierNode)
	if !ok || identifier.Type() != uuidType {
		return
	}
	ast.Patch(node, &ast.CallNode{Callee: &ast.MemberNode{Node: identifier, Property: &ast.StringNode{Value: "String"}}})
}

func oneString(name string, params []any) (string, error) {
	if len(params) != 1 {
		return "", fmt.Errorf("invalid number of arguments, expected 1, got: %d", len(params))
	}
	text, ok := params[0].(string)
	if !ok {
		return "", fmt.Errorf("invalid argument type, expected string, got: %T", params[0])
	}
	return text, nil
}

// tagFunction is has_tag or matches_tag as migration-manager's code behaves (not as its
// documentation says): has_tag tests whether a tag *contains* the text, matches_tag whether a
// tag *equals* it, and with the category "*" each tag.* value is tested whole, commas included.
func tagFunction(config func() map[string]string, substring bool) func(params ...any) (any, error) {
	return func(params ...any) (any, error) {
		if len(params) != 2 {
			return nil, fmt.Errorf("invalid number of arguments, expected <category> <tag>, got %d arguments", len(params))
		}
		category, ok := params[0].(string)
		if !ok {
			return nil, fmt.Errorf("invalid category argument type, expected string, got: %T", params[0])
		}
		tag, ok := params[1].(string)
		if !ok {
			return nil, fmt.Errorf("invalid tag argument type, expected string, got: %T", params[1])
		}
		test := func(value string) bool { return value == tag }
		if substring {
			test = func(value string) bool { return strings.Contains(value, tag) }
		}
		if category == "*" {
			for key, value := range config() {
				if strings.HasPrefix(key, "tag.") && test(value) {
					return true, nil
				}
			}
			return false, nil
		}
		tags, found := config()["tag."+category]
		if !found {
			return false, nil
		}
		for _, value := range strings.Split(tags, ",") {
			if test(value) {
				return true, nil
			}
		}
		return false, nil
	}
}

// compile compiles an expression for one instance; the tag functions close over its config, as
// migration-manager compiles an expression per instance.
func compile(expression string, env *Filterable) (*vm.Program, error) {
	base := Filterable{Properties: Properties{Configurable: Configurable{Config: map[string]string{}}, NICs: []NIC{}, Disks: []Disk{}, Snapshots: []Snapshot{}}}
	config := func() map[string]string { return env.Config }
	return expr.Compile(expression,
		expr.Env(base),
		expr.Patch(uuidPatcher{}),
		expr.Function("path_base", func(params ...any) (any, error) {
			text, err := oneString("path_base", params)
			if err != nil {
				return nil, err
			}
			return filepath.Base(text), nil
		}),
		expr.Function("path_dir", func(params ...any) (any, error) {
			text, err := oneString("path_dir", params)
			if err != nil {
				return nil, err
			}
			return filepath.Dir(text), nil
		}),
		expr.Function("has_tag", tagFunction(config, true)),
		expr.Function("matches_tag", tagFunction(config, false)),
	)
}

type result struct {
	OK    bool   `json:"ok"`
	Value *bool  `json:"value,omitempty"`
	Phase string `json:"phase,omitempty"`
	Error string `json:"error,omitempty"`
}

func failed(phase string, err error) result {
	return result{OK: false, Phase: phase, Error: err.Error()}
}

func evaluate(expression string, env *Filterable) (out result) {
	defer func() {
		if r := recover(); r != nil {
			out = result{OK: false, Phase: "run", Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	program, err := compile(expression, env)
	if err != nil {
		return failed("compile", err)
	}
	value, err := expr.Run(program, env)
	if err != nil {
		return failed("run", err)
	}
	matched, ok := value.(bool)
	if !ok {
		return result{OK: false, Phase: "run", Error: fmt.Sprintf("Include expression %q does not evaluate to boolean result: %v", expression, value)}
	}
	return result{OK: true, Value: &matched}
}

type request struct {
	Load       []document `json:"load"`
	Expression *string    `json:"expression"`
	Instance   *document  `json:"instance"`
	All        bool       `json:"all"`
	Version    bool       `json:"version"`
}

func exprVersion() string {
	info, ok := debug.ReadBuildInfo()
	if ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/expr-lang/expr" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func main() {
	// Dates without a zone and Local() mean UTC, as on a server running in UTC.
	time.Local = time.UTC
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	var loaded []*Filterable
	reply := func(value any) {
		if err := encoder.Encode(value); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		out.Flush()
	}
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var req request
			if jsonErr := json.Unmarshal(line, &req); jsonErr != nil {
				reply(map[string]string{"error": "bad request: " + jsonErr.Error()})
			} else if req.Version {
				reply(map[string]string{"expr": exprVersion(), "go": runtime.Version()})
			} else if req.Load != nil {
				loaded = loaded[:0]
				var loadErr error
				for _, doc := range req.Load {
					env, err := filterable(doc)
					if err != nil {
						loadErr = err
						break
					}
					loaded = append(loaded, env)
				}
				if loadErr != nil {
					reply(map[string]string{"error": loadErr.Error()})
				} else {
					reply(map[string]int{"loaded": len(loaded)})
				}
			} else if req.Expression != nil && req.Instance != nil {
				env, err := filterable(*req.Instance)
				if err != nil {
					reply(map[string]string{"error": err.Error()})
				} else {
					reply(evaluate(*req.Expression, env))
				}
			} else if req.Expression != nil && req.All {
				results := make([]result, len(loaded))
				for i, env := range loaded {
					results[i] = evaluate(*req.Expression, env)
				}
				reply(map[string]any{"results": results})
			} else {
				reply(map[string]string{"error": "bad request: expected load, expression with instance or all, or version"})
			}
		}
		if err != nil {
			return
		}
	}
}
