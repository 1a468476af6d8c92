//go:build !linux

package main

import (
	"errors"
	"syscall"
)

// The runner needs Linux (network namespaces); elsewhere it builds, and
// says so when run with -netns (the default).

func loopbackUp() error { return errors.New("network namespaces need Linux") }

func groupAttr() *syscall.SysProcAttr { return nil }

func childAttr() *syscall.SysProcAttr { return nil }

func killGroup(int) {}
