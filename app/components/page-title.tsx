import { useNavigate } from "@remix-run/react";
import { TitleBar } from "@shopify/app-bridge-react";
import { Text } from "@shopify/polaris";

export interface TitleAction {
  content: string;
  /** An app path to open, or a handler. */
  url?: string;
  onAction?: () => void;
}

/**
 * The page's title as every page shows it: App Bridge's title bar (with the
 * way back and the page's actions, as the admin draws them) and one `h1` for
 * assistive technology, hidden on screen where the title bar already says it.
 */
export function PageTitle({
  title,
  heading = title,
  back,
  primary,
  secondary = [],
}: {
  title: string;
  /** The `h1`, when it says more than the title bar. */
  heading?: string;
  back?: { content: string; url: string };
  primary?: TitleAction;
  secondary?: TitleAction[];
}) {
  const navigate = useNavigate();
  const act = (action: TitleAction) => () => (action.url ? navigate(action.url) : action.onAction?.());
  return (
    <>
      <TitleBar title={title}>
        {back && (
          <button variant="breadcrumb" onClick={() => navigate(back.url)}>
            {back.content}
          </button>
        )}
        {primary && (
          <button variant="primary" onClick={act(primary)}>
            {primary.content}
          </button>
        )}
        {secondary.map((action) => (
          <button key={action.content} onClick={act(action)}>
            {action.content}
          </button>
        ))}
      </TitleBar>
      <Text as="h1" variant="headingLg" visuallyHidden>
        {heading}
      </Text>
    </>
  );
}
