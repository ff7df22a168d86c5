package machined

import (
	"context"
	"net/netip"
	"strconv"

	"github.com/cosi-project/runtime/pkg/resource"
	"github.com/cosi-project/runtime/pkg/resource/meta"
	"github.com/cosi-project/runtime/pkg/resource/protobuf"
	"github.com/cosi-project/runtime/pkg/state"
	"github.com/cosi-project/runtime/pkg/state/impl/inmem"
	"github.com/cosi-project/runtime/pkg/state/impl/namespaced"
	"github.com/siderolabs/talos/pkg/machinery/resources/etcd"
	"go.yaml.in/yaml/v4"
	"google.golang.org/protobuf/encoding/protowire"
)

// Images etcd runs as, per release (as sim/etcdspec.ts).
var images = map[string]string{
	"v1.10": "gcr.io/etcd-development/etcd:v3.5.21",
	"v1.13": "registry.k8s.io/etcd:v3.6.5",
	"v1.14": "registry.k8s.io/etcd:v3.6.5",
}

// Resources builds the node's COSI state afresh (from the config of this call): the meta namespace's
// ResourceDefinition for EtcdSpecs.etcd.talos.dev, and the EtcdSpec `etcd` in namespace `etcd`, at version 2
// and owned by etcd.SpecController as on a running node. extraArgs holds quota-backend-bytes when the cluster
// has a quota; its shape is the release's: {values: ["N"]} from v1.13, "N" before.
func (n Node) Resources(ctx context.Context) (state.State, error) {
	st := state.WrapCore(namespaced.NewState(inmem.Build))
	rd, err := meta.NewResourceDefinition(etcd.SpecExtension{}.ResourceDefinition())
	if err != nil {
		return nil, err
	}
	if err := st.Create(ctx, rd); err != nil {
		return nil, err
	}
	if n.Config.IsWorker(n.Name) {
		return st, nil // a worker runs no etcd: no EtcdSpec
	}
	spec := etcd.NewSpec(etcd.NamespaceName, etcd.SpecID)
	*spec.TypedSpec() = etcd.SpecSpec{
		Name:                  n.Hostname,
		AdvertisedAddresses:   addrs(n.Name),
		ListenPeerAddresses:   addrs("::"),
		ListenClientAddresses: addrs("::"),
		Image:                 images[n.Config.Release],
		ExtraArgs:             map[string]etcd.ArgValues{},
	}
	quota := ""
	if n.Config.QuotaBytes != nil {
		quota = strconv.FormatInt(*n.Config.QuotaBytes, 10)
		if n.Config.Release != "v1.10" {
			spec.TypedSpec().ExtraArgs["quota-backend-bytes"] = etcd.ArgValues{Values: []string{quota}}
		}
	}
	var stored resource.Resource = spec
	if n.Config.Release == "v1.10" {
		if stored, err = oldShape(spec, quota); err != nil {
			return nil, err
		}
	}
	owner := state.WithCreateOwner("etcd.SpecController")
	if err := st.Create(ctx, stored, owner); err != nil {
		return nil, err
	}
	// An update, as the controller's second write on a real node: version 2.
	if err := st.Update(ctx, stored.DeepCopy(), state.WithUpdateOwner("etcd.SpecController")); err != nil {
		return nil, err
	}
	return st, nil
}

func addrs(s string) []netip.Addr { return []netip.Addr{netip.MustParseAddr(s)} }

// oldShape re-encodes the spec as Talos up to v1.12 sends it: extraArgs a map<string,string> (proto field 4,
// where v1.13 has map<string, ArgValues> in field 7).
func oldShape(spec *etcd.Spec, quota string) (resource.Resource, error) {
	pb, err := protobuf.FromResource(spec)
	if err != nil {
		return nil, err
	}
	wire, err := pb.Marshal()
	if err != nil {
		return nil, err
	}
	extra := map[string]string{}
	if quota != "" {
		extra["quota-backend-bytes"] = quota
		var entry []byte
		entry = protowire.AppendTag(entry, 1, protowire.BytesType)
		entry = protowire.AppendString(entry, "quota-backend-bytes")
		entry = protowire.AppendTag(entry, 2, protowire.BytesType)
		entry = protowire.AppendString(entry, quota)
		wire.Spec.ProtoSpec = protowire.AppendTag(wire.Spec.ProtoSpec, 4, protowire.BytesType)
		wire.Spec.ProtoSpec = protowire.AppendBytes(wire.Spec.ProtoSpec, entry)
	}
	s := spec.TypedSpec()
	old := struct {
		Name                  string            `yaml:"name"`
		AdvertisedAddresses   []netip.Addr      `yaml:"advertisedAddresses"`
		ListenPeerAddresses   []netip.Addr      `yaml:"listenPeerAddresses"`
		ListenClientAddresses []netip.Addr      `yaml:"listenClientAddresses"`
		Image                 string            `yaml:"image"`
		ExtraArgs             map[string]string `yaml:"extraArgs"`
	}{s.Name, s.AdvertisedAddresses, s.ListenPeerAddresses, s.ListenClientAddresses, s.Image, extra}
	y, err := yaml.Marshal(old)
	if err != nil {
		return nil, err
	}
	wire.Spec.YamlSpec = string(y)
	return protobuf.Unmarshal(wire)
}
