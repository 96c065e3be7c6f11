import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
  buildSchema,
  getNamedType,
  getNullableType,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  parse,
  specifiedRules,
  validate,
  visit,
  GraphQLError,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";

/**
 * The Admin GraphQL schema (2026-10) as far as the app uses it
 * (admin-schema-2026-10.graphql), and what the stand-in does with it: checks
 * each document it is sent as Shopify does, answering an invalid one with the
 * errors Shopify words (graphql-ruby's static validation: "Field 'x' doesn't
 * exist on type 'Y'", extensions.code "undefinedField", …), and trims its
 * answers to what the document selects (aliases, fragments, __typename).
 *
 * A document is parsed and validated once (the result is kept by its text):
 * the app sends a handful of documents over and over.
 */

export const ADMIN_API_VERSION = "2026-10";

export const ADMIN_SCHEMA_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  `admin-schema-${ADMIN_API_VERSION}.graphql`,
);

let schema: GraphQLSchema | undefined;

/** The schema built from the SDL file (once). */
export function adminSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(ADMIN_SCHEMA_PATH, "utf8"));
  return schema;
}

/** A GraphQL error as Shopify's Admin API answers it. */
export interface ShopifyGraphqlError {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

export type CheckedDocument =
  | { ok: true; document: DocumentNode }
  | { ok: false; document: DocumentNode | null; errors: ShopifyGraphqlError[] };

const checked = new Map<string, CheckedDocument>();
const MAX_CHECKED = 500;

/**
 * Parses and validates a document against the schema, with the given rules
 * (graphql's standard ones by default); remembered by its text.
 */
export function checkDocument(query: string): CheckedDocument {
  const known = checked.get(query);
  if (known) return known;
  const result = checkUncached(query, specifiedRules);
  if (checked.size >= MAX_CHECKED) checked.delete(checked.keys().next().value!);
  checked.set(query, result);
  return result;
}

/** As checkDocument, uncached, with other rules (tests add graphql's NoDeprecatedCustomRule). */
export function checkDocumentWith(query: string, rules: readonly ValidationRule[]): CheckedDocument {
  return checkUncached(query, rules);
}

function checkUncached(query: string, rules: readonly ValidationRule[]): CheckedDocument {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return {
      ok: false,
      document: null,
      errors: [
        {
          message: error.message.replace(/^Syntax Error: /, "Parse error: "),
          ...(error.locations ? { locations: [...error.locations] } : {}),
        },
      ],
    };
  }
  const errors = validate(adminSchema(), document, rules);
  if (errors.length === 0) return { ok: true, document };
  return { ok: false, document, errors: shopifyErrors(document, errors) };
}

/** The operation the request names, or its only one; null when there is none to run. */
export function selectOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | null {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((operation) => operation.name?.value === operationName) ?? null;
  return operations.length === 1 ? operations[0]! : null;
}

/**
 * The variables as the operation declares them, or Shopify's INVALID_VARIABLE
 * errors ("Variable $first of type Int! was provided invalid value").
 */
export function checkVariables(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): ShopifyGraphqlError[] {
  const result = getVariableValues(adminSchema(), operation.variableDefinitions ?? [], variables, {
    maxErrors: 10,
  });
  if (!("errors" in result) || !result.errors) return [];
  return result.errors.map((error) => {
    const definition = (operation.variableDefinitions ?? []).find((candidate) =>
      error.message.startsWith(`Variable "$${candidate.variable.name.value}"`),
    );
    const name = definition?.variable.name.value ?? "?";
    const type = definition ? typeText(definition.type) : "?";
    return {
      message: `Variable $${name} of type ${type} was provided invalid value`,
      ...(error.locations ? { locations: [...error.locations] } : {}),
      extensions: {
        code: "INVALID_VARIABLE",
        value: variables[name] ?? null,
        problems: [{ path: [], explanation: error.message }],
      },
    };
  });
}

function typeText(node: ASTNode): string {
  if (node.kind === Kind.NON_NULL_TYPE) return `${typeText(node.type)}!`;
  if (node.kind === Kind.LIST_TYPE) return `[${typeText(node.type)}]`;
  if (node.kind === Kind.NAMED_TYPE) return node.name.value;
  return "?";
}

// ---------------------------------------------------------------------------
// Errors as Shopify (graphql-ruby's static validation) words them

