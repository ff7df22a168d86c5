package apid

import (
	"context"
	"slices"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// rules are machined's (internal/app/machined/pkg/system/services/machined.go), for the methods the double
// serves; any other method needs os:admin (FallbackRoles).
var rules = map[string][]string{
	"/machine.MachineService/EtcdAlarmList":         {"os:admin", "os:operator", "os:reader", "os:etcd:backup"},
	"/machine.MachineService/EtcdAlarmDisarm":       {"os:admin", "os:operator"},
	"/machine.MachineService/EtcdDefragment":        {"os:admin", "os:operator"},
	"/machine.MachineService/EtcdForfeitLeadership": {"os:admin"},
	"/machine.MachineService/EtcdMemberList":        {"os:admin", "os:operator", "os:reader", "os:etcd:backup"},
	"/machine.MachineService/EtcdSnapshot":          {"os:admin", "os:operator", "os:etcd:backup"},
	"/machine.MachineService/EtcdStatus":            {"os:admin", "os:operator", "os:reader", "os:etcd:backup"},
	"/machine.MachineService/Mounts":                {"os:admin", "os:operator", "os:reader"},
	"/machine.MachineService/Processes":             {"os:admin", "os:operator", "os:reader"},
	"/machine.MachineService/Version":               {"os:admin", "os:operator", "os:reader"},
	"/cosi.resource.State/Get":                      {"os:admin", "os:operator", "os:reader"},
	"/cosi.resource.State/List":                     {"os:admin", "os:operator", "os:reader"},
	"/cosi.resource.State/Watch":                    {"os:admin", "os:operator", "os:reader"},
}

// roles are the client certificate's Subject Organization values (apid's authz.Injector).
func roles(ctx context.Context) []string {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(info.State.VerifiedChains) == 0 || len(info.State.VerifiedChains[0]) == 0 {
		return nil
	}
	return info.State.VerifiedChains[0][0].Subject.Organization
}

// authorized is machined's authz.Authorizer check for one method.
func authorized(ctx context.Context, method string) bool {
	allowed, ok := rules[method]
	if !ok {
		allowed = []string{"os:admin"}
	}
	return slices.ContainsFunc(roles(ctx), func(r string) bool { return slices.Contains(allowed, r) })
}
