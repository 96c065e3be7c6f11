import { Banner, Layout, type BannerProps } from "@shopify/polaris";
import type { ReactNode } from "react";

export interface BannerSectionProps {
  tone: BannerProps["tone"];
  title?: string;
  onDismiss?: () => void;
  /** The banner's one paragraph. */
  children: ReactNode;
}

/** A page-wide notice: a banner with one paragraph in its own layout section. */
export function BannerSection({ tone, title, onDismiss, children }: BannerSectionProps) {
  return (
    <Layout.Section>
      <Banner tone={tone} title={title} onDismiss={onDismiss}>
        <p>{children}</p>
      </Banner>
    </Layout.Section>
  );
}
