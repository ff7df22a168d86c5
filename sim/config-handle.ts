/** The part of a SimCluster that only reads or rewrites the simulator's config file: shared by both harnesses. */
import type { Barrier } from "./barrier.js";
import { readCallLog } from "./call-log.js";
import { type Faults, type Release, type SimConfig, writeConfig } from "./config.js";
import type { SimCluster } from "./types.js";

export function configHandle(
  configPath: string,
  config: SimConfig,
  talosctlPath: string,
): Pick<
  SimCluster,
  "talosctlPath" | "env" | "callLog" | "setFaults" | "setRelease" | "setDefaultNodes" | "setBarrier"
> {
  return {
    talosctlPath,
    env: { TALOS_SIM_CONFIG: configPath },
    callLog: () => readCallLog(config.callLogPath),
    setFaults: async (faults: Faults) => {
      config.faults = faults;
      await writeConfig(configPath, config);
    },
    setRelease: async (release: Release) => {
      config.release = release;
      await writeConfig(configPath, config);
    },
    setBarrier: async (barrier: Barrier | null) => {
      if (barrier === null) delete config.barrier;
      else config.barrier = barrier;
      await writeConfig(configPath, config);
    },
    setDefaultNodes: async (nodes: string[]) => {
      config.defaultNodes = [...nodes];
      await writeConfig(configPath, config);
    },
  };
}
