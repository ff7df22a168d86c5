// Command talos-double serves the Talos API (apid + machined) for every node of a Node simulator config,
// over the nodes' real etcd members. See README.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/talos-etcd-defrag/talos-double/internal/double"
)

func main() {
	config := flag.String("config", os.Getenv("TALOS_SIM_CONFIG"), "the simulator's JSON config (default $TALOS_SIM_CONFIG)")
	out := flag.String("out", "", "where to write the talosconfigs (default <config dir>/talos-double)")
	port := flag.Int("port", 50000, "the port every node listens on")
	flag.Parse()
	if *config == "" {
		fmt.Fprintln(os.Stderr, "talos-double: no config (-config or TALOS_SIM_CONFIG)")
		os.Exit(2)
	}
	d, err := double.Start(double.Options{ConfigPath: *config, OutDir: *out, Port: *port})
	if err != nil {
		fmt.Fprintln(os.Stderr, "talos-double:", err)
		os.Exit(1)
	}
	// The one line on stdout: the os:admin talosconfig, once every node listens.
	fmt.Println(d.Talosconfig)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	d.Stop()
}
