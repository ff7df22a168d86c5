package machined

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/siderolabs/talos/pkg/machinery/api/machine"
)

// As sim/node-resources.ts: the member's real etcd process (found by its --listen-client-urls and a data
// dir inside the cluster's dir) among a few made-up Talos processes and mounts, so that parsers must pick
// the right row; the /var mount has the statfs sizes of the member's data dir.

const clockTicks = 100

// Processes lists the node's processes; no etcd row on a worker or when its member is not running.
func (n Node) Processes() (*machine.Process, error) {
	label := n.labeller()
	procs := []*machine.ProcessInfo{
		fake(1, 61_200_000, 11, label("system_u:system_r:init_t:s0"), "/sbin/init", ""),
		fake(1310, 28_300_000, 9, label("system_u:system_r:apid_t:s0"), "/apid", ""),
		fake(1700, 9_400_000, 9, label("system_u:system_r:pod_containerd_t:s0"),
			"/usr/local/bin/containerd-shim-runc-v2",
			"-namespace system -id etcd -address /system/run/containerd/containerd.sock"),
		fake(2, 0, 1, label("system_u:system_r:kernel_t:s0"), "kthreadd", ""),
	}
	if !n.Config.IsWorker(n.Name) {
		if pid, _ := n.findEtcd(); pid != 0 {
			if p := readProcess(pid); p != nil {
				p.Label = label("system_u:system_r:etcd_t:s0")
				p.Command = "etcd"
				p.Executable = "/usr/local/bin/etcd"
				// Talos's Args is the whole command line, argv[0] included (talosctl prints it as COMMAND).
				p.Args = "/usr/local/bin/etcd --advertise-client-urls=https://" + n.Name + ":2379 --data-dir=/var/lib/etcd " +
					"--listen-client-urls=https://0.0.0.0:2379 --name=" + n.Hostname
				procs = append(procs, p)
			}
		}
	}
	return &machine.Process{Processes: procs}, nil
}

// labeller: v1.10 leaves the LABEL column empty, as on a node without SELinux labels.
func (n Node) labeller() func(string) string {
	if n.Config.Release == "v1.10" {
		return func(string) string { return "" }
	}
	return func(l string) string { return l }
}

func fake(pid int32, rss uint64, threads int32, label, exe, args string) *machine.ProcessInfo {
	virt := uint64(0)
	if rss != 0 {
		virt = rss*20 + 1_000_000_000
	}
	return &machine.ProcessInfo{
		Pid: pid, State: "S", Threads: threads, CpuTime: float64(pid) / 40,
		VirtualMemory: virt, ResidentMemory: rss, Command: filepath.Base(exe), Executable: exe, Args: strings.TrimSpace(exe + " " + args),
		Label: label,
	}
}

// findEtcd finds the member's etcd process: pid and data dir (0 when it is not running).
func (n Node) findEtcd() (int32, string) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		argv := strings.Split(string(raw), "\x00")
		if filepath.Base(argv[0]) != "etcd" {
			continue
		}
		flag := func(name string) string {
			for i, a := range argv {
				if a == name && i+1 < len(argv) {
					return argv[i+1]
				}
				if v, ok := strings.CutPrefix(a, name+"="); ok {
					return v
				}
			}
			return ""
		}
		dataDir := flag("--data-dir")
		if flag("--listen-client-urls") == n.ClientURL && strings.HasPrefix(dataDir, n.Config.Dir) {
			return int32(pid), dataDir
		}
	}
	return 0, ""
}

// readProcess reads RSS, size, threads and state from /proc/<pid>/status, CPU time from /proc/<pid>/stat.
func readProcess(pid int32) *machine.ProcessInfo {
	dir := filepath.Join("/proc", strconv.Itoa(int(pid)))
	statusText, err1 := os.ReadFile(filepath.Join(dir, "status"))
	stat, err2 := os.ReadFile(filepath.Join(dir, "stat"))
	if err1 != nil || err2 != nil {
		return nil // it exited between the scan and the read
	}
	field := func(name string) string {
		for _, line := range strings.Split(string(statusText), "\n") {
			if v, ok := strings.CutPrefix(line, name+":"); ok {
				if f := strings.Fields(v); len(f) > 0 {
					return f[0]
				}
			}
		}
		return "0"
	}
	num := func(s string) uint64 { v, _ := strconv.ParseUint(s, 10, 64); return v }
	s := string(stat)
	rest := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	cpu := 0.0
	if len(rest) > 12 {
		cpu = float64(num(rest[11])+num(rest[12])) / clockTicks
	}
	return &machine.ProcessInfo{
		Pid: pid, State: field("State"), Threads: int32(num(field("Threads"))), CpuTime: cpu,
		VirtualMemory: num(field("VmSize")) * 1024, ResidentMemory: num(field("VmRSS")) * 1024,
	}
}

// Mounts lists the node's mounts; /var (and the /etc/cni overlay) hold etcd's data. The diskAvailableBytes
// fault replaces the free bytes there.
func (n Node) Mounts(diskAvailable *int64) (*machine.Mounts, error) {
	_, dataDir := n.findEtcd()
	if dataDir == "" {
		dataDir = n.Config.Dir
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dataDir, &fs); err != nil {
		return nil, err
	}
	size := fs.Blocks * uint64(fs.Bsize)
	avail := fs.Bavail * uint64(fs.Bsize)
	if diskAvailable != nil {
		avail = uint64(*diskAvailable)
	}
	size = max(size, avail)
	return &machine.Mounts{Stats: []*machine.MountStat{
		{Filesystem: "/dev/loop0", Size: 78_774_272, Available: 0, MountedOn: "/"},
		{Filesystem: "tmpfs", Size: 1_044_434_944, Available: 1_044_430_848, MountedOn: "/system"},
		{Filesystem: "/dev/sda5", Size: 99_252_224, Available: 93_323_264, MountedOn: "/system/state"},
		{Filesystem: "/dev/sda6", Size: size, Available: avail, MountedOn: "/var"},
		{Filesystem: "overlay", Size: size, Available: avail, MountedOn: "/etc/cni"},
	}}, nil
}
