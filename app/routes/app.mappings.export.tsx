import type { LoaderFunctionArgs } from "@remix-run/node";

import { exportMappingCsv } from "../catalog/mapping-csv.server";
import { authenticate } from "../shopify.server";

/** The shop's mappings as CSV: mapped variants, then unmapped ones with an empty target to fill in. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const csv = await exportMappingCsv(session.shop);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="brilliant-mappings-${day}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
