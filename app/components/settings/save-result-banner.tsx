import { Banner, Layout } from "@shopify/polaris";

/**
 * What of the last save needs attention: new credentials Brilliant could not
 * be asked about, or nothing saved because of the fields marked below. A plain
 * "Settings saved" is a toast (the route shows it).
 */
export function SaveResultBanner({
  answer,
}: {
  answer: { ok: boolean; credentialsUnchecked?: string | null } | null;
}) {
  if (!answer) return null;
  if (answer.ok && answer.credentialsUnchecked) {
    return (
      <Layout.Section>
        <Banner tone="warning" title="Settings saved; the new API key and secret are not checked yet">
          <p>
            {answer.credentialsUnchecked} Use Test connection once Brilliant answers; orders held for
            credentials are tried with them meanwhile.
          </p>
        </Banner>
      </Layout.Section>
    );
  }
  return answer.ok ? null : (
    <Layout.Section>
      <Banner tone="critical" title="Nothing was saved">
        <p>Fix the fields marked below, then save again.</p>
      </Banner>
    </Layout.Section>
  );
}
