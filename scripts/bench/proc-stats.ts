import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Linux /proc readings of a process: resident memory and CPU time used. */

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** VmRSS in MiB, or null once the process is gone. */
export function rssMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * User + system CPU seconds the process has used so far, or null once it is
 * gone; with `thread`, that thread's only (the process's id is its main thread's).
 */
export function cpuSeconds(pid: number, thread?: number): number | null {
  try {
    const stat = readFileSync(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      "utf8",
    );
    // The command name (field 2) may hold spaces; fields after it are space separated.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return null;
  }
}

/**
 * Measures how busy each named process was over a window, as a share of one
 * core (100% = one core fully used). The bench's own process is measured with
 * process.cpuUsage, the others through /proc.
 */
export class CpuWindow {
  private readonly start = new Map<string, number>();
  private readonly startedAt = performance.now();
  private readonly machineStart = machineCpuSeconds();

  /**
   * `mainThreadOf`: processes whose main thread (the event loop) is reported
   * too, as "<name> main thread": a process that also runs other threads
   * (the web process's SQLite writer) is bound by its busiest one.
   */
  constructor(
    private readonly processes: Record<string, number>,
    mainThreadOf: readonly string[] = [],
  ) {
    for (const [name, pid] of Object.entries(processes)) {
      const used = pid === process.pid ? ownCpuSeconds() : cpuSeconds(pid);
      if (used !== null) this.start.set(name, used);
      const main = mainThreadOf.includes(name) ? cpuSeconds(pid, pid) : null;
      if (main !== null) this.start.set(`${name} main thread`, main);
    }
  }

  /**
   * Percent of one core per process since the window opened, and under
   * "other processes" what the rest of the machine used meanwhile (other
   * people's tests and builds on a shared machine make a run noisy).
   */
  close(): Record<string, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const shares: Record<string, number> = {};
    let ours = 0;
    for (const [name, pid] of Object.entries(this.processes)) {
      const before = this.start.get(name);
      const after = pid === process.pid ? ownCpuSeconds() : cpuSeconds(pid);
      if (before === undefined || after === null || seconds <= 0) continue;
      ours += after - before;
      shares[name] = Math.round(((after - before) / seconds) * 100);
      const mainBefore = this.start.get(`${name} main thread`);
      const mainAfter = mainBefore === undefined ? null : cpuSeconds(pid, pid);
      if (mainBefore !== undefined && mainAfter !== null)
        shares[`${name} main thread`] = Math.round(((mainAfter - mainBefore) / seconds) * 100);
    }
    const machineEnd = machineCpuSeconds();
    if (this.machineStart && machineEnd && seconds > 0) {
      const busy = machineEnd.busy - this.machineStart.busy;
      shares["other processes"] = Math.max(0, Math.round(((busy - ours) / seconds) * 100));
    }
    return shares;
  }
}

/** Busy CPU seconds of the whole machine (all cores) since boot, from /proc/stat. */
function machineCpuSeconds(): { busy: number } | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq (guest time is already in user)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = values;
    return { busy: (user + nice + system + irq + softirq) / clockTicks() };
  } catch {
    return null;
  }
}

function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
