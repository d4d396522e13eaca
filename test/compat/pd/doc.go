// Package pd tests our pd_server alone with the official PD client and etcd client that
// client-go v2.0.7 uses, and the process harness itself (start, ready, SIGTERM exit 0).
package pd
