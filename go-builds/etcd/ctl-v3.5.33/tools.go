//go:build tools

// Package tools names the main packages this module builds, so that go mod tidy keeps them.
package tools

import (
	_ "go.etcd.io/etcd/etcdctl/v3"
	_ "go.etcd.io/etcd/etcdutl/v3"
)
