// The simulated store's catalog, shaped exactly as `GET /store` returns it.
// Ids are integers, as in Brilliant's own examples; the app must not assume
// they are strings (nor that they are small).

export interface SimVariantImages {
  thumb: string;
  medium: string;
  large: string;
  xlarge: string;
}

export interface SimVariant {
  id: number;
  product_id: number;
  /** Stock on hand; -1 means Brilliant does not track it (never blocks an order). */
  inventory_count: number;
  size: string | null;
  color: string | null;
  flavor: string | null;
  images: SimVariantImages;
}

export interface SimProduct {
  id: number;
  name: string;
  description: string;
  inactive: boolean;
  inventory_required: boolean;
  variants: SimVariant[];
}

/** Variants worth naming in tests and in the demo. */
export const NOTABLE_VARIANT_IDS = {
  /** Classic Logo Tee, M: plenty of stock. */
  teeMedium: 73002,
  /** Classic Logo Tee, L: only 2 left on a product that requires stock. */
  lowStock: 73003,
  /** Wide Mouth Bottle, Navy: 0 left on a product that requires stock. */
  outOfStock: 73013,
  /** Soft Cover Notebook: 5 on hand, but the product does not require stock. */
  stockNotRequired: 73021,
  /** Welcome Gift Box: inventory_count -1 (untracked). */
  untracked: 73031,
  /** 2023 Conference Hoodie, M: its product is inactive (orders fail with 2506). */
  inactive: 73051,
} as const;

function images(variantId: number, slug: string): SimVariantImages {
  const base = `https://assets.example.com/uploads/variant_photo/photo/${variantId}`;
  return {
    thumb: `${base}/thumb_${slug}.jpg`,
    medium: `${base}/medium_${slug}.jpg`,
    large: `${base}/large_${slug}.jpg`,
    xlarge: `${base}/xlarge_${slug}.jpg`,
  };
}

function variant(
  id: number,
  productId: number,
  inventoryCount: number,
  attrs: { size?: string; color?: string; flavor?: string },
  slug: string,
): SimVariant {
  return {
    id,
    product_id: productId,
    inventory_count: inventoryCount,
    size: attrs.size ?? null,
    color: attrs.color ?? null,
    flavor: attrs.flavor ?? null,
    images: images(id, slug),
  };
}

/** A fresh copy every call, so one simulator's stock changes never leak into another's. */
export function defaultCatalog(): SimProduct[] {
  return [
    {
      id: 24501,
      name: "Classic Logo Tee",
      description: "Heavyweight ring-spun cotton tee with a two-colour chest logo.",
      inactive: false,
      inventory_required: true,
      variants: [
        variant(73001, 24501, 40, { size: "S", color: "Heather Gray" }, "logo-tee"),
        variant(73002, 24501, 55, { size: "M", color: "Heather Gray" }, "logo-tee"),
        variant(73003, 24501, 2, { size: "L", color: "Heather Gray" }, "logo-tee"),
        variant(73004, 24501, 12, { size: "XL", color: "Heather Gray" }, "logo-tee"),
      ],
    },
    {
      id: 24502,
      name: "16 oz. Wide Mouth Bottle",
      description:
        "Double wall vacuum insulated bottle with a laser-etched logo. Stays cold for 24 hours, hot for 12.",
      inactive: false,
      inventory_required: true,
      variants: [
        variant(73011, 24502, 30, { color: "Black" }, "wide-mouth-bottle"),
        variant(73012, 24502, 18, { color: "White" }, "wide-mouth-bottle"),
        variant(73013, 24502, 0, { color: "Navy" }, "wide-mouth-bottle"),
      ],
    },
    {
      id: 24503,
      name: "Soft Cover Notebook",
      description: "A5 dot-grid notebook with a debossed logo, 160 pages.",
      inactive: false,
      inventory_required: false,
      variants: [variant(73021, 24503, 5, { color: "White" }, "soft-cover-notebook")],
    },
    {
      id: 24504,
      name: "Welcome Gift Box",
      description: "Kitted on demand: notebook, pen, bottle and a hand-written card in a custom box.",
      inactive: false,
      inventory_required: true,
      variants: [variant(73031, 24504, -1, {}, "welcome-box")],
    },
    {
      id: 24505,
      name: "Gourmet Brownie Duo",
      description: "Two individually wrapped brownies from a local bakery, in a branded sleeve.",
      inactive: false,
      inventory_required: true,
      variants: [
        variant(73041, 24505, -1, { flavor: "Chocolate Fudge" }, "brownie-duo"),
        variant(73042, 24505, 25, { flavor: "Salted Caramel" }, "brownie-duo"),
      ],
    },
    {
      id: 24506,
      name: "2023 Conference Hoodie",
      description: "Retired event merch, kept for the archive.",
      inactive: true,
      inventory_required: true,
      variants: [
        variant(73051, 24506, 10, { size: "M", color: "Forest" }, "conference-hoodie"),
        variant(73052, 24506, 8, { size: "L", color: "Forest" }, "conference-hoodie"),
      ],
    },
    {
      id: 24507,
      name: "Embroidered Dad Hat",
      description: "Unstructured six-panel cap with an embroidered logo and brass buckle.",
      inactive: false,
      inventory_required: true,
      variants: [
        variant(73061, 24507, 15, { color: "Navy" }, "dad-hat"),
        variant(73062, 24507, 9, { color: "Khaki" }, "dad-hat"),
      ],
    },
  ];
}
