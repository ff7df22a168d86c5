// Package machined answers for one simulated Talos node what machined answers on a real one: the etcd RPCs
// over the node's own etcd member, Processes, Mounts, Version and the EtcdSpec resource. Each function mirrors
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go at Talos v1.13.9: the same etcd client
// calls and the same error wrapping (a plain Go error reaches the client as code Unknown).
package machined

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/coreos/go-semver/semver"
	"github.com/siderolabs/talos/pkg/machinery/api/common"
	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// Node is one simulated node as machined sees it: its config entry and the whole cluster's config.
type Node struct {
	Config *simconfig.Config
	simconfig.Node
}

// newClient is Talos's etcd.NewClient: a 5 s dial timeout, the request's context.
func newClient(ctx context.Context, endpoints []string) (*clientv3.Client, error) {
	c, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: 5 * time.Second,
		Context:     ctx,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		return nil, fmt.Errorf("error building etcd client: %w", err)
	}
	return c, nil
}

// localClient stands for etcd.NewLocalClient (localhost:2379 on a real node).
func (n Node) localClient(ctx context.Context) (*clientv3.Client, error) {
	return newClient(ctx, []string{n.ClientURL})
}

// clusterClient stands for etcd.NewClientFromControlPlaneIPs: every control plane's member, shuffled.
func (n Node) clusterClient(ctx context.Context) (*clientv3.Client, error) {
	var endpoints []string
	for _, other := range n.Config.Nodes {
		if !n.Config.IsWorker(other.Name) {
			endpoints = append(endpoints, other.ClientURL)
		}
	}
	rand.Shuffle(len(endpoints), func(i, j int) { endpoints[i], endpoints[j] = endpoints[j], endpoints[i] })
	return newClient(ctx, endpoints)
}

// checkControlplane is machinehelper.CheckControlplane.
func (n Node) checkControlplane(api string) error {
	if n.Config.IsWorker(n.Name) {
		return status.Errorf(codes.Unimplemented, "%s is only available on control plane nodes", api)
	}
	return nil
}

// EtcdStatus is the local member's status; etcd < 3.6 sends no storage version, Talos makes one up.
func (n Node) EtcdStatus(ctx context.Context) (*machine.EtcdStatus, error) {
	if err := n.checkControlplane("etcd status"); err != nil {
		return nil, err
	}
	client, err := n.localClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to create etcd client: %w", err)
	}
	defer client.Close() //nolint:errcheck
	resp, err := client.Status(ctx, n.ClientURL)
	if err != nil {
		return nil, fmt.Errorf("failed to query etcd status: %w", err)
	}
	storageVersion := StorageVersion(resp.StorageVersion, resp.Version)
	return &machine.EtcdStatus{MemberStatus: &machine.EtcdMemberStatus{
		MemberId:         resp.Header.MemberId,
		ProtocolVersion:  resp.Version,
		DbSize:           resp.DbSize,
		DbSizeInUse:      resp.DbSizeInUse,
		Leader:           resp.Leader,
		RaftIndex:        resp.RaftIndex,
		RaftTerm:         resp.RaftTerm,
		RaftAppliedIndex: resp.RaftAppliedIndex,
		StorageVersion:   storageVersion,
		Errors:           resp.Errors,
		IsLearner:        resp.IsLearner,
	}}, nil
}

// StorageVersion is etcd's, or on etcd < 3.6 (which sends none) made up from the server version as Talos
// does: major.minor.0, "unknown" when that does not parse.
func StorageVersion(storage, server string) string {
	if storage != "" {
		return storage
	}
	if v, err := semver.NewVersion(server); err == nil {
		return fmt.Sprintf("%d.%d.0", v.Major, v.Minor)
	}
	return "unknown"
}

// EtcdMemberList is linearizable (WithRequireLeader); unwrapped errors, as in Talos.
func (n Node) EtcdMemberList(ctx context.Context, queryLocal bool) (*machine.EtcdMembers, error) {
	if err := n.checkControlplane("member list"); err != nil {
		return nil, err
	}
	var (
		client *clientv3.Client
		err    error
	)
	if queryLocal {
		client, err = n.localClient(ctx)
	} else {
		client, err = n.clusterClient(ctx)
	}
	if err != nil {
		return nil, err
	}
	defer client.Close() //nolint:errcheck
	resp, err := client.MemberList(clientv3.WithRequireLeader(ctx))
	if err != nil {
		return nil, err
	}
	out := &machine.EtcdMembers{}
	for _, m := range resp.Members {
		out.LegacyMembers = append(out.LegacyMembers, m.GetName())
		out.Members = append(out.Members, &machine.EtcdMember{
			Id:         m.GetID(),
			Hostname:   m.GetName(),
			PeerUrls:   m.GetPeerURLs(),
			ClientUrls: m.GetClientURLs(),
			IsLearner:  m.GetIsLearner(),
		})
	}
	return out, nil
}

