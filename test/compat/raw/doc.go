// Package raw holds the RawKV compatibility tests: the official client-go v2.0.7 rawkv client
// (BatchCommands on) against our PD + store, over many regions.
package raw
