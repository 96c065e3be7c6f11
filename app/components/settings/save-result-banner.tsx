import { Banner, Layout } from "@shopify/polaris";

/** How the last save went: saved, or nothing saved because of the fields marked below. */
export function SaveResultBanner({ answer }: { answer: { ok: boolean } | null }) {
  if (!answer) return null;
  return answer.ok ? (
    <Layout.Section>
      <Banner tone="success" title="Settings saved" />
    </Layout.Section>
  ) : (
    <Layout.Section>
      <Banner tone="critical" title="Nothing was saved">
        <p>Fix the fields marked below, then save again.</p>
      </Banner>
    </Layout.Section>
  );
}
