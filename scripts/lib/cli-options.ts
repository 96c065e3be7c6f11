// The command line of the repo's own tools (`npm run bench`, `npm run
// simulator`): options parsed strictly with node:util's parseArgs, `--help`
// printing the usage, and a wrong value answered with the usage and exit 2.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** `{ name: { type: "string" } }` for each name: the options that take a value. */
export function stringOptions<const N extends string>(...names: N[]): Record<N, { type: "string" }> {
  return Object.fromEntries(names.map((name) => [name, { type: "string" }])) as Record<N, { type: "string" }>;
}

export interface CommandLine<V> {
  values: V;
  /** Prints `message` and the usage to stderr and exits 2. */
  fail(message: string): never;
  /** The option's value as a number (undefined when not given); any other value fails. */
  number(name: keyof V & string, options?: { nonNegative?: boolean }): number | undefined;
}

type WithHelp<O extends ParseArgsOptionsConfig> = O & { help: { type: "boolean"; default: false } };
type Values<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: WithHelp<O>; strict: true }>
>["values"];

/** Parses `process.argv` against `options` (a `--help` is added); with `--help`, prints `usage` and exits 0. */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(
  usage: string,
  options: O,
): CommandLine<Values<O>> {
  const withHelp: WithHelp<O> = { ...options, help: { type: "boolean", default: false } };
  const values = parseArgs({ options: withHelp, strict: true }).values as Values<O>;
  const given = values as Record<string, string | boolean | undefined>;
  const text = `${usage.trimEnd()}\n`;
  if (given.help) {
    process.stdout.write(text);
    process.exit(0);
  }
  const fail = (message: string): never => {
    process.stderr.write(`${message}\n\n${text}`);
    process.exit(2);
  };
  return {
    values,
    fail,
    number(name, { nonNegative = false } = {}) {
      const raw = given[name];
      if (typeof raw !== "string") return undefined;
      const value = Number(raw);
      if (!Number.isFinite(value) || (nonNegative && value < 0)) {
        fail(`--${name} must be a ${nonNegative ? "non-negative " : ""}number, got "${raw}"`);
      }
      return value;
    },
  };
}
