import { Text } from "@shopify/polaris";
import type { ShopifyAddress } from "../../orders/shopify-order";
import { OrderSection } from "./order-section";

/** The shipping address as one line, for an order whose address is not being fixed. */
export function ShippingAddressCard({ address }: { address: ShopifyAddress }) {
  return (
    <OrderSection title="Shipping address" gap="100">
      <Text as="p">
        {[
          address.name,
          address.address1,
          address.address2,
          [address.city, address.province_code ?? address.province, address.zip].filter(Boolean).join(" "),
          address.country_code ?? address.country,
        ]
          .filter(Boolean)
          .join(", ")}
      </Text>
    </OrderSection>
  );
}
