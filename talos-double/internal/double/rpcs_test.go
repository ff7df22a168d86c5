package double_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosi-project/runtime/api/v1alpha1"
	"github.com/cosi-project/runtime/pkg/resource"
	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	"github.com/siderolabs/talos/pkg/machinery/client"
	"github.com/siderolabs/talos/pkg/machinery/resources/etcd"
	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// Each role against each method, one node per call; denials are PermissionDenied "not authorized".
func TestRolesPerMethod(t *testing.T) {
	all := []string{"os:admin", "os:operator", "os:reader", "os:etcd:backup"}
	rpcs := map[string]struct {
		allowed []string
		call    func(ctx context.Context, c *client.Client) error
	}{
		"EtcdStatus": {all, func(ctx context.Context, c *client.Client) error { _, err := c.EtcdStatus(ctx); return err }},
		"EtcdMemberList": {all, func(ctx context.Context, c *client.Client) error {
			_, err := c.EtcdMemberList(ctx, &machineMemberListLocal)
			return err
		}},
		"EtcdAlarmList": {all, func(ctx context.Context, c *client.Client) error { _, err := c.EtcdAlarmList(ctx); return err }},
		"EtcdSnapshot": {all[:2:2], func(ctx context.Context, c *client.Client) error {
			r, err := c.EtcdSnapshot(ctx, &machine.EtcdSnapshotRequest{})
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = io.Copy(io.Discard, r)
			return err
		}},
		"EtcdDefragment":  {all[:2], func(ctx context.Context, c *client.Client) error { _, err := c.EtcdDefragment(ctx); return err }},
		"EtcdAlarmDisarm": {all[:2], func(ctx context.Context, c *client.Client) error { _, err := c.EtcdAlarmDisarm(ctx); return err }},
		"EtcdForfeitLeadership": {all[:1], func(ctx context.Context, c *client.Client) error {
			_, err := c.EtcdForfeitLeadership(ctx, &machine.EtcdForfeitLeadershipRequest{})
			return err
		}},
		"Processes": {all[:3], func(ctx context.Context, c *client.Client) error { _, err := c.Processes(ctx); return err }},
		"Mounts":    {all[:3], func(ctx context.Context, c *client.Client) error { _, err := c.Mounts(ctx); return err }},
		"Version":   {all[:3], func(ctx context.Context, c *client.Client) error { _, err := c.Version(ctx); return err }},
		"COSI Get": {all[:3], func(ctx context.Context, c *client.Client) error {
			_, err := c.COSI.Get(ctx, resource.NewMetadata(etcd.NamespaceName, etcd.SpecType, etcd.SpecID, resource.VersionUndefined))
			return err
		}},
	}
	snapshot := rpcs["EtcdSnapshot"]
	snapshot.allowed = []string{"os:admin", "os:operator", "os:etcd:backup"}
	rpcs["EtcdSnapshot"] = snapshot
	for _, role := range all {
		c := connect(t, role)
		for name, rpc := range rpcs {
			err := rpc.call(client.WithNode(ctxFor(t), voters[2]), c)
			if slices.Contains(rpc.allowed, role) {
				if err != nil {
					t.Errorf("%s %s: %v", role, name, err)
				}
				continue
			}
			if st := status.Convert(err); st.Code() != codes.PermissionDenied || st.Message() != "not authorized" {
				t.Errorf("%s %s: want PermissionDenied not authorized, got %v", role, name, err)
			}
		}
	}
	// machined checks roles, behind apid: fanned out, a denial is each node's reply metadata.
	resp, err := connect(t, "os:reader").MachineClient.EtcdDefragment(client.WithNodes(ctxFor(t), voters[:2]...), &emptypb.Empty{})
	if err != nil || len(resp.Messages) != 2 {
		t.Fatalf("fanned-out denial: %v %v", resp, err)
	}
	for _, m := range resp.Messages {
		if m.GetMetadata().GetStatus().GetCode() != int32(codes.PermissionDenied) {
			t.Errorf("fanned-out denial: %v", m)
		}
	}
}

