/**
 * Where a process spent its CPU: reads a V8 .cpuprofile (node --cpu-prof) and
 * sums self time by package or source file and by function.
 *   npx tsx scripts/bench/profile-summary.ts FILE.cpuprofile [--top N]
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Sampled time, idle excluded. */
  busyMs: number;
  totalMs: number;
  byArea: Array<{ area: string; ms: number; share: number }>;
  /** Time with the package or file anywhere on the stack (callees included). */
  inclusiveByArea: Array<{ area: string; ms: number; share: number }>;
  byFunction: Array<{ fn: string; area: string; ms: number; share: number }>;
}

/** Which package or part of the code a frame belongs to. */
export function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === "(garbage collector)") return "GC";
    if (functionName === "(program)") return "(program: native, not attributed)";
    if (functionName === "(idle)") return "(idle)";
    return functionName || "(native)";
  }
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  let path = url;
  if (url.startsWith("file://")) {
    try {
      path = fileURLToPath(url);
    } catch {
      path = url;
    }
  }
  const nodeModules = path.lastIndexOf("node_modules/");
  if (nodeModules >= 0) {
    const rest = path.slice(nodeModules + "node_modules/".length).split("/");
    const pkg = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    return pkg ?? path;
  }
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/**
 * `window` keeps only the samples taken between two instants of the monotonic
 * clock, in microseconds (process.hrtime.bigint() / 1000n in any process of
 * the machine: V8 stamps its samples with the same clock), so that start-up
 * and idle time around a measurement do not count.
 */
export function summariseProfile(
  file: string,
  top = 15,
  window?: { fromUs: number; toUs: number },
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const areasOnStack = new Map<number, Set<string>>();
  const stackAreas = (id: number): Set<string> => {
    const known = areasOnStack.get(id);
    if (known) return known;
    const node = byId.get(id);
    const parent = parentOf.get(id);
    const areas = new Set(parent === undefined ? [] : stackAreas(parent));
    // Only frames with a source (native markers like runMicrotasks say nothing here).
    if (node?.callFrame.url && !node.callFrame.url.startsWith("node:")) {
      areas.add(areaOf(node.callFrame.url, node.callFrame.functionName));
    }
    areasOnStack.set(id, areas);
    return areas;
  };
  const selfMs = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const id = profile.samples[i]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + delta / 1000);
  }
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const functions = new Map<string, { area: string; ms: number }>();
  let busy = 0;
  let total = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    if (area === "(idle)") continue;
    busy += ms;
    areas.set(area, (areas.get(area) ?? 0) + ms);
    for (const onStack of stackAreas(id)) inclusive.set(onStack, (inclusive.get(onStack) ?? 0) + ms);
    const name = `${functionName || "(anonymous)"}${url ? ` ${area}:${lineNumber + 1}` : ""}`;
    const entry = functions.get(name) ?? { area, ms: 0 };
    entry.ms += ms;
    functions.set(name, entry);
  }
  const share = (ms: number) => (busy > 0 ? ms / busy : 0);
  return {
    busyMs: busy,
    totalMs: total,
    byArea: [...areas.entries()]
      .map(([area, ms]) => ({ area, ms, share: share(ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
    inclusiveByArea: [...inclusive.entries()]
      .map(([area, ms]) => ({ area, ms, share: share(ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
    byFunction: [...functions.entries()]
      .map(([fn, entry]) => ({ fn, area: entry.area, ms: entry.ms, share: share(entry.ms) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  };
}

export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `${title}: ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s sampled`,
    "  self time by package / file:",
    ...summary.byArea.map((row) => `    ${pct(row.share)}  ${row.area}`),
    "  time with it on the stack (callees included):",
    ...summary.inclusiveByArea.map((row) => `    ${pct(row.share)}  ${row.area}`),
    "  self time by function:",
    ...summary.byFunction.map((row) => `    ${pct(row.share)}  ${row.fn}`),
  ];
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error("Usage: npx tsx scripts/bench/profile-summary.ts FILE.cpuprofile [--top N]");
    process.exit(2);
  }
  const topIndex = process.argv.indexOf("--top");
  const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 20;
  console.log(formatProfileSummary(file, summariseProfile(file, top)));
}
