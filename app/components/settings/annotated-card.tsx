import { Card, Layout } from "@shopify/polaris";
import type { ReactNode } from "react";

export interface AnnotatedCardProps {
  title: string;
  description: string;
  children: ReactNode;
}

/** A settings section: its title and description beside a card. */
export function AnnotatedCard({ title, description, children }: AnnotatedCardProps) {
  return (
    <Layout.AnnotatedSection title={title} description={description}>
      <Card>{children}</Card>
    </Layout.AnnotatedSection>
  );
}
