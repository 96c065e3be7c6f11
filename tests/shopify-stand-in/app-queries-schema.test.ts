import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { Kind, NoDeprecatedCustomRule, parse, specifiedRules, type DocumentNode } from "graphql";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";

import { adminSchema, checkDocumentWith } from "../../shopify-stand-in/admin-schema";
import {
  generateProducts,
  standInAccessToken,
  startAdminGraphqlStandIn,
  STAND_IN_OPERATIONS,
  type AdminGraphqlStandIn,
} from "../../shopify-stand-in/admin-graphql";

/**
 * Every GraphQL document the app sends to the Admin API parses and validates
 * against the 2026-10 schema the app targets (shopify-stand-in/
 * admin-schema-2026-10.graphql), uses no field Shopify deprecated, and is an
 * operation the stand-in plays. The documents are found by scanning app/ (not
 * imported), so a query added anywhere under app/ is covered without touching
 * this file: every `#graphql` template literal, and every literal passed
 * straight to a `graphql(...)` call. `${NAME}` parts (shared fragments) are
 * filled in from the same file's `const NAME = ...`.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const APP = join(ROOT, "app");

interface FoundDocument {
  file: string;
  line: number;
  text: string;
  document: DocumentNode;
  operations: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

function isGraphqlCall(node: ts.Node): boolean {
  const parent = node.parent;
  if (!parent || !ts.isCallExpression(parent) || parent.arguments[0] !== node) return false;
  const callee = parent.expression;
  const name = ts.isIdentifier(callee)
    ? callee.text
    : ts.isPropertyAccessExpression(callee)
      ? callee.name.text
      : "";
  return /graphql$/i.test(name);
}

/** The documents of one file, with `${NAME}` parts filled in from the file's constants. */
function documentsIn(file: string): Array<Omit<FoundDocument, "document" | "operations">> {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const constants = new Map<string, ts.Expression>();
  const literals: ts.Node[] = [];
  const walk = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      constants.set(node.name.text, node.initializer);
    }
    if (
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateExpression(node) ||
      ts.isStringLiteral(node)
    ) {
      const head = ts.isTemplateExpression(node) ? node.head.text : node.text;
      if (/^\s*#graphql/.test(head) || isGraphqlCall(node)) literals.push(node);
    }
    ts.forEachChild(node, walk);
  };
  walk(source);

  const textOf = (node: ts.Node, seen: Set<string>): string => {
    if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) return node.text;
    if (ts.isTemplateExpression(node)) {
      return (
        node.head.text +
        node.templateSpans
          .map((span) => {
            const expression = span.expression;
            if (
              !ts.isIdentifier(expression) ||
              !constants.has(expression.text) ||
              seen.has(expression.text)
            ) {
              throw new Error(
                `${relative(ROOT, file)}: cannot fill in \${${expression.getText()}} of a GraphQL document; ` +
                  "use a constant of this file (a fragment) or extend this scanner",
              );
            }
            return (
              textOf(constants.get(expression.text)!, new Set([...seen, expression.text])) + span.literal.text
            );
          })
          .join("")
      );
    }
    throw new Error(`${relative(ROOT, file)}: ${node.getText().slice(0, 40)} is not a GraphQL literal`);
  };

  return literals.map((node) => ({
    file: relative(ROOT, file),
    line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
    text: textOf(node, new Set()),
  }));
}

function appDocuments(): FoundDocument[] {
  return sourceFiles(APP).flatMap((file) =>
    documentsIn(file).flatMap((found) => {
      let document: DocumentNode;
      try {
        document = parse(found.text);
      } catch (error) {
        // Reported by the validation test below with its place.
        return [
          {
            ...found,
            document: { kind: Kind.DOCUMENT, definitions: [] },
            operations: [`(unparsable: ${String(error)})`],
          },
        ];
      }
      const operations = document.definitions.flatMap((definition) =>
        definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? "(anonymous)"] : [],
      );
      // Fragment-only literals are parts of the operations that fill them in.
      return operations.length > 0 ? [{ ...found, document, operations }] : [];
    }),
  );
}

const DOCUMENTS = appDocuments();

/** Each problem as "<operation> (<file>:<line>): <message> [<code>] at <path>". */
function problems(found: FoundDocument, rules: Parameters<typeof checkDocumentWith>[1]): string[] {
  const result = checkDocumentWith(found.text, rules);
  if (result.ok) return [];
  return result.errors.map(
    (error) =>
      `${found.operations.join(", ")} (${found.file}:${found.line}): ${error.message}` +
      `${error.extensions?.code ? ` [${String(error.extensions.code)}]` : ""}` +
      `${error.path ? ` at ${error.path.join(" > ")}` : ""}`,
  );
}

