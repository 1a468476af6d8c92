// Package blobtest is the contract every blob.Store implementation
// passes: Run(t, open) runs it against the stores open makes.
//
//	blobtest.go  Run and its subtests; LargeSize, Bytes, Put
package blobtest
