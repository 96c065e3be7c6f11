import { Banner, List } from "@shopify/polaris";
import type { DateErrors } from "../../orders/orders-list-params";

/** Why the Received filter cannot be used; the list stays empty until it is fixed. */
export function DateErrorsBanner({ dateErrors }: { dateErrors: DateErrors }) {
  return (
    <Banner
      tone="critical"
      title="Fix the Received filter: no orders are listed until its dates can be used."
    >
      <List type="bullet">
        {dateErrors.from && <List.Item>From: {dateErrors.from}</List.Item>}
        {dateErrors.to && <List.Item>To: {dateErrors.to}</List.Item>}
      </List>
    </Banner>
  );
}