// EtcdDefragment runs Defragment on the local member. etcd goes on defragmenting when the caller goes away;
// the double's slow-defrag fault (delayMs) is part of that work, so it too runs on with context.Background.
func (n Node) EtcdDefragment(ctx context.Context, delay time.Duration) (*machine.EtcdDefragment, error) {
	if err := n.checkControlplane("etcd defragment"); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() {
		time.Sleep(delay)
		done <- n.defragment(context.Background())
	}()
	select {
	case err := <-done:
		if err != nil {
			return nil, err
		}
		return &machine.EtcdDefragment{}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (n Node) defragment(ctx context.Context) error {
	client, err := n.localClient(ctx)
	if err != nil {
		return fmt.Errorf("failed to create etcd client: %w", err)
	}
	defer client.Close() //nolint:errcheck
	if _, err := client.Defragment(ctx, n.ClientURL); err != nil {
		return fmt.Errorf("failed to defragment etcd: %w", err)
	}
	return nil
}

// EtcdAlarmList: alarms are cluster-wide, every member returns them all.
func (n Node) EtcdAlarmList(ctx context.Context) (*machine.EtcdAlarm, error) {
	if err := n.checkControlplane("etcd alarm list"); err != nil {
		return nil, err
	}
	client, err := n.localClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to create etcd client: %w", err)
	}
	defer client.Close() //nolint:errcheck
	resp, err := client.AlarmList(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to list etcd alarms: %w", err)
	}
	return &machine.EtcdAlarm{MemberAlarms: mapAlarms(resp.Alarms)}, nil
}

// EtcdAlarmDisarm disarms every alarm (an empty AlarmMember means all of them to etcd's client).
func (n Node) EtcdAlarmDisarm(ctx context.Context) (*machine.EtcdAlarmDisarm, error) {
	if err := n.checkControlplane("etcd alarm disarm"); err != nil {
		return nil, err
	}
	client, err := n.localClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to create etcd client: %w", err)
	}
	defer client.Close() //nolint:errcheck
	resp, err := client.AlarmDisarm(ctx, &clientv3.AlarmMember{})
	if err != nil {
		return nil, fmt.Errorf("failed to disarm etcd alarm: %w", err)
	}
	return &machine.EtcdAlarmDisarm{MemberAlarms: mapAlarms(resp.Alarms)}, nil
}

func mapAlarms(alarms []*etcdserverpb.AlarmMember) []*machine.EtcdMemberAlarm {
	out := make([]*machine.EtcdMemberAlarm, 0, len(alarms))
	for _, a := range alarms {
		t := machine.EtcdMemberAlarm_NONE
		switch a.Alarm {
		case etcdserverpb.AlarmType_NOSPACE:
			t = machine.EtcdMemberAlarm_NOSPACE
		case etcdserverpb.AlarmType_CORRUPT:
			t = machine.EtcdMemberAlarm_CORRUPT
		}
		out = append(out, &machine.EtcdMemberAlarm{MemberId: a.MemberID, Alarm: t})
	}
	return out
}

// EtcdForfeitLeadership: if the local member leads, MoveLeader to the first other member in member-list
// order, learner or not (Talos's etcd.Client.ForfeitLeadership).
func (n Node) EtcdForfeitLeadership(ctx context.Context) (*machine.EtcdForfeitLeadership, error) {
	if err := n.checkControlplane("etcd forfeit leadership"); err != nil {
		return nil, err
	}
	client, err := n.clusterClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to create etcd client: %w", err)
	}
	defer client.Close() //nolint:errcheck
	ctx = clientv3.WithRequireLeader(ctx)
	leader, err := n.forfeit(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("failed to forfeit leadership: %w", err)
	}
	return &machine.EtcdForfeitLeadership{Member: leader}, nil
}

func (n Node) forfeit(ctx context.Context, c *clientv3.Client) (string, error) {
	resp, err := c.MemberList(ctx)
	if err != nil {
		return "", fmt.Errorf("failed to list etcd members: %w", err)
	}
	if len(resp.Members) == 1 {
		return "", errors.New("cannot forfeit leadership, only one member")
	}
	// Talos reads the local member ID from its EtcdMember resource; here it is the member serving the
	// node's client URL.
	var member *etcdserverpb.Member
	for _, m := range resp.Members {
		for _, u := range m.GetClientURLs() {
			if u == n.ClientURL {
				member = m
			}
		}
	}
	if member == nil {
		return "", fmt.Errorf("failed to find %q in list of etcd members", n.ClientURL)
	}
	for _, ep := range member.GetClientURLs() {
		st, err := c.Status(ctx, ep)
		if err != nil {
			return "", err
		}
		if st.Leader != member.GetID() {
			return "", nil
		}
		for _, m := range resp.Members {
			if m.GetID() == member.GetID() {
				continue
			}
			conn, err := c.Dial(ep)
			if err != nil {
				return "", err
			}
			maintenance := clientv3.NewMaintenanceFromMaintenanceClient(clientv3.RetryMaintenanceClient(c, conn), c)
			_, err = maintenance.MoveLeader(ctx, m.GetID())
			conn.Close() //nolint:errcheck
			if err != nil {
				if errors.Is(err, rpctypes.ErrNotLeader) {
					return "", nil
				}
				return "", err
			}
			return m.GetName(), nil
		}
	}
	return "", nil
}

// SnapshotChunk is Talos's stream chunk size (pkg/chunker/stream's default).
const SnapshotChunk = 1024

// EtcdSnapshot streams the local member's snapshot in chunks.
func (n Node) EtcdSnapshot(ctx context.Context, send func(*common.Data) error) error {
	if err := n.checkControlplane("etcd snapshot"); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client, err := n.localClient(ctx)
	if err != nil {
		return fmt.Errorf("failed to create etcd client: %w", err)
	}
	defer client.Close() //nolint:errcheck
	rd, err := client.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("failed reading etcd snapshot: %w", err)
	}
	defer rd.Close() //nolint:errcheck
	buf := make([]byte, SnapshotChunk)
	for {
		k, err := rd.Read(buf)
		if k > 0 {
			if sendErr := send(&common.Data{Bytes: append([]byte(nil), buf[:k]...)}); sendErr != nil {
				return sendErr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// Talos's chunker stops at a read error and the stream ends without one.
			return nil
		}
	}
}
