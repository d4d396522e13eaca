// Package crash holds the durability test: acknowledged writes survive kill -9 of the store.
package crash
