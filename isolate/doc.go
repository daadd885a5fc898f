// Package isolate runs JavaScript request handlers in pooled goja runtimes.
//
// It bundles user code with esbuild ([Build]), compiles it once into a
// [Script] shared by every runtime, and keeps a [Pool] of warm runtimes per
// deployment version. One goroutine at a time uses a runtime: the caller of
// [Pool.Do] runs a request's dispatch turn itself, and the runtime's own
// goroutine takes over a request whose work outlives that turn, running its
// event loop (promises, microtasks, timers and callbacks from Go work); other
// goroutines reach it only by posting messages to that loop. The Web platform
// globals (Request, Response, Headers, console, timers...) are defined one per
// file and installed from the list in globals.go.
//
// The package enforces per-deployment limits (wall time, CPU time, call stack
// depth, memory guard, regexp backtracking) and discards any runtime that was
// interrupted or broke a limit: goja leaves a runtime interrupted inside async
// code in an undefined state.
//
// isolate must never import an HTTP server, the KV store or the cluster: it
// sees requests as plain Go values ([Request], [Response]) and reaches host
// services only through the binding interfaces it declares.
package isolate
