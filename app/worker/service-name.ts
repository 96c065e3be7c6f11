// Imported first by the worker's entry (main.ts), before anything that loads
// the logger: its log lines then say service "worker" without every way of
// starting it (npm, the container's entry point, a PaaS) having to set it.
process.env.BRILLIANT_SYNC_SERVICE ??= "worker";
