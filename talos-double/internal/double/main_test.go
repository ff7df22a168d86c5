package double_test

import (
	"context"
	"encoding/json"
	"fmt"
	clientv3 "go.etcd.io/etcd/client/v3"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siderolabs/talos/pkg/machinery/api/machine"
	"github.com/siderolabs/talos/pkg/machinery/client"

	"github.com/talos-etcd-defrag/talos-double/internal/double"
	"github.com/talos-etcd-defrag/talos-double/internal/etcdtest"
	"github.com/talos-etcd-defrag/talos-double/internal/pki"
	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// One real etcd cluster for the package, on this package's loopback range (127.0.0.241-249): voters .241-.243,
// a learner .244, and .245 a worker (a node without a member). The double serves all five on port 50000.
var (
	voters  = []string{"127.0.0.241", "127.0.0.242", "127.0.0.243"}
	learner = "127.0.0.244"
	worker  = "127.0.0.245"
	cluster *etcdtest.Cluster
	dbl     *double.Double
	base    []byte // the config as written at start; each test starts from it
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "talos-double-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	extra := []simconfig.Node{{Name: worker, Hostname: "talos-worker-1",
		ClientURL: "http://" + worker + ":2379", PeerURL: "http://" + worker + ":2380"}}
	cluster, err = etcdtest.Start(dir, voters, learner, extra)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcd:", err)
		return 1
	}
	defer cluster.Stop()
	cfg, _ := simconfig.Load(cluster.ConfigPath)
	cfg.Faults[worker] = simconfig.NodeFaults{Worker: true}
	if err := simconfig.Write(cluster.ConfigPath, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	base, _ = os.ReadFile(cluster.ConfigPath)
	dbl, err = double.Start(double.Options{ConfigPath: cluster.ConfigPath})
	if err != nil {
		fmt.Fprintln(os.Stderr, "double:", err)
		return 1
	}
	defer dbl.Stop()
	return m.Run()
}

// configure rewrites the config from the base (edit may change it) and restores the base after the test.
func configure(t *testing.T, edit func(*simconfig.Config)) {
	t.Helper()
	if err := os.WriteFile(cluster.ConfigPath, base, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := simconfig.Load(cluster.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	edit(cfg)
	if err := simconfig.Write(cluster.ConfigPath, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(cluster.ConfigPath, base, 0o644) }) //nolint:errcheck
}

// connect is a pkg/machinery client from the talosconfig the double wrote for a role.
func connect(t *testing.T, role string) *client.Client {
	t.Helper()
	path := filepath.Join(filepath.Dir(dbl.Talosconfig), pki.FileName(role))
	c, err := client.New(context.Background(), client.WithConfigFromFile(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() }) //nolint:errcheck
	return c
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func ptr[T any](v T) *T { return &v }

var machineMemberListLocal = machine.EtcdMemberListRequest{QueryLocal: true}

var clientv3AlarmAll = clientv3.AlarmMember{}

// callCount counts the node's calls of a method in the double's call log.
func callCount(node, method string) int {
	data, _ := os.ReadFile(filepath.Join(cluster.Dir, "double-calls.jsonl"))
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		var e struct{ Node, Method string }
		if json.Unmarshal([]byte(line), &e) == nil && e.Node == node && strings.HasSuffix(e.Method, "/"+method) {
			n++
		}
	}
	return n
}

// waitFor polls cond, bounded to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 600 {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// leaderNode is the voter whose member leads.
func leaderNode(t *testing.T, c *client.Client) string {
	t.Helper()
	resp, err := c.EtcdStatus(client.WithNodes(ctxFor(t), voters...))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range resp.Messages {
		if s := m.GetMemberStatus(); s.GetLeader() == s.GetMemberId() {
			return m.GetMetadata().GetHostname()
		}
	}
	t.Fatal("no leader")
	return ""
}

// etcdStatus is the member's status straight from etcd.
func etcdStatus(t *testing.T, node string) *clientv3.StatusResponse {
	t.Helper()
	cli, err := cluster.Client(node)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close() //nolint:errcheck
	st, err := cli.Status(ctxFor(t), "http://"+node+":2379")
	if err != nil {
		t.Fatal(err)
	}
	return st
}