interface Places {
  /** Each node's path, as graphql-ruby reports it: "query Name", field (or alias), "... on Type". */
  paths: Map<ASTNode, string[]>;
  parents: Map<ASTNode, ASTNode>;
}

function places(document: DocumentNode): Places {
  const paths = new Map<ASTNode, string[]>();
  const parents = new Map<ASTNode, ASTNode>();
  const stack: ASTNode[] = [];
  const current: string[] = [];
  const pushed = new Set<ASTNode>();
  visit(document, {
    enter(node) {
      const parent = stack.at(-1);
      if (parent) parents.set(node, parent);
      stack.push(node);
      let part: string | null = null;
      switch (node.kind) {
        case Kind.OPERATION_DEFINITION:
          part = node.name ? `${node.operation} ${node.name.value}` : node.operation;
          break;
        case Kind.FRAGMENT_DEFINITION:
          part = `fragment ${node.name.value}`;
          break;
        case Kind.FIELD:
          part = node.alias?.value ?? node.name.value;
          break;
        case Kind.INLINE_FRAGMENT:
          part = node.typeCondition ? `... on ${node.typeCondition.name.value}` : "...";
          break;
        case Kind.FRAGMENT_SPREAD:
          part = `... ${node.name.value}`;
          break;
        case Kind.ARGUMENT:
          part = node.name.value;
          break;
      }
      if (part !== null) {
        current.push(part);
        pushed.add(node);
      }
      paths.set(node, [...current]);
    },
    leave(node) {
      stack.pop();
      if (pushed.has(node)) current.pop();
    },
  });
  return { paths, parents };
}

function shopifyErrors(document: DocumentNode, errors: readonly GraphQLError[]): ShopifyGraphqlError[] {
  const { paths, parents } = places(document);
  return errors.map((error) => {
    // The last node is where it went wrong (for a variable, its use in an argument).
    const node = error.nodes?.at(-1);
    const base = {
      ...(error.locations ? { locations: [...error.locations] } : {}),
      ...(node && paths.get(node) ? { path: paths.get(node)! } : {}),
    };
    const worded = shopifyWording(error.message, node, parents);
    return { message: worded.message, ...base, extensions: worded.extensions };
  });
}

