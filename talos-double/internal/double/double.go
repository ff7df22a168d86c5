// Package double starts the Talos API double: one gRPC server (mTLS, the double's own CA) listening on every
// simulated node's address, with the talosconfigs a client needs.
package double

import (
	"fmt"
	"net"
	"path/filepath"

	"github.com/cosi-project/runtime/api/v1alpha1"
	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/talos-etcd-defrag/talos-double/internal/apid"
	"github.com/talos-etcd-defrag/talos-double/internal/pki"
	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// Options: ConfigPath is the simulator's JSON config (TALOS_SIM_CONFIG); OutDir receives the talosconfigs
// (default: <config dir>/talos-double); Port is where each node listens (default 50000).
type Options struct {
	ConfigPath string
	OutDir     string
	Port       int
}

// Double is a running double.
type Double struct {
	// Talosconfig is the os:admin talosconfig; the other roles' sit beside it (pki.FileName).
	Talosconfig string
	Bundle      *pki.Bundle
	server      *grpc.Server
}

// Start listens on every node of the config and serves until Stop.
func Start(opts Options) (*Double, error) {
	if opts.Port == 0 {
		opts.Port = 50000
	}
	cfg, err := simconfig.Load(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	if opts.OutDir == "" {
		opts.OutDir = filepath.Join(cfg.Dir, "talos-double")
	}
	var ips, endpoints []string
	for _, n := range cfg.Nodes {
		ips = append(ips, n.Name)
		endpoints = append(endpoints, n.Name)
	}
	bundle, err := pki.New(ips)
	if err != nil {
		return nil, err
	}
	nodes := cfg.DefaultNodes
	if len(nodes) == 0 {
		nodes = endpoints[:1]
	}
	talosconfig, err := bundle.WriteTalosconfigs(opts.OutDir, withPort(endpoints, opts.Port), nodes)
	if err != nil {
		return nil, err
	}
	tlsConfig, err := bundle.ServerTLS()
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(tlsConfig)))
	front := &apid.Server{ConfigPath: opts.ConfigPath, Port: opts.Port}
	machine.RegisterMachineServiceServer(srv, apid.Machine{Server: front})
	v1alpha1.RegisterStateServer(srv, apid.COSI{Server: front})
	d := &Double{Talosconfig: talosconfig, Bundle: bundle, server: srv}
	for _, ip := range ips {
		lis, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(opts.Port)))
		if err != nil {
			srv.Stop()
			return nil, err
		}
		go srv.Serve(lis) //nolint:errcheck
	}
	return d, nil
}

// withPort leaves the default port implicit, as talosconfigs do.
func withPort(hosts []string, port int) []string {
	if port == 50000 {
		return hosts
	}
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = net.JoinHostPort(h, fmt.Sprint(port))
	}
	return out
}

// Stop closes every listener and ends the calls in flight.
func (d *Double) Stop() { d.server.Stop() }
