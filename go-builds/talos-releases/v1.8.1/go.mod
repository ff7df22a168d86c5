module talosetcd

go 1.26

require github.com/siderolabs/talos/pkg/machinery v1.8.1

require (
	github.com/containerd/go-cni v1.1.10 // indirect
	github.com/containernetworking/cni v1.2.3 // indirect
	github.com/siderolabs/crypto v0.4.4 // indirect
)
