// Package cluster is edgefn's peer membership and replication transport.
//
// Membership and failure detection come from hashicorp/memberlist (gossip
// over UDP and TCP on one port, encrypted with a key derived from the
// cluster key). Data never rides the gossip: records move over
// authenticated, encrypted TCP streams on the same port (a first byte that
// memberlist never sends tells them apart), in two ways:
//
//   - push: each node tails its store's change feed and sends its own
//     writes, in batches, to every live peer as soon as they are committed;
//   - anti-entropy: every few seconds each node compares bucket digests
//     with each peer, namespace by namespace, and exchanges exactly the
//     records one side lacks or holds older. A staggered session also runs
//     when a peer joins, and at once when a push to it was cut off.
//
// Tombstones are collected only below the change number every tracked
// member has synced past, or after the grace period. A node that has not
// synced with anyone for longer than the grace period rejoins pull-only:
// it takes its peers' data, forgets what they may have deleted while it was
// away, and sends nothing until it has caught up.
//
// The store is the Replica interface declared here; cluster knows nothing
// of how records are stored, nor of JavaScript, HTTP or deployments, and
// must never learn. Faults (drop, delay, duplicate, reorder, partition,
// pause) can be injected at the transport seams for tests only.
package cluster
