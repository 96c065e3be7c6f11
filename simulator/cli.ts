import { parseCommandLine, stringOptions } from "../scripts/lib/cli-options";
import { NOTABLE_VARIANT_IDS } from "./catalog";
import { NAMED_FAULT_KINDS, type NamedFaultKind } from "./faults";
import { SIM_API_KEY, SIM_API_SECRET, startSimulator } from "./server";

// `npm run simulator -- --port 4010` : a Brilliant stand-in for local runs and
// the demo, driven from other processes through /__sim/*.

const usage = `Usage: npm run simulator -- [options]
  --port N              port to listen on (default 4010; 0 = any free port)
  --host H              address to bind (default 127.0.0.1)
  --base-path P         API base path (default /V2)
  --latency-ms N        fixed delay before every API answer
  --fault-rate R        probability 0..1 of a random fault per API request
  --fault-kinds a,b     random fault kinds (default all): ${NAMED_FAULT_KINDS.join(", ")}
  --created-rate R      probability 0..1 that a POST fault follows an inserted order (default 0.5)
  --seed N              PRNG seed for random faults (default 1)
  --omit-order-id       answer 1200 without the order id, as Brilliant's docs example does
  --help`;

function faultKinds(value: string | undefined): [NamedFaultKind, ...NamedFaultKind[]] | undefined {
  if (value === undefined) return undefined;
  const kinds = value
    .split(",")
    .map((kind) => kind.trim())
    .filter(Boolean);
  for (const kind of kinds) {
    if (!(NAMED_FAULT_KINDS as readonly string[]).includes(kind)) cli.fail(`unknown fault kind "${kind}"`);
  }
  if (kinds.length === 0) cli.fail("--fault-kinds is empty");
  return kinds as [NamedFaultKind, ...NamedFaultKind[]];
}

const cli = parseCommandLine(usage, {
  ...stringOptions(
    "port",
    "host",
    "base-path",
    "latency-ms",
    "fault-rate",
    "fault-kinds",
    "created-rate",
    "seed",
  ),
  "omit-order-id": { type: "boolean" },
});
const { values } = cli;

const faultRate = cli.number("fault-rate");
const simulator = await startSimulator({
  port: cli.number("port") ?? 4010,
  host: values.host ?? "127.0.0.1",
  basePath: values["base-path"] ?? "/V2",
  latencyMs: cli.number("latency-ms"),
  omitOrderIdInCreateResponse: values["omit-order-id"] ?? false,
  faults:
    faultRate === undefined || faultRate === 0
      ? null
      : {
          rate: faultRate,
          seed: cli.number("seed") ?? 1,
          kinds: faultKinds(values["fault-kinds"]),
          createdRate: cli.number("created-rate"),
        },
});

console.log(`Brilliant simulator listening
  base URL    ${simulator.url}
  API key     ${SIM_API_KEY}
  API secret  ${SIM_API_SECRET}
  control     ${simulator.controlUrl}  (GET /orders, /orders/count, /requests, /faults, /webhooks; POST /faults, /script, /stock,
              /products/:id/inactive, /orders/:id/status, /options, /reset; DELETE /script)
  variants    untracked ${NOTABLE_VARIANT_IDS.untracked}, low stock ${NOTABLE_VARIANT_IDS.lowStock}, out of stock ${NOTABLE_VARIANT_IDS.outOfStock}, inactive ${NOTABLE_VARIANT_IDS.inactive}`);
if (faultRate) console.log(`  faults      rate ${faultRate}, seed ${values.seed ?? 1}`);

function shutdown(): void {
  void simulator.close().then(() => process.exit(0));
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
