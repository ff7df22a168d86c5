// Package etcdtest starts a real etcd cluster for the double's tests: voters on loopback addresses, an
// optional learner joined with `member add --learner` (as Talos joins a control plane), and the simulator's
// config for them. The etcd binary comes from $TALOS_DOUBLE_ETCD_DIR or `bash scripts/etcd-build 3.6.12`.
// Callers hold /tmp/real-etcd.lock (flock): the addresses are shared by every worktree.
package etcdtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// Cluster is a running etcd cluster and its simulator config.
type Cluster struct {
	Dir        string
	ConfigPath string
	Voters     []string
	Learner    string
	procs      map[string]*exec.Cmd
	bin        string
}

// EtcdDir finds the etcd build: $TALOS_DOUBLE_ETCD_DIR, else the repository's scripts/etcd-build 3.6.12.
func EtcdDir() (string, error) {
	if dir := os.Getenv("TALOS_DOUBLE_ETCD_DIR"); dir != "" {
		return dir, nil
	}
	wd, _ := os.Getwd()
	for d := wd; d != "/"; d = filepath.Dir(d) {
		script := filepath.Join(d, "scripts", "etcd-build")
		if _, err := os.Stat(script); err == nil {
			out, err := exec.Command("bash", script, "3.6.12").Output()
			if err != nil {
				return "", fmt.Errorf("%s 3.6.12: %w", script, err)
			}
			return strings.TrimSpace(string(out)), nil
		}
	}
	return "", fmt.Errorf("no scripts/etcd-build above %s and no TALOS_DOUBLE_ETCD_DIR", wd)
}

func hostname(i int) string { return fmt.Sprintf("talos-cp-%d", i+1) }

// Start bootstraps the voters, then joins the learner (if not empty), and writes the config with the
// given extra nodes (e.g. a worker: a node without a member).
func Start(dir string, voters []string, learner string, extra []simconfig.Node) (*Cluster, error) {
	etcdDir, err := EtcdDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Voters: voters, Learner: learner, procs: map[string]*exec.Cmd{},
		bin: filepath.Join(etcdDir, "etcd"), ConfigPath: filepath.Join(dir, "config.json")}
	var initial []string
	for i, ip := range voters {
		initial = append(initial, fmt.Sprintf("%s=http://%s:2380", hostname(i), ip))
	}
	for i, ip := range voters {
		if err := c.startMember(ip, hostname(i), strings.Join(initial, ","), "new"); err != nil {
			c.Stop()
			return nil, err
		}
	}
	if err := c.waitHealthy(voters[0]); err != nil {
		c.Stop()
		return nil, err
	}
	if learner != "" {
		if err := c.joinLearner(initial); err != nil {
			c.Stop()
			return nil, err
		}
	}
	cfg := &simconfig.Config{Backend: "etcd", Release: "v1.13", Dir: dir, DefaultNodes: voters[:1],
		Faults: map[string]simconfig.NodeFaults{}}
	for i, ip := range c.Members() {
		cfg.Nodes = append(cfg.Nodes, simconfig.Node{Name: ip, Hostname: hostname(i),
			ClientURL: "http://" + ip + ":2379", PeerURL: "http://" + ip + ":2380"})
	}
	cfg.Nodes = append(cfg.Nodes, extra...)
	if err := simconfig.Write(c.ConfigPath, cfg); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// Members are the voters, then the learner.
func (c *Cluster) Members() []string {
	if c.Learner == "" {
		return c.Voters
	}
	return append(append([]string{}, c.Voters...), c.Learner)
}

func (c *Cluster) startMember(ip, name, initial, state string) error {
	data := filepath.Join(c.Dir, name)
	logFile, err := os.Create(filepath.Join(c.Dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(c.bin, "--name", name, "--data-dir", data,
		"--listen-client-urls", "http://"+ip+":2379", "--advertise-client-urls", "http://"+ip+":2379",
		"--listen-peer-urls", "http://"+ip+":2380", "--initial-advertise-peer-urls", "http://"+ip+":2380",
		"--initial-cluster", initial, "--initial-cluster-state", state, "--initial-cluster-token", "talos-double",
		"--quota-backend-bytes", fmt.Sprint(64<<20))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	c.procs[ip] = cmd
	return nil
}

// Client is a plain etcd client of one member, for the tests' own checks.
func (c *Cluster) Client(ip string) (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{Endpoints: []string{"http://" + ip + ":2379"},
		DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
}

func (c *Cluster) waitHealthy(ip string) error {
	cli, err := c.Client(ip)
	if err != nil {
		return err
	}
	defer cli.Close() //nolint:errcheck
	var last error
	for range 120 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := cli.Status(ctx, "http://"+ip+":2379") // a learner serves no Get
		cancel()
		if err == nil && st.Leader != 0 {
			return nil
		}
		last = err
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("etcd at %s not healthy: %w", ip, last)
}

func (c *Cluster) joinLearner(initial []string) error {
	cli, err := c.Client(c.Voters[0])
	if err != nil {
		return err
	}
	defer cli.Close() //nolint:errcheck
	var last error
	for range 40 { // etcd may refuse until the voters have been connected for a while
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, last = cli.MemberAddAsLearner(ctx, []string{"http://" + c.Learner + ":2380"})
		cancel()
		if last == nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if last != nil {
		return fmt.Errorf("member add --learner: %w", last)
	}
	name := hostname(len(c.Voters))
	all := append(append([]string{}, initial...), fmt.Sprintf("%s=http://%s:2380", name, c.Learner))
	if err := c.startMember(c.Learner, name, strings.Join(all, ","), "existing"); err != nil {
		return err
	}
	return c.waitHealthy(c.Learner)
}

// Log is a member's etcd log so far.
func (c *Cluster) Log(ip string) string {
	for i, m := range c.Members() {
		if m == ip {
			data, _ := os.ReadFile(filepath.Join(c.Dir, hostname(i)+".log"))
			return string(data)
		}
	}
	return ""
}

// Stop kills every member.
func (c *Cluster) Stop() {
	for _, cmd := range c.procs {
		cmd.Process.Signal(syscall.SIGKILL) //nolint:errcheck
		cmd.Wait()                          //nolint:errcheck
	}
}
