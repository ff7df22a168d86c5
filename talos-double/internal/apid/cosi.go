package apid

import (
	"github.com/cosi-project/runtime/api/v1alpha1"
	"github.com/cosi-project/runtime/pkg/state/protobuf/server"
	"google.golang.org/grpc"

	"github.com/talos-etcd-defrag/talos-double/internal/simconfig"
)

// COSI is cosi.resource.State (Get, List, Watch) over each node's resources: one node per call, as apid
// refuses to fan COSI calls out. The simulator's fault key for it is "etcdspec".
type COSI struct {
	v1alpha1.UnimplementedStateServer
	*Server
}

const cosiSvc = "/cosi.resource.State/"

// on runs fn against the target node's state server (cosi-project/runtime's own, over an in-memory state).
func (c COSI) on(ctx ctxT, method string, fn func(ctx ctxT, st *server.State) error) error {
	cfg, err := c.load()
	if err != nil {
		return err
	}
	t, err := route(ctx, method)
	if err != nil {
		return err
	}
	return c.callNode(ctx, cfg, t.nodes[0], call{method, "etcdspec",
		func(ctx ctxT, n node, _ simconfig.Resolved) error {
			st, err := n.Resources(ctx)
			if err != nil {
				return err
			}
			return fn(ctx, server.NewState(st))
		}})
}

func (c COSI) Get(ctx ctxT, req *v1alpha1.GetRequest) (resp *v1alpha1.GetResponse, err error) {
	err = c.on(ctx, cosiSvc+"Get", func(ctx ctxT, st *server.State) (err error) {
		resp, err = st.Get(ctx, req)
		return err
	})
	return resp, err
}

func (c COSI) List(req *v1alpha1.ListRequest, srv grpc.ServerStreamingServer[v1alpha1.ListResponse]) error {
	return c.on(srv.Context(), cosiSvc+"List", func(_ ctxT, st *server.State) error { return st.List(req, srv) })
}

func (c COSI) Watch(req *v1alpha1.WatchRequest, srv grpc.ServerStreamingServer[v1alpha1.WatchResponse]) error {
	return c.on(srv.Context(), cosiSvc+"Watch", func(_ ctxT, st *server.State) error { return st.Watch(req, srv) })
}
