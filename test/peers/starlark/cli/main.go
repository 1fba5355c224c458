// Command starlark runs a Starlark file (or -c program) with the reference implementation,
// go.starlark.net at the version migration-manager pins (see go.mod), for Ferry's differential
// tests, fuzzer and benchmarks.
//
// It is Ferry's own small main rather than go.starlark.net/cmd/starlark: upstream's command
// predeclares math and time, sets its dialect through the deprecated global resolver flags and
// has no batch mode. Here print() writes to stdout; an error prints starlark-go's backtrace to
// stderr and exits 1. Each dialect flag sets exactly one field of syntax.FileOptions.
//
// With -batch, it reads programs to run from stdin, one JSON line each:
// {"file": "x.star", "options": ["set", "while"]} (options named as the flags below, which
// replace the command line's). Each runs on a fresh thread in this process, and its outcome is
// written to stdout as one JSON line {"status", "stdout", "stderr"}, output bytes as Latin-1
// code points so that invalid UTF-8 round-trips. A program that makes the interpreter panic
// reports status 2 and the panic. The fuzzer uses it to avoid starting a process per program.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	starlarkjson "go.starlark.net/lib/json"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

var (
	program           = flag.String("c", "", "execute `program` instead of a file")
	allowSet          = flag.Bool("set", false, "allow the set built-in (FileOptions.Set)")
	allowWhile        = flag.Bool("while", false, "allow while statements (FileOptions.While)")
	topLevelControl   = flag.Bool("toplevelcontrol", false, "allow if/for/while statements at top level (FileOptions.TopLevelControl)")
	globalReassign    = flag.Bool("globalreassign", false, "allow reassignment of top-level names (FileOptions.GlobalReassign)")
	recursion         = flag.Bool("recursion", false, "allow recursive functions (FileOptions.Recursion)")
	loadBindsGlobally = flag.Bool("loadbindsglobally", false, "load binds globals, not file-locals (FileOptions.LoadBindsGlobally)")
	clock             = flag.Bool("clock", false, "predeclare clock_ns() (for benchmarks only; scripts are otherwise clock-free)")
	maxSteps          = flag.Uint64("max-steps", 0, "cancel execution after this many steps (0: unlimited)")
	batch             = flag.Bool("batch", false, "run every file argument and write one JSON line per file")
)

func main() {
	flag.Parse()
	opts := &syntax.FileOptions{
		Set:               *allowSet,
		While:             *allowWhile,
		TopLevelControl:   *topLevelControl,
		GlobalReassign:    *globalReassign,
		Recursion:         *recursion,
		LoadBindsGlobally: *loadBindsGlobally,
	}

	switch {
	case *batch && *program == "" && flag.NArg() == 0:
		if err := runBatch(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	case *program != "" && flag.NArg() == 0:
		os.Exit(run(opts, "cmdline", *program, os.Stdout, os.Stderr))
	case *program == "" && flag.NArg() == 1:
		os.Exit(run(opts, flag.Arg(0), nil, os.Stdout, os.Stderr))
	default:
		fmt.Fprintln(os.Stderr, "usage: starlark [-set] [-while] [-toplevelcontrol] [-globalreassign] [-recursion] [-loadbindsglobally] [-clock] [-max-steps N] (-c program | file.star | -batch < requests.jsonl)")
		os.Exit(2)
	}
}

type request struct {
	File    string   `json:"file"`
	Options []string `json:"options"`
}

type outcome struct {
	Status int    `json:"status"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
}

func runBatch(in io.Reader, out io.Writer) error {
	requests := bufio.NewScanner(in)
	requests.Buffer(make([]byte, 1<<20), 1<<26)
	results := json.NewEncoder(out)
	for requests.Scan() {
		var req request
		if err := json.Unmarshal(requests.Bytes(), &req); err != nil {
			return fmt.Errorf("bad request %q: %v", requests.Text(), err)
		}
		opts := &syntax.FileOptions{}
		for _, name := range req.Options {
			switch name {
			case "set":
				opts.Set = true
			case "while":
				opts.While = true
			case "toplevelcontrol":
				opts.TopLevelControl = true
			case "globalreassign":
				opts.GlobalReassign = true
			case "recursion":
				opts.Recursion = true
			case "loadbindsglobally":
				opts.LoadBindsGlobally = true
			default:
				return fmt.Errorf("unknown option %q", name)
			}
		}
		var stdout, stderr bytes.Buffer
		status := runRecovering(opts, req.File, &stdout, &stderr)
		if err := results.Encode(outcome{status, latin1(stdout.Bytes()), latin1(stderr.Bytes())}); err != nil {
			return err
		}
	}
	return requests.Err()
}

// runRecovering is run, with a panic of the interpreter reported as status 2.
func runRecovering(opts *syntax.FileOptions, filename string, stdout, stderr *bytes.Buffer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "panic: %v\n", r)
			status = 2
		}
	}()
	return run(opts, filename, nil, stdout, stderr)
}

// latin1 maps each byte to the code point of the same value.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// run executes one program on a fresh thread and returns its exit status.
func run(opts *syntax.FileOptions, filename string, src interface{}, stdout, stderr io.Writer) int {
	predeclared := starlark.StringDict{
		"json":   starlarkjson.Module,
		"struct": starlark.NewBuiltin("struct", starlarkstruct.Make),
	}
	if *clock {
		start := time.Now()
		predeclared["clock_ns"] = starlark.NewBuiltin("clock_ns", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.MakeInt64(time.Since(start).Nanoseconds()), nil
		})
	}
	thread := &starlark.Thread{
		Name:  "main",
		Print: func(_ *starlark.Thread, msg string) { fmt.Fprintln(stdout, msg) },
	}
	if *maxSteps > 0 {
		thread.SetMaxExecutionSteps(*maxSteps)
	}
	if _, err := starlark.ExecFileOptions(opts, thread, filename, src, predeclared); err != nil {
		if evalErr, ok := err.(*starlark.EvalError); ok {
			fmt.Fprintln(stderr, evalErr.Backtrace())
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	return 0
}
