// Package kv is edgefn's replicated key-value store on Badger.
//
// It holds namespaces of versioned records (a hybrid logical clock timestamp
// plus the writing node's id), tombstones for deletes, TTLs and metadata, and
// merges records written elsewhere last-writer-wins. It knows nothing of
// JavaScript or the network: the isolate binding and the cluster replicator
// are its consumers and declare the small interfaces they need.
package kv
