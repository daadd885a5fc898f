// Package edge is an edgefn node: the fasthttp front door, routing of
// requests to deployments and their versions, the development server that
// rebuilds on change, and (as the platform grows) triggers, the admin API,
// logs and metrics.
//
// edge converts every HTTP request into a plain isolate.Request and hands it
// to the isolate.Pool of the deployment version it routes to; isolate never
// sees a fasthttp type. edge must not run JavaScript itself, and must keep
// per-request work on the hot path free of needless allocations: it is the
// largest share of a request's cost after the handler.
package edge
