/** The machine a benchmark ran on, printed with every result: numbers mean nothing without it. */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  openssl: string;
  platform: string;
  memoryGiB: number;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAverage: number;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
