import { useSearchParams } from "@remix-run/react";

import { BannerSection } from "./banner-section";
import { useMappingListNavigation, type MappingListQuery } from "./list-params";

const plural = (count: string, noun: string) => `${count} ${noun}${count === "1" ? "" : "s"}`;

/**
 * After a save elsewhere redirected here: how many mappings were saved and
 * how many held orders that released. Dismissing it drops the notice from the URL.
 */
export function SavedMappingsBanner({ query }: { query: MappingListQuery }) {
  const [searchParams] = useSearchParams();
  const navigate = useMappingListNavigation(query);
  const released = searchParams.get("released");
  const saved = searchParams.get("saved");
  if (released === null) return null;
  return (
    <BannerSection
      tone="success"
      title={saved !== null ? `${plural(saved, "mapping")} saved` : "Mapping saved"}
      onDismiss={() => navigate({})}
    >
      {Number(released) > 0
        ? `${plural(released, "held order")} released: they go to Brilliant now.`
        : "No held orders were waiting for it."}
    </BannerSection>
  );
}