describe("the app's Admin GraphQL documents against the 2026-10 schema", () => {
  it("finds every document the app sends (the scanner works)", () => {
    const names = DOCUMENTS.flatMap((found) => found.operations).sort();
    // The operations at the time of writing; new ones are covered as they come.
    expect(names).toEqual(
      expect.arrayContaining([
        "FulfillOrderShippedByBrilliant",
        "FulfillmentOrderOrder",
        "FulfillmentOrdersOfOrder",
        "ReadShopifyOrder",
        "ReconcileOrderLineItems",
        "ReconcilePaidOrders",
        "ShopifyVariantsCount",
        "ShopifyVariantsPage",
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(DOCUMENTS.map((found) => [found.operations.join(", "), found] as const))(
    "%s parses and validates",
    (_name, found) => {
      expect(problems(found, specifiedRules)).toEqual([]);
    },
  );

  it.each(DOCUMENTS.map((found) => [found.operations.join(", "), found] as const))(
    "%s uses no field, argument or enum value deprecated in 2026-10",
    (_name, found) => {
      expect(problems(found, [NoDeprecatedCustomRule])).toEqual([]);
    },
  );

  it("every operation the app sends is one the Admin GraphQL stand-in plays", () => {
    const missing = DOCUMENTS.flatMap((found) => found.operations).filter(
      (name) => !STAND_IN_OPERATIONS.includes(name),
    );
    expect(missing).toEqual([]);
  });

  it("the schema file builds", () => {
    expect(adminSchema().getQueryType()?.name).toBe("QueryRoot");
    expect(adminSchema().getMutationType()?.name).toBe("Mutation");
  });
});

describe("Admin GraphQL stand-in: documents checked against the schema", () => {
  const SHOP = "schema-check.myshopify.com";
  let standIn: AdminGraphqlStandIn | undefined;

  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function post(body: unknown) {
    const response = await fetch(`${standIn!.origin}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-forwarded-host": SHOP,
        "x-shopify-access-token": standInAccessToken(SHOP),
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("answers a field the schema does not have as Shopify does, and charges nothing", async () => {
    standIn = await startAdminGraphqlStandIn({ shops: { [SHOP]: { products: generateProducts(2, 1) } } });
    const { status, body } = await post({
      query: `query ShopifyVariantsPage($first: Int!) {
        productVariants(first: $first) { nodes { id inventoryQuantity } }
      }`,
      variables: { first: 5 },
    });
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: "Field 'inventoryQuantity' doesn't exist on type 'ProductVariant'",
        locations: [{ line: 2, column: 53 }],
        path: ["query ShopifyVariantsPage", "productVariants", "nodes", "inventoryQuantity"],
        extensions: { code: "undefinedField", typeName: "ProductVariant", fieldName: "inventoryQuantity" },
      },
    ]);
    expect(standIn.requests.at(-1)).toMatchObject({ errorCode: "undefinedField", actualQueryCost: null });
    expect(standIn.throttleStatus(SHOP).currentlyAvailable).toBe(1000);
  });

  it("answers a missing required variable with INVALID_VARIABLE", async () => {
    standIn = await startAdminGraphqlStandIn({ shops: { [SHOP]: { products: [] } } });
    const { body } = await post({
      query: "query ShopifyVariantsPage($first: Int!) { productVariants(first: $first) { nodes { id } } }",
    });
    expect(body.errors).toMatchObject([
      {
        message: "Variable $first of type Int! was provided invalid value",
        extensions: { code: "INVALID_VARIABLE", value: null },
      },
    ]);
  });

  it("answers only what the document selects, under its aliases and fragments", async () => {
    standIn = await startAdminGraphqlStandIn({
      shops: { [SHOP]: { products: generateProducts(1, 1, { barcodeFor: () => "0123456789012" }) } },
    });
    const { body } = await post({
      query: `query ShopifyVariantsPage($first: Int!) {
        productVariants(first: $first) {
          nodes {
            variantId: id
            barcode
            barcodes(first: 1) { nodes { value } }
            product { ...Featured }
          }
        }
      }
      fragment Featured on Product {
        featuredMedia { __typename ... on MediaImage { image { url } } preview { image { url } } }
      }`,
      variables: { first: 1 },
    });
    expect(body.errors).toBeUndefined();
    const url = "https://cdn.shopify.test/products/8000000001.jpg";
    expect(body.data).toEqual({
      productVariants: {
        nodes: [
          {
            variantId: "gid://shopify/ProductVariant/45000000001",
            barcode: "0123456789012",
            barcodes: { nodes: [{ value: "0123456789012" }] },
            product: {
              featuredMedia: { __typename: "MediaImage", image: { url }, preview: { image: { url } } },
            },
          },
        ],
      },
    });
  });
});
