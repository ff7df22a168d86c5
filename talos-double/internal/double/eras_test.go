package double_test

import (
	"strings"
	"testing"

	"github.com/siderolabs/talos/pkg/machinery/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/talos-etcd-defrag/talos-double/internal/machined"
	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// Up to v1.13: one call with `nodes`; replies concatenated with hostnames, a failing node as reply metadata.
func TestFanOutStampsHostnamesAndTurnsErrorsIntoMetadata(t *testing.T) {
	configure(t, func(c *simconfig.Config) {
		c.Faults[voters[1]] = simconfig.NodeFaults{Fault: simconfig.Fault{Unreachable: ptr(true)}}
	})
	c := connect(t, "os:admin")
	resp, err := c.MachineClient.EtcdStatus(client.WithNodes(ctxFor(t), voters...), &emptypb.Empty{})
	if err != nil {
		t.Fatalf("the fanned-out call itself must succeed: %v", err)
	}
	if len(resp.Messages) != 3 {
		t.Fatalf("want 3 replies, got %d", len(resp.Messages))
	}
	seen := map[string]bool{}
	for _, m := range resp.Messages {
		host := m.GetMetadata().GetHostname()
		seen[host] = true
		if host == voters[1] {
			md := m.GetMetadata()
			if md.GetStatus().GetCode() != int32(codes.Unavailable) || !strings.Contains(md.GetError(), "connection refused") {
				t.Errorf("unreachable node's reply: %v", md)
			}
			if !strings.HasPrefix(md.GetError(), "rpc error: code = Unavailable desc = ") {
				t.Errorf("error text is apid's err.Error(): %q", md.GetError())
			}
			continue
		}
		direct := etcdStatus(t, host)
		if m.GetMetadata().GetError() != "" || m.GetMemberStatus().GetProtocolVersion() != direct.Version ||
			m.GetMemberStatus().GetStorageVersion() != machined.StorageVersion(direct.StorageVersion, direct.Version) ||
			m.GetMemberStatus().GetMemberId() != direct.Header.MemberId {
			t.Errorf("%s: %v, etcd says %v", host, m, direct)
		}
	}
	for _, v := range voters {
		if !seen[v] {
			t.Errorf("no reply stamped %s", v)
		}
	}
	// The machinery client's filter turns the metadata error into an error beside the good replies.
	filtered, err := c.EtcdStatus(client.WithNodes(ctxFor(t), voters...))
	if err == nil || len(filtered.Messages) != 2 {
		t.Errorf("filtered: %d replies, err %v", len(filtered.GetMessages()), err)
	}
}

// A node answering only some calls: its per-command fault leaves the other calls alone.
func TestAPerCommandFaultLeavesOtherCallsAlone(t *testing.T) {
	configure(t, func(c *simconfig.Config) {
		c.Faults[voters[2]] = simconfig.NodeFaults{Commands: map[string]simconfig.Fault{"alarm list": {Unreachable: ptr(true)}}}
	})
	c := connect(t, "os:admin")
	ctx := client.WithNode(ctxFor(t), voters[2])
	if _, err := c.EtcdStatus(ctx); err != nil {
		t.Errorf("status: %v", err)
	}
	if _, err := c.EtcdAlarmList(ctx); status.Code(err) != codes.Unavailable {
		t.Errorf("alarm list: want Unavailable, got %v", err)
	}
}

// v1.14: one call per node with `node`; no hostname stamped, failures as plain gRPC errors.
func TestOneNodeCallsStampNothingAndFailPlainly(t *testing.T) {
	configure(t, func(c *simconfig.Config) {
		c.Release = "v1.14"
		c.Faults[voters[1]] = simconfig.NodeFaults{Fault: simconfig.Fault{Unreachable: ptr(true)}}
	})
	c := connect(t, "os:admin")
	resp, err := c.MachineClient.EtcdMemberList(client.WithNode(ctxFor(t), voters[0]),
		&machineMemberListLocal)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Messages) != 1 || resp.Messages[0].GetMetadata() != nil {
		t.Fatalf("want one unstamped reply, got %v", resp.Messages)
	}
	if n := len(resp.Messages[0].GetMembers()); n != 4 {
		t.Errorf("want 4 members (3 voters, 1 learner), got %d", n)
	}
	_, err = c.MachineClient.EtcdStatus(client.WithNode(ctxFor(t), voters[1]), &emptypb.Empty{})
	if st := status.Convert(err); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "127.0.0.242:50000") {
		t.Errorf("want Unavailable naming the node's apid, got %v", err)
	}
}

// A node that is not a control plane answers the etcd RPCs with Unimplemented, in both eras.
func TestWorkerAnswersUnimplemented(t *testing.T) {
	c := connect(t, "os:admin")
	_, err := c.MachineClient.EtcdStatus(client.WithNode(ctxFor(t), worker), &emptypb.Empty{})
	if st := status.Convert(err); st.Code() != codes.Unimplemented ||
		st.Message() != "etcd status is only available on control plane nodes" {
		t.Errorf("one node: %v", err)
	}
	resp, err := c.MachineClient.EtcdDefragment(client.WithNodes(ctxFor(t), worker), &emptypb.Empty{})
	if err != nil || resp.Messages[0].GetMetadata().GetStatus().GetCode() != int32(codes.Unimplemented) {
		t.Errorf("fanned out: %v %v", resp, err)
	}
}
