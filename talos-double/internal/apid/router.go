// Package apid is the double's front door, as apid is a real node's: it routes each call by its gRPC
// metadata, to one node (`node`, v1.14's talosctl, or none: the endpoint itself) or to several (`nodes`, up to
// v1.13), and in the latter case concatenates the replies with metadata.hostname stamped and turns each
// node's error into a reply {metadata{hostname, error, status}}, as apid's backend.APID AppendInfo and
// BuildError do. The node's own answer (machined) comes from package machined.
package apid

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/siderolabs/talos/pkg/machinery/api/common"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/talos-etcd-defrag/talos-double/internal/machined"
	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// Server serves every simulated node; ConfigPath is read afresh on every call.
type Server struct {
	ConfigPath string
	// Port is where a real node's apid listens (50000): it appears in the text of unreachable nodes' errors.
	Port int
}

// target is where a call goes: one node, or several (fan-out).
type target struct {
	many  bool
	nodes []string
}

// route is apid's director.Router.Director for the double's methods.
func route(ctx context.Context, method string) (target, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	nodes, okNodes := md["nodes"]
	node, okNode := md["node"]
	if okNode && len(node) != 1 {
		return target{}, status.Error(codes.InvalidArgument, "node metadata must be single-valued")
	}
	switch {
	case okNodes:
		if !strings.HasPrefix(method, "/machine.MachineService/") {
			return target{}, status.Errorf(codes.InvalidArgument,
				"one-2-many proxying is not supported for method %s", method)
		}
		return target{many: true, nodes: nodes}, nil
	case okNode:
		return target{nodes: node}, nil
	default:
		return target{nodes: []string{localNode(ctx)}}, nil
	}
}

// localNode is the endpoint the client connected to: the double listens on each node's own address.
func localNode(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.LocalAddr != nil {
		if host, _, err := net.SplitHostPort(p.LocalAddr.String()); err == nil {
			return host
		}
	}
	return ""
}

// call is one node's share of a call, as apid's backend connection and machined see it: an unreachable
// node fails as apid's dial does, then machined's role check, then the config's barrier (simconfig.Barrier) and
// faults, then the node's own answer. command is the simulator's fault key ("status", "alarm list", ...).
type call struct {
	method, command string
	fn              func(ctx context.Context, n machined.Node, f simconfig.Resolved) error
}

func (s *Server) callNode(ctx context.Context, cfg *simconfig.Config, name string, c call) error {
	node, known := cfg.Node(name)
	fault := cfg.Resolve(name, c.command)
	if !known || fault.Unreachable {
		return status.Errorf(codes.Unavailable,
			"connection error: desc = \"transport: Error while dialing: dial tcp %s: connect: connection refused\"",
			net.JoinHostPort(name, fmt.Sprint(s.Port)))
	}
	if !authorized(ctx, c.method) || fault.PermissionDenied {
		return status.Error(codes.PermissionDenied, "not authorized")
	}
	if err := cfg.Barrier.Wait(ctx, c.command); err != nil {
		return toStatus(err)
	}
	if fault.Hang {
		<-ctx.Done()
		return toStatus(ctx.Err())
	}
	if fault.DelayMs > 0 && c.command != "defrag" { // a slow defrag is etcd's work: machined delays it
		select {
		case <-time.After(time.Duration(fault.DelayMs) * time.Millisecond):
		case <-ctx.Done():
			return toStatus(ctx.Err())
		}
	}
	logCall(cfg, name, c.method)
	return toStatus(c.fn(ctx, machined.Node{Config: cfg, Node: node}, fault))
}

// logCall appends {node, method, start} to <config dir>/double-calls.jsonl as a node starts on a call (after
// its faults' delays), so that a test can act while a call is in flight without guessing at timing.
func logCall(cfg *simconfig.Config, node, method string) {
	line, _ := json.Marshal(map[string]any{"node": node, "method": method, "start": time.Now().UnixMilli()})
	f, err := os.OpenFile(filepath.Join(cfg.Dir, "double-calls.jsonl"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()             //nolint:errcheck
	f.Write(append(line, '\n')) //nolint:errcheck
}

// toStatus is what grpc-go's server makes of a handler's error: its status, or Unknown with its text
// (Canceled or DeadlineExceeded for a context's error).
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if st, ok := status.FromError(err); ok {
		return st.Err()
	}
	return status.FromContextError(err).Err()
}

// stamp merges metadata into a reply message's `metadata` field (field 1 of every Talos reply).
func stamp(msg proto.Message, md *common.Metadata) {
	r := msg.ProtoReflect()
	fd := r.Descriptor().Fields().ByName("metadata")
	if r.Has(fd) {
		proto.Merge(r.Get(fd).Message().Interface(), md)
		return
	}
	r.Set(fd, protoreflect.ValueOfMessage(md.ProtoReflect()))
}

// errorMetadata is apid's BuildError: the node's error as reply metadata.
func errorMetadata(node string, err error) *common.Metadata {
	return &common.Metadata{Hostname: node, Error: err.Error(), Status: status.Convert(err).Proto()}
}

func (s *Server) load() (*simconfig.Config, error) {
	cfg, err := simconfig.Load(s.ConfigPath)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "talos-double: %v", err)
	}
	return cfg, nil
}

// unary runs a unary call on its target: one node's reply or error as is, or every node's reply (stamped)
// in the order they answer, errors as replies.
func unary[X any, PX interface {
	*X
	proto.Message
}](s *Server, ctx context.Context, method, command string,
	one func(ctx context.Context, n machined.Node, f simconfig.Resolved) (PX, error),
) ([]PX, error) {
	cfg, err := s.load()
	if err != nil {
		return nil, err
	}
	t, err := route(ctx, method)
	if err != nil {
		return nil, err
	}
	run := func(name string) (PX, error) {
		var msg PX
		err := s.callNode(ctx, cfg, name, call{method, command,
			func(ctx context.Context, n machined.Node, f simconfig.Resolved) (err error) {
				msg, err = one(ctx, n, f)
				return err
			}})
		return msg, err
	}
	if !t.many {
		msg, err := run(t.nodes[0])
		if err != nil {
			return nil, err
		}
		return []PX{msg}, nil
	}
	replies := make(chan PX, len(t.nodes))
	for _, name := range t.nodes {
		go func() {
			msg, err := run(name)
			if err != nil {
				msg = PX(new(X))
				stamp(msg, errorMetadata(name, err))
			} else {
				stamp(msg, &common.Metadata{Hostname: name})
			}
			replies <- msg
		}()
	}
	out := make([]PX, 0, len(t.nodes))
	for range t.nodes {
		out = append(out, <-replies)
	}
	return out, nil
}
