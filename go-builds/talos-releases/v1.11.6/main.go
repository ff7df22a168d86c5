// Prints the etcd version this Talos release ships: DefaultEtcdVersion of its pkg/machinery/constants.
package main

import (
	"fmt"

	"github.com/siderolabs/talos/pkg/machinery/constants"
)

func main() { fmt.Println(constants.DefaultEtcdVersion) }
