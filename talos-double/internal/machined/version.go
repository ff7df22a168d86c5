package machined

import (
	"runtime"

	"github.com/siderolabs/talos/pkg/machinery/api/machine"
)

// Tags the double reports per release of the config (the newest patch of each).
var tags = map[string]string{"v1.10": "v1.10.9", "v1.13": "v1.13.9", "v1.14": "v1.14.1"}

// Version answers as machined on a metal node with RBAC.
func (n Node) Version() *machine.Version {
	tag := tags[n.Config.Release]
	if tag == "" {
		tag = tags["v1.13"]
	}
	return &machine.Version{
		Version: &machine.VersionInfo{
			Tag:       tag,
			Sha:       "talos-double",
			Built:     "",
			GoVersion: runtime.Version(),
			Os:        "linux",
			Arch:      runtime.GOARCH,
		},
		Platform: &machine.PlatformInfo{Name: "metal", Mode: "metal"},
		Features: &machine.FeaturesInfo{Rbac: true},
	}
}
