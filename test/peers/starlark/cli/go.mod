module ferry.test/starlark-cli

go 1.23

require go.starlark.net v0.0.0-20251109183026-be02852a5e1f

require golang.org/x/sys v0.0.0-20220715151400-c0bba94af5f8 // indirect