// The snapshot streams the member's db in both eras; fanned out each chunk carries the hostname, and an
// unreachable node's error ends the client's read.
func TestSnapshotStreamsInBothEras(t *testing.T) {
	c := connect(t, "os:etcd:backup")
	for _, ctx := range []context.Context{client.WithNode(ctxFor(t), voters[0]), client.WithNodes(ctxFor(t), voters[0])} {
		r, err := c.EtcdSnapshot(ctx, &machine.EtcdSnapshotRequest{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil || len(data) == 0 || len(data)%512 != 32 {
			t.Errorf("snapshot of %d bytes (want a db plus its 32-byte sha256), err %v", len(data), err)
		}
	}
	stream, err := c.MachineClient.EtcdSnapshot(client.WithNodes(ctxFor(t), voters[1]), &machine.EtcdSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := stream.Recv()
	if err != nil || first.GetMetadata().GetHostname() != voters[1] || len(first.GetBytes()) == 0 {
		t.Errorf("first fanned-out chunk: %v %v", first, err)
	}
	configure(t, func(c *simconfig.Config) {
		c.Faults[voters[1]] = simconfig.NodeFaults{Fault: simconfig.Fault{Unreachable: ptr(true)}}
	})
	r, err := c.EtcdSnapshot(client.WithNodes(ctxFor(t), voters[1]), &machine.EtcdSnapshotRequest{})
	if err == nil {
		_, err = io.ReadAll(r)
	}
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("unreachable node's snapshot: want its error, got %v", err)
	}
}

// Talos wraps etcd's errors ("failed to defragment etcd: ...", code Unknown); member list passes them bare.
func TestEtcdErrorsAreWrappedAsTalosDoes(t *testing.T) {
	c := connect(t, "os:admin")
	ctx := client.WithNode(ctxFor(t), learner)
	_, err := c.EtcdDefragment(ctx)
	if st := status.Convert(err); st.Code() != codes.Unknown ||
		st.Message() != "failed to defragment etcd: etcdserver: rpc not supported for learner" {
		t.Errorf("defrag on the learner: %v", err)
	}
	_, err = c.EtcdMemberList(ctx, &machineMemberListLocal)
	if st := status.Convert(err); st.Code() != codes.Unknown || st.Message() != "etcdserver: rpc not supported for learner" {
		t.Errorf("member list on the learner: %v", err)
	}
	st, err := c.EtcdStatus(ctx)
	if err != nil || !st.Messages[0].GetMemberStatus().GetIsLearner() {
		t.Errorf("status on the learner: %v %v", st, err)
	}
}

// A defrag goes on when its caller goes away (here: a slow defrag, cancelled once the node started on it).
func TestDefragRunsOnWhenTheCallerGoesAway(t *testing.T) {
	configure(t, func(c *simconfig.Config) {
		c.Faults[voters[2]] = simconfig.NodeFaults{Commands: map[string]simconfig.Fault{"defrag": {DelayMs: ptr(int64(3000))}}}
	})
	before := strings.Count(cluster.Log(voters[2]), "finished defragment")
	calls := callCount(voters[2], "EtcdDefragment")
	ctx, cancel := context.WithCancel(client.WithNode(ctxFor(t), voters[2]))
	done := make(chan error, 1)
	go func() { _, err := connect(t, "os:operator").EtcdDefragment(ctx); done <- err }()
	waitFor(t, "the node to start on the defrag", func() bool { return callCount(voters[2], "EtcdDefragment") > calls })
	cancel()
	if err := <-done; status.Code(err) != codes.Canceled {
		t.Errorf("the caller sees its cancellation, got %v", err)
	}
	waitFor(t, "etcd to finish the defrag", func() bool {
		return strings.Count(cluster.Log(voters[2]), "finished defragment") > before
	})
}

// Alarms are cluster-wide; a disarm on one node clears every alarm, CORRUPT included.
func TestDisarmClearsEveryAlarm(t *testing.T) {
	cli, err := cluster.Client(voters[0])
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ids := map[string]uint64{}
	for _, v := range voters {
		st, err := cli.Status(ctxFor(t), "http://"+v+":2379")
		if err != nil {
			t.Fatal(err)
		}
		ids[v] = st.Header.MemberId
	}
	raise := func(member uint64, alarm etcdserverpb.AlarmType) {
		_, err := etcdserverpb.NewMaintenanceClient(cli.ActiveConnection()).Alarm(ctxFor(t),
			&etcdserverpb.AlarmRequest{Action: etcdserverpb.AlarmRequest_ACTIVATE, MemberID: member, Alarm: alarm})
		if err != nil {
			t.Fatal(err)
		}
	}
	raise(ids[voters[0]], etcdserverpb.AlarmType_NOSPACE)
	raise(ids[voters[1]], etcdserverpb.AlarmType_CORRUPT)
	t.Cleanup(func() { cli.AlarmDisarm(context.Background(), &clientv3AlarmAll) }) //nolint:errcheck
	c := connect(t, "os:admin")
	list, err := c.EtcdAlarmList(client.WithNodes(ctxFor(t), voters...))
	if err != nil || len(list.Messages) != 3 {
		t.Fatalf("alarm list: %v %v", list, err)
	}
	for _, m := range list.Messages {
		if len(m.GetMemberAlarms()) != 2 {
			t.Errorf("%s sees %v, want both alarms", m.GetMetadata().GetHostname(), m.GetMemberAlarms())
		}
	}
	disarmed, err := c.EtcdAlarmDisarm(client.WithNode(ctxFor(t), voters[2]))
	if err != nil || len(disarmed.Messages[0].GetMemberAlarms()) != 2 {
		t.Fatalf("disarm: %v %v", disarmed, err)
	}
	kinds := []machine.EtcdMemberAlarm_AlarmType{}
	for _, a := range disarmed.Messages[0].GetMemberAlarms() {
		kinds = append(kinds, a.GetAlarm())
	}
	if !slices.Contains(kinds, machine.EtcdMemberAlarm_CORRUPT) || !slices.Contains(kinds, machine.EtcdMemberAlarm_NOSPACE) {
		t.Errorf("disarmed %v", kinds)
	}
	after, err := c.EtcdAlarmList(client.WithNode(ctxFor(t), voters[0]))
	if err != nil || len(after.Messages[0].GetMemberAlarms()) != 0 {
		t.Errorf("after disarm: %v %v", after, err)
	}
}

// Forfeit moves leadership to the first other member in member-list order, learner or not; on a member
// that does not lead it does nothing.
func TestForfeitTargetsTheFirstOtherMemberInListOrder(t *testing.T) {
	c := connect(t, "os:admin")
	leader := leaderNode(t, c)
	members, err := c.EtcdMemberList(client.WithNode(ctxFor(t), leader), &machineMemberListLocal)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := c.EtcdStatus(client.WithNode(ctxFor(t), leader))
	var target *machine.EtcdMember
	for _, m := range members.Messages[0].GetMembers() {
		if m.GetId() != st.Messages[0].GetMemberStatus().GetMemberId() {
			target = m
			break
		}
	}
	for _, v := range voters {
		if v == leader {
			continue
		}
		resp, err := c.EtcdForfeitLeadership(client.WithNode(ctxFor(t), v), &machine.EtcdForfeitLeadershipRequest{})
		if err != nil || resp.Messages[0].GetMember() != "" {
			t.Errorf("forfeit on %s, not the leader: %v %v", v, resp, err)
		}
	}
	resp, err := c.EtcdForfeitLeadership(client.WithNode(ctxFor(t), leader), &machine.EtcdForfeitLeadershipRequest{})
	if target.GetIsLearner() {
		if st := status.Convert(err); st.Code() != codes.Unknown ||
			st.Message() != "failed to forfeit leadership: etcdserver: bad leader transferee" {
			t.Errorf("forfeit to the learner: %v", err)
		}
		return
	}
	if err != nil || resp.Messages[0].GetMember() != target.GetHostname() {
		t.Fatalf("forfeit: want %s, got %v %v", target.GetHostname(), resp, err)
	}
	waitFor(t, "the new leader", func() bool { return leaderNode(t, c) != leader })
}

func TestProcessesMountsAndVersion(t *testing.T) {
	configure(t, func(c *simconfig.Config) {
		c.Release = "v1.14"
		c.Faults[voters[0]] = simconfig.NodeFaults{Commands: map[string]simconfig.Fault{"mounts": {DiskAvailableBytes: ptr(int64(12345))}}}
	})
	c := connect(t, "os:reader")
	ctx := client.WithNodes(ctxFor(t), voters[0], worker)
	procs, err := c.Processes(ctx)
	if err != nil || len(procs.Messages) != 2 {
		t.Fatalf("processes: %v %v", procs, err)
	}
	for _, m := range procs.Messages {
		etcdRows := 0
		for _, p := range m.GetProcesses() {
			if p.GetExecutable() == "/usr/local/bin/etcd" && p.GetResidentMemory() > 0 {
				etcdRows++
			}
		}
		if want := map[string]int{voters[0]: 1, worker: 0}[m.GetMetadata().GetHostname()]; etcdRows != want {
			t.Errorf("%s: %d etcd rows, want %d", m.GetMetadata().GetHostname(), etcdRows, want)
		}
	}
	mounts, err := c.Mounts(client.WithNode(ctxFor(t), voters[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mounts.Messages[0].GetStats() {
		if m.GetMountedOn() == "/var" && m.GetAvailable() != 12345 {
			t.Errorf("/var available %d, want the fault's 12345", m.GetAvailable())
		}
	}
	v, err := c.Version(client.WithNode(ctxFor(t), voters[0]))
	if err != nil || v.Messages[0].GetVersion().GetTag() != "v1.14.1" {
		t.Errorf("version: %v %v", v, err)
	}
}

// `talosctl get etcdspec etcd`: the kind resolved through meta's ResourceDefinitions, then Get, one node.
func TestEtcdSpecThroughCOSI(t *testing.T) {
	configure(t, func(c *simconfig.Config) { c.QuotaBytes = ptr(int64(64 << 20)) })
	c := connect(t, "os:reader")
	ctx := client.WithNode(ctxFor(t), voters[1])
	ns := ""
	rd, err := c.ResolveResourceKind(ctx, &ns, "etcdspec")
	if err != nil || ns != etcd.NamespaceName {
		t.Fatalf("resolve: %v %v %q", rd, err, ns)
	}
	r, err := c.COSI.Get(ctx, resource.NewMetadata(ns, rd.TypedSpec().Type, etcd.SpecID, resource.VersionUndefined))
	if err != nil {
		t.Fatal(err)
	}
	spec := r.(*etcd.Spec).TypedSpec()
	if got := spec.ExtraArgs["quota-backend-bytes"].Values; !slices.Equal(got, []string{"67108864"}) || spec.Image == "" {
		t.Errorf("spec: %+v", spec)
	}
	if r.Metadata().Version().String() != "2" || r.Metadata().Owner() != "etcd.SpecController" {
		t.Errorf("metadata: %v", r.Metadata())
	}
	_, err = c.COSI.Get(client.WithNodes(ctxFor(t), voters[1]), r.Metadata())
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("COSI with nodes: want InvalidArgument, got %v", err)
	}
}

// Up to v1.12 extraArgs is a map of strings: the YAML spec a talosctl of that era prints.
func TestEtcdSpecOldShape(t *testing.T) {
	configure(t, func(c *simconfig.Config) { c.Release = "v1.10"; c.QuotaBytes = ptr(int64(64 << 20)) })
	c := connect(t, "os:admin")
	resp, err := v1alpha1.NewStateClient(c.Conn()).Get(client.WithNode(ctxFor(t), voters[1]), &v1alpha1.GetRequest{
		Namespace: etcd.NamespaceName, Type: etcd.SpecType, Id: etcd.SpecID})
	if err != nil {
		t.Fatal(err)
	}
	if y := resp.GetResource().GetSpec().GetYamlSpec(); !strings.Contains(y, "quota-backend-bytes: \"67108864\"") {
		t.Errorf("yaml spec:\n%s", y)
	}
}

// A hung node never answers: the call ends with the caller's deadline.
func TestHungNodeAnswersNothing(t *testing.T) {
	configure(t, func(c *simconfig.Config) {
		c.Faults[voters[0]] = simconfig.NodeFaults{Fault: simconfig.Fault{Hang: ptr(true)}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := connect(t, "os:admin").EtcdStatus(client.WithNode(ctx, voters[0]))
	if status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("want DeadlineExceeded, got %v", err)
	}
}