function shopifyWording(
  message: string,
  node: ASTNode | undefined,
  parents: Map<ASTNode, ASTNode>,
): { message: string; extensions: Record<string, unknown> } {
  let match: RegExpExecArray | null;
  if ((match = /^Cannot query field "(.+?)" on type "(.+?)"\./.exec(message))) {
    const [, fieldName, typeName] = match;
    return {
      message: `Field '${fieldName}' doesn't exist on type '${typeName}'`,
      extensions: { code: "undefinedField", typeName, fieldName },
    };
  }
  if ((match = /^Unknown argument "(.+?)" on field "(.+?)\.(.+?)"\./.exec(message))) {
    const [, argumentName, , fieldName] = match;
    return {
      message: `Field '${fieldName}' doesn't accept argument '${argumentName}'`,
      extensions: { code: "argumentNotAccepted", name: fieldName, typeName: "Field", argumentName },
    };
  }
  if (
    (match = /^Field "(.+?)" argument "(.+?)" of type "(.+?)" is required, but it was not provided\./.exec(
      message,
    ))
  ) {
    const [, fieldName, argumentName] = match;
    return {
      message: `Field '${fieldName}' is missing required arguments: ${argumentName}`,
      extensions: {
        code: "missingRequiredArguments",
        className: "Field",
        name: fieldName,
        arguments: argumentName,
      },
    };
  }
  if (
    (match = /^Variable "\$(.+?)" of type "(.+?)" used in position expecting type "(.+?)"\./.exec(message))
  ) {
    const [, variableName, given, expected] = match;
    const argument = node?.kind === Kind.VARIABLE ? parents.get(node) : undefined;
    const argumentName = argument?.kind === Kind.ARGUMENT ? argument.name.value : "?";
    const nullability = given!.replace(/!/g, "") === expected!.replace(/!/g, "");
    return {
      message: `${nullability ? "Nullability" : "Type"} mismatch on variable $${variableName} and argument ${argumentName} (${given} / ${expected})`,
      extensions: {
        code: "variableMismatch",
        variableName,
        typeName: given,
        argumentName,
        errorMessage: nullability ? "Nullability mismatch" : "Type mismatch",
      },
    };
  }
  if ((match = /^Variable "\$(.+?)" is never used in operation "(.+?)"\./.exec(message))) {
    const [, variableName, operation] = match;
    return {
      message: `Variable $${variableName} is declared by ${operation} but not used`,
      extensions: { code: "variableNotUsed", variableName },
    };
  }
  if ((match = /^Variable "\$(.+?)" is not defined by operation "(.+?)"\./.exec(message))) {
    const [, variableName, operation] = match;
    return {
      message: `Variable $${variableName} is used by ${operation} but not declared`,
      extensions: { code: "variableNotDefined", variableName },
    };
  }
  if ((match = /^Field "(.+?)" of type "(.+?)" must have a selection of subfields\./.exec(message))) {
    const fieldName = match[1]!;
    const typeName = match[2]!.replace(/[[\]!]/g, "");
    return {
      message: `Field must have selections (field '${fieldName}' returns ${typeName} but has no selections. Did you mean '${fieldName} { ... }'?)`,
      extensions: { code: "selectionMismatch", nodeName: `field '${fieldName}'`, typeName },
    };
  }
  if (
    (match = /^Field "(.+?)" must not have a selection since type "(.+?)" has no subfields\./.exec(message))
  ) {
    const fieldName = match[1]!;
    const typeName = match[2]!.replace(/[[\]!]/g, "");
    return {
      message: `Selections can't be made on scalars (field '${fieldName}' returns ${typeName} but has selections)`,
      extensions: { code: "selectionMismatch", nodeName: `field '${fieldName}'`, typeName },
    };
  }
  if ((match = /^Fragment "(.+?)" is never used\./.exec(message))) {
    return {
      message: `Fragment ${match[1]} was defined, but not used`,
      extensions: { code: "useAndDefineFragment", fragmentName: match[1] },
    };
  }
  if ((match = /^Unknown fragment "(.+?)"\./.exec(message))) {
    return {
      message: `Fragment ${match[1]} was used, but not defined`,
      extensions: { code: "useAndDefineFragment", fragmentName: match[1] },
    };
  }
  if ((match = /^Unknown type "(.+?)"\./.exec(message))) {
    let holder = node ? parents.get(node) : undefined;
    while (
      holder &&
      holder.kind !== Kind.VARIABLE_DEFINITION &&
      holder.kind !== Kind.INLINE_FRAGMENT &&
      holder.kind !== Kind.FRAGMENT_DEFINITION
    ) {
      holder = parents.get(holder);
    }
    if (holder?.kind === Kind.VARIABLE_DEFINITION) {
      return {
        message: `${match[1]} isn't a defined input type (on $${holder.variable.name.value})`,
        extensions: {
          code: "variableRequiresValidType",
          typeName: match[1],
          variableName: holder.variable.name.value,
        },
      };
    }
    return {
      message: `No such type ${match[1]}, so it can't be a fragment condition`,
      extensions: { code: "undefinedType", typeName: match[1] },
    };
  }
  if (/^The (field|argument|enum value|input field) .+ is deprecated\./.test(message)) {
    // Not Shopify's: graphql's NoDeprecatedCustomRule, which only the tests add.
    return { message, extensions: { code: "deprecated" } };
  }
  // Rarer rules keep graphql's wording.
  return { message, extensions: { code: "validationError" } };
}

// ---------------------------------------------------------------------------
// Answers trimmed to the selection

/** A value the stand-in's handlers did not supply for a field the document selects. */
export class StandInGapError extends Error {
  override name = "StandInGapError";
}

/**
 * The data the document selects out of what a handler answered: only the
 * fields asked for, under their aliases, through fragments and __typename, as
 * a GraphQL server returns them. A handler's object for an interface
 * (Media) carries its concrete type in `__typename`.
 */
export function selectData(
  data: unknown,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): unknown {
  if (data === null || data === undefined) return data;
  const root =
    operation.operation === "mutation" ? adminSchema().getMutationType() : adminSchema().getQueryType();
  if (!root) throw new StandInGapError(`The schema has no ${operation.operation} root`);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const out: Record<string, unknown> = {};
  selectInto(
    out,
    data as Record<string, unknown>,
    operation.selectionSet,
    root,
    { fragments, variables },
    [],
  );
  return out;
}

