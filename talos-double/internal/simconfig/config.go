// Package simconfig reads the JSON config the Node simulator's harness writes (TALOS_SIM_CONFIG, see
// sim/config.ts). The double re-reads it on every call, as the simulator does, so faults set mid-test apply
// to the next call.
package simconfig

import (
	"encoding/json"
	"fmt"
	"os"
)

// Fault is one fault of sim/config.ts. Node-level and command-level faults merge, the command-level one winning.
// garbage, exitCode and stderr are faults of the talosctl process: the double ignores them.
type Fault struct {
	Unreachable        *bool  `json:"unreachable,omitempty"`
	DelayMs            *int64 `json:"delayMs,omitempty"`
	Hang               *bool  `json:"hang,omitempty"`
	PermissionDenied   *bool  `json:"permissionDenied,omitempty"`
	DiskAvailableBytes *int64 `json:"diskAvailableBytes,omitempty"`
}

// NodeFaults are a node's faults; Commands overrides them per talosctl subcommand.
type NodeFaults struct {
	Fault
	Worker   bool             `json:"worker,omitempty"`
	Commands map[string]Fault `json:"commands,omitempty"`
}

// Node is one simulated Talos node: Name is what -n names (the member's IP).
type Node struct {
	Name      string `json:"name"`
	Hostname  string `json:"hostname"`
	ClientURL string `json:"clientUrl"`
	PeerURL   string `json:"peerUrl"`
}

// Config is sim/config.ts's SimConfig (the fields the double reads).
type Config struct {
	Backend      string                `json:"backend"`
	Release      string                `json:"release"`
	Dir          string                `json:"dir"`
	Nodes        []Node                `json:"nodes"`
	DefaultNodes []string              `json:"defaultNodes"`
	QuotaBytes   *int64                `json:"quotaBytes"`
	Faults       map[string]NodeFaults `json:"faults"`
	Barrier      *Barrier              `json:"barrier,omitempty"`
}

// Load reads the config file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// Write replaces the file atomically (tests drive faults with it, like cluster.setFaults).
func Write(path string, c *Config) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Node finds a node by its -n name.
func (c *Config) Node(name string) (Node, bool) {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return Node{}, false
}

// IsWorker tells whether the node is simulated as a worker (no etcd).
func (c *Config) IsWorker(node string) bool {
	return c.Faults[node].Worker
}

// Resolved is a merged fault with plain values.
type Resolved struct {
	Unreachable, Hang, PermissionDenied bool
	DelayMs                             int64
	DiskAvailableBytes                  *int64
}

// Resolve merges a node's faults with those of one command key ("status", "alarm list", ...).
func (c *Config) Resolve(node, command string) Resolved {
	nf := c.Faults[node]
	var r Resolved
	apply := func(f Fault) {
		if f.Unreachable != nil {
			r.Unreachable = *f.Unreachable
		}
		if f.Hang != nil {
			r.Hang = *f.Hang
		}
		if f.PermissionDenied != nil {
			r.PermissionDenied = *f.PermissionDenied
		}
		if f.DelayMs != nil {
			r.DelayMs = *f.DelayMs
		}
		if f.DiskAvailableBytes != nil {
			r.DiskAvailableBytes = f.DiskAvailableBytes
		}
	}
	apply(nf.Fault)
	if f, ok := nf.Commands[command]; ok {
		apply(f)
	}
	return r
}
