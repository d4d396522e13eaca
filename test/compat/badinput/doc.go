// Package badinput sends malformed and invalid requests straight over gRPC (kvproto's Go
// types, no client-go retries) and checks each gets a clear error while the store keeps serving.
package badinput
