module talosetcd

go 1.26

require github.com/siderolabs/talos/pkg/machinery v1.6.0

require (
	github.com/containerd/go-cni v1.1.9 // indirect
	github.com/containernetworking/cni v1.1.2 // indirect
	github.com/siderolabs/crypto v0.4.1 // indirect
)
