package apid

import (
	"context"
	"sync"
	"time"

	"github.com/siderolabs/talos/pkg/machinery/api/common"
	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/talos-etcd-defrag/talos-double/internal/machined"
	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// Machine is machine.MachineService for the RPCs the tool's talosctl commands use; every other RPC is
// Unimplemented.
type Machine struct {
	machine.UnimplementedMachineServiceServer
	*Server
}

const svc = "/machine.MachineService/"

type (
	node  = machined.Node
	fault = simconfig.Resolved
	ctxT  = context.Context
)

func (m Machine) EtcdStatus(ctx ctxT, _ *emptypb.Empty) (*machine.EtcdStatusResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"EtcdStatus", "status",
		func(ctx ctxT, n node, _ fault) (*machine.EtcdStatus, error) { return n.EtcdStatus(ctx) })
	return &machine.EtcdStatusResponse{Messages: msgs}, err
}

func (m Machine) EtcdMemberList(ctx ctxT, in *machine.EtcdMemberListRequest) (*machine.EtcdMemberListResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"EtcdMemberList", "members",
		func(ctx ctxT, n node, _ fault) (*machine.EtcdMembers, error) {
			return n.EtcdMemberList(ctx, in.QueryLocal)
		})
	return &machine.EtcdMemberListResponse{Messages: msgs}, err
}

func (m Machine) EtcdDefragment(ctx ctxT, _ *emptypb.Empty) (*machine.EtcdDefragmentResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"EtcdDefragment", "defrag",
		func(ctx ctxT, n node, f fault) (*machine.EtcdDefragment, error) {
			return n.EtcdDefragment(ctx, time.Duration(f.DelayMs)*time.Millisecond)
		})
	return &machine.EtcdDefragmentResponse{Messages: msgs}, err
}

func (m Machine) EtcdAlarmList(ctx ctxT, _ *emptypb.Empty) (*machine.EtcdAlarmListResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"EtcdAlarmList", "alarm list",
		func(ctx ctxT, n node, _ fault) (*machine.EtcdAlarm, error) { return n.EtcdAlarmList(ctx) })
	return &machine.EtcdAlarmListResponse{Messages: msgs}, err
}

func (m Machine) EtcdAlarmDisarm(ctx ctxT, _ *emptypb.Empty) (*machine.EtcdAlarmDisarmResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"EtcdAlarmDisarm", "alarm disarm",
		func(ctx ctxT, n node, _ fault) (*machine.EtcdAlarmDisarm, error) { return n.EtcdAlarmDisarm(ctx) })
	return &machine.EtcdAlarmDisarmResponse{Messages: msgs}, err
}

func (m Machine) EtcdForfeitLeadership(ctx ctxT, _ *machine.EtcdForfeitLeadershipRequest) (*machine.EtcdForfeitLeadershipResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"EtcdForfeitLeadership", "forfeit-leadership",
		func(ctx ctxT, n node, _ fault) (*machine.EtcdForfeitLeadership, error) {
			return n.EtcdForfeitLeadership(ctx)
		})
	return &machine.EtcdForfeitLeadershipResponse{Messages: msgs}, err
}

func (m Machine) Processes(ctx ctxT, _ *emptypb.Empty) (*machine.ProcessesResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"Processes", "processes",
		func(_ ctxT, n node, _ fault) (*machine.Process, error) { return n.Processes() })
	return &machine.ProcessesResponse{Messages: msgs}, err
}

func (m Machine) Mounts(ctx ctxT, _ *emptypb.Empty) (*machine.MountsResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"Mounts", "mounts",
		func(_ ctxT, n node, f fault) (*machine.Mounts, error) { return n.Mounts(f.DiskAvailableBytes) })
	return &machine.MountsResponse{Messages: msgs}, err
}

// Version has no fault key of its own in the simulator: only a node's faults apply.
func (m Machine) Version(ctx ctxT, _ *emptypb.Empty) (*machine.VersionResponse, error) {
	msgs, err := unary(m.Server, ctx, svc+"Version", "version",
		func(_ ctxT, n node, _ fault) (*machine.Version, error) { return n.Version(), nil })
	return &machine.VersionResponse{Messages: msgs}, err
}

// EtcdSnapshot streams chunks. Fanned out, every chunk carries metadata.hostname and a node's error is one
// more message {metadata{hostname, error, status}} (BuildError for a stream); the call itself ends OK.
func (m Machine) EtcdSnapshot(in *machine.EtcdSnapshotRequest, srv machine.MachineService_EtcdSnapshotServer) error {
	ctx := srv.Context()
	cfg, err := m.load()
	if err != nil {
		return err
	}
	t, err := route(ctx, svc+"EtcdSnapshot")
	if err != nil {
		return err
	}
	var mu sync.Mutex
	run := func(name string, send func(*common.Data) error) error {
		return m.callNode(ctx, cfg, name, call{svc + "EtcdSnapshot", "snapshot",
			func(ctx ctxT, n node, _ fault) error { return n.EtcdSnapshot(ctx, send) }})
	}
	if !t.many {
		return run(t.nodes[0], srv.Send)
	}
	var wg sync.WaitGroup
	for _, name := range t.nodes {
		wg.Go(func() {
			send := func(d *common.Data) error {
				stamp(d, &common.Metadata{Hostname: name})
				mu.Lock()
				defer mu.Unlock()
				return srv.Send(d)
			}
			if err := run(name, send); err != nil {
				send(&common.Data{Metadata: errorMetadata(name, err)}) //nolint:errcheck
			}
		})
	}
	wg.Wait()
	return nil
}
