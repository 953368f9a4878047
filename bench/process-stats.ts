/**
 * CPU time and resident memory of the server processes during a run, from /proc (Linux): summed over the
 * cluster primary and its workers, sampled twice a second, so a report shows CPU use against the cores and RSS
 * at start, peak and end (its growth is the leak check). Elsewhere (no /proc) it reports nothing.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

export interface ProcessSample {
  at: number;
  cpuSeconds: number;
  rssBytes: number;
}

export interface ProcessStats {
  pids: number[];
  /** CPU seconds spent by the server during the window, and as a share of one core (200 % = two cores busy). */
  cpuSeconds: number;
  cpuPercent: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  rssGrowthMiB: number;
  /**
   * RSS at the end minus RSS once warm (medians of the last tenth of the samples and of the second tenth): the
   * heap grows to its working size early in a run; a leak keeps growing after that.
   */
  rssSteadyGrowthMiB: number;
  /** Sampled every 500 ms: seconds since start, RSS MiB, CPU % over the last interval. */
  samples: Array<{ second: number; rssMiB: number; cpuPercent: number }>;
}

function readProcess(pid: number): { cpuSeconds: number; rssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are positional.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const rssKiB = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssBytes: rssKiB * 1024 };
  } catch {
    return undefined;
  }
}

export function sampleProcesses(pids: readonly number[]): ProcessSample | undefined {
  let cpuSeconds = 0;
  let rssBytes = 0;
  let seen = 0;
  for (const pid of pids) {
    const one = readProcess(pid);
    if (!one) continue;
    seen++;
    cpuSeconds += one.cpuSeconds;
    rssBytes += one.rssBytes;
  }
  return seen === 0 ? undefined : { at: performance.now(), cpuSeconds, rssBytes };
}

const MiB = 1024 * 1024;

/** The median RSS of the samples between two fractions of the run. */
function medianRss(samples: readonly ProcessSample[], from: number, to: number): number {
  const slice = samples.slice(Math.floor(samples.length * from), Math.max(Math.floor(samples.length * from) + 1, Math.floor(samples.length * to)));
  const sorted = slice.map((sample) => sample.rssBytes).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Samples `pids` until stop() returns the summary (undefined when /proc could not be read). */
export function watchProcesses(pids: readonly number[], intervalMs = 500): { stop(): ProcessStats | undefined } {
  const samples: ProcessSample[] = [];
  const take = () => {
    const sample = sampleProcesses(pids);
    if (sample) samples.push(sample);
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      const first = samples[0];
      const last = samples[samples.length - 1];
      if (!first || !last || samples.length < 2) return undefined;
      const seconds = (last.at - first.at) / 1000;
      const cpuSeconds = last.cpuSeconds - first.cpuSeconds;
      return {
        pids: [...pids],
        cpuSeconds,
        cpuPercent: seconds > 0 ? (100 * cpuSeconds) / seconds : 0,
        rssStartMiB: first.rssBytes / MiB,
        rssPeakMiB: Math.max(...samples.map((s) => s.rssBytes)) / MiB,
        rssEndMiB: last.rssBytes / MiB,
        rssGrowthMiB: (last.rssBytes - first.rssBytes) / MiB,
        rssSteadyGrowthMiB: (medianRss(samples, 0.9, 1) - medianRss(samples, 0.1, 0.2)) / MiB,
        // CPU time is counted in 10 ms ticks: an interval much shorter than the sampling period (the final one)
        // would give a meaningless percentage, so it is left out of the plot.
        samples: samples.slice(1).flatMap((sample, i) => {
          const previous = samples[i]!;
          const interval = (sample.at - previous.at) / 1000;
          if (interval < (intervalMs / 1000) * 0.5) return [];
          return [{
            second: (sample.at - first.at) / 1000,
            rssMiB: sample.rssBytes / MiB,
            cpuPercent: (100 * (sample.cpuSeconds - previous.cpuSeconds)) / interval,
          }];
        }),
      };
    },
  };
}