interface Selecting {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function selectInto(
  out: Record<string, unknown>,
  value: Record<string, unknown>,
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  context: Selecting,
  path: Array<string | number>,
): void {
  const schema = adminSchema();
  for (const selection of selectionSet.selections) {
    if (skipped(selection.directives, context.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const key = selection.alias?.value ?? name;
      if (name === "__typename") {
        out[key] = runtimeType(value, type, path).name;
        continue;
      }
      if (isAbstractType(type) || !isObjectType(type)) {
        // Selections on an interface are answered by its concrete type.
        const concrete = runtimeType(value, type, path);
        selectInto(out, value, { ...selectionSet, selections: [selection] }, concrete, context, path);
        continue;
      }
      const field = type.getFields()[name];
      if (!field) throw new StandInGapError(`${type.name}.${name} is not in the schema`);
      const completed = complete(
        value[name],
        field.type,
        selection.selectionSet,
        context,
        [...path, key],
        `${type.name}.${name}`,
      );
      out[key] = merge(out[key], completed);
      continue;
    }
    const condition =
      selection.kind === Kind.INLINE_FRAGMENT
        ? selection.typeCondition?.name.value
        : context.fragments.get(selection.name.value)?.typeCondition.name.value;
    const selections =
      selection.kind === Kind.INLINE_FRAGMENT
        ? selection.selectionSet
        : context.fragments.get(selection.name.value)?.selectionSet;
    if (!selections)
      throw new StandInGapError(
        `Unknown fragment ${selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : ""}`,
      );
    const conditionType = condition ? schema.getType(condition) : type;
    if (!conditionType || !isCompositeType(conditionType)) continue;
    const concrete = runtimeType(value, type, path);
    const applies =
      conditionType.name === concrete.name ||
      (isAbstractType(conditionType) && schema.isSubType(conditionType, concrete));
    if (applies) selectInto(out, value, selections, concrete, context, path);
  }
}

function complete(
  value: unknown,
  type: GraphQLOutputType,
  selectionSet: SelectionSetNode | undefined,
  context: Selecting,
  path: Array<string | number>,
  fieldName: string,
): unknown {
  if (value === undefined) {
    throw new StandInGapError(
      `The stand-in answers no ${fieldName} (at ${path.join(".")}); add it to its handler`,
    );
  }
  if (value === null) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value))
      throw new StandInGapError(`${fieldName} should be a list (at ${path.join(".")})`);
    return value.map((item, index) =>
      complete(
        item,
        nullable.ofType as GraphQLOutputType,
        selectionSet,
        context,
        [...path, index],
        fieldName,
      ),
    );
  }
  const named = getNamedType(nullable);
  if (!isCompositeType(named) || !selectionSet) return value;
  const out: Record<string, unknown> = {};
  selectInto(out, value as Record<string, unknown>, selectionSet, named, context, path);
  return out;
}

function runtimeType(
  value: Record<string, unknown>,
  type: GraphQLCompositeType,
  path: Array<string | number>,
) {
  if (isObjectType(type)) return type;
  const name = value.__typename;
  const concrete = typeof name === "string" ? adminSchema().getType(name) : undefined;
  if (!concrete || !isObjectType(concrete)) {
    throw new StandInGapError(`An object for ${type.name} needs its __typename (at ${path.join(".")})`);
  }
  return concrete;
}

function merge(existing: unknown, added: unknown): unknown {
  if (
    existing &&
    added &&
    typeof existing === "object" &&
    typeof added === "object" &&
    !Array.isArray(existing) &&
    !Array.isArray(added)
  ) {
    const merged: Record<string, unknown> = { ...(existing as Record<string, unknown>) };
    for (const [key, value] of Object.entries(added)) merged[key] = merge(merged[key], value);
    return merged;
  }
  if (Array.isArray(existing) && Array.isArray(added) && existing.length === added.length) {
    return existing.map((item, index) => merge(item, added[index]));
  }
  return added;
}

function skipped(
  directives: readonly DirectiveNode[] | undefined,
  variables: Record<string, unknown>,
): boolean {
  for (const directive of directives ?? []) {
    const argument = directive.arguments?.find((candidate) => candidate.name.value === "if");
    if (!argument) continue;
    const condition =
      argument.value.kind === Kind.BOOLEAN
        ? argument.value.value
        : argument.value.kind === Kind.VARIABLE
          ? variables[argument.value.name.value] === true
          : false;
    if (directive.name.value === "skip" && condition) return true;
    if (directive.name.value === "include" && !condition) return true;
  }
  return false;
}
