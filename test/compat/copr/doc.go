// Package copr holds the coprocessor compatibility tests: DAG requests built with the official
// tipb Go types (github.com/pingcap/tipb, TiDB 7.1 era) sent through client-go v2.0.7 to every
// region of a table written by the test, with the answers decoded and checked in Go.
package copr
