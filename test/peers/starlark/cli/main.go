// Command starlark runs a Starlark file (or -c program) with the reference implementation
// from Debian's golang-starlark-dev, for Ferry's differential tests and benchmarks.
//
// Debian does not package go.starlark.net/cmd/starlark, so this is Ferry's own small main:
// print() writes to stdout; an error prints starlark-go's backtrace to stderr and exits 1.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkjson"
	"go.starlark.net/starlarkstruct"
)

var (
	program        = flag.String("c", "", "execute `program` instead of a file")
	allowSet       = flag.Bool("set", false, "allow the set data type")
	recursion      = flag.Bool("recursion", false, "allow while statements and recursive functions")
	globalReassign = flag.Bool("globalreassign", false, "allow reassignment of globals, and if/for/while at top level")
	clock          = flag.Bool("clock", false, "predeclare clock_ns() (for benchmarks only; scripts are otherwise clock-free)")
	maxSteps       = flag.Uint64("max-steps", 0, "cancel execution after this many steps (0: unlimited)")
)

func main() {
	flag.Parse()
	resolve.AllowSet = *allowSet
	resolve.AllowRecursion = *recursion
	resolve.AllowGlobalReassign = *globalReassign

	var filename string
	var src interface{}
	switch {
	case *program != "" && flag.NArg() == 0:
		filename, src = "cmdline", *program
	case *program == "" && flag.NArg() == 1:
		filename = flag.Arg(0)
	default:
		fmt.Fprintln(os.Stderr, "usage: starlark [-set] [-recursion] [-globalreassign] [-clock] [-max-steps N] (-c program | file.star)")
		os.Exit(2)
	}

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
		Print: func(_ *starlark.Thread, msg string) { fmt.Println(msg) },
	}
	if *maxSteps > 0 {
		thread.SetMaxExecutionSteps(*maxSteps)
	}
	if _, err := starlark.ExecFile(thread, filename, src, predeclared); err != nil {
		if evalErr, ok := err.(*starlark.EvalError); ok {
			fmt.Fprintln(os.Stderr, evalErr.Backtrace())
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
}
