// Package txn holds the transactional compatibility tests: the official client-go v2.0.7
// txnkv client (BatchCommands on) against our PD + store — Percolator 2PC, async commit,
// 1PC, lock resolution, pessimistic locking, a bank workload under splits, and GC.
package txn
