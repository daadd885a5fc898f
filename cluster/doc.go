// Package cluster is edgefn's peer membership and replication transport.
//
// Membership and failure detection come from hashicorp/memberlist; data moves
// over authenticated TCP streams between peers. It moves bytes and knows
// nothing of JavaScript or of how records are stored: the store it replicates
// is a small interface declared here.
package cluster
