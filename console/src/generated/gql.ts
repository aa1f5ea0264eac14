/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment ConsoleAccountOverview on Customer {\n  id\n  uid\n  firstName\n  lastName\n  status\n  labels\n  createdAt\n  emails {\n    address\n    primary\n    verified\n  }\n}\n\nquery ConsoleAccount($id: ID!) {\n  customer(id: $id) {\n    ...ConsoleAccountOverview\n  }\n}\n\nquery ConsoleAccountInformation($customerId: ID!, $format: AccountInformationFormat!) {\n  accountInformation(customerId: $customerId, format: $format) {\n    content\n    contentType\n    fileName\n  }\n}\n\nmutation ConsoleDisableAccount($id: ID!) {\n  disableCustomer(id: $id) {\n    __typename\n    ... on DisableCustomerPayload {\n      customer {\n        ...ConsoleAccountOverview\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleEnableAccount($id: ID!) {\n  enableCustomer(id: $id) {\n    __typename\n    ... on EnableCustomerPayload {\n      customer {\n        ...ConsoleAccountOverview\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleDeleteSessions($customerId: ID!) {\n  revokeAllSessions(customerId: $customerId) {\n    __typename\n    ... on RevokeAllSessionsPayload {\n      revokedCount\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleDeleteAccount($id: ID!) {\n  deleteCustomer(id: $id) {\n    __typename\n    ... on DeleteCustomerPayload {\n      deletedCustomerId\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": typeof types.ConsoleAccountOverviewFragmentDoc,
    "query ConsoleAccounts($filter: CustomerFilter, $first: Int!, $after: String) {\n  customers(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        firstName\n        lastName\n        primaryEmail\n        labels\n        createdAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.ConsoleAccountsDocument,
};
const documents: Documents = {
    "fragment ConsoleAccountOverview on Customer {\n  id\n  uid\n  firstName\n  lastName\n  status\n  labels\n  createdAt\n  emails {\n    address\n    primary\n    verified\n  }\n}\n\nquery ConsoleAccount($id: ID!) {\n  customer(id: $id) {\n    ...ConsoleAccountOverview\n  }\n}\n\nquery ConsoleAccountInformation($customerId: ID!, $format: AccountInformationFormat!) {\n  accountInformation(customerId: $customerId, format: $format) {\n    content\n    contentType\n    fileName\n  }\n}\n\nmutation ConsoleDisableAccount($id: ID!) {\n  disableCustomer(id: $id) {\n    __typename\n    ... on DisableCustomerPayload {\n      customer {\n        ...ConsoleAccountOverview\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleEnableAccount($id: ID!) {\n  enableCustomer(id: $id) {\n    __typename\n    ... on EnableCustomerPayload {\n      customer {\n        ...ConsoleAccountOverview\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleDeleteSessions($customerId: ID!) {\n  revokeAllSessions(customerId: $customerId) {\n    __typename\n    ... on RevokeAllSessionsPayload {\n      revokedCount\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleDeleteAccount($id: ID!) {\n  deleteCustomer(id: $id) {\n    __typename\n    ... on DeleteCustomerPayload {\n      deletedCustomerId\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}": types.ConsoleAccountOverviewFragmentDoc,
    "query ConsoleAccounts($filter: CustomerFilter, $first: Int!, $after: String) {\n  customers(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        firstName\n        lastName\n        primaryEmail\n        labels\n        createdAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.ConsoleAccountsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ConsoleAccountOverview on Customer {\n  id\n  uid\n  firstName\n  lastName\n  status\n  labels\n  createdAt\n  emails {\n    address\n    primary\n    verified\n  }\n}\n\nquery ConsoleAccount($id: ID!) {\n  customer(id: $id) {\n    ...ConsoleAccountOverview\n  }\n}\n\nquery ConsoleAccountInformation($customerId: ID!, $format: AccountInformationFormat!) {\n  accountInformation(customerId: $customerId, format: $format) {\n    content\n    contentType\n    fileName\n  }\n}\n\nmutation ConsoleDisableAccount($id: ID!) {\n  disableCustomer(id: $id) {\n    __typename\n    ... on DisableCustomerPayload {\n      customer {\n        ...ConsoleAccountOverview\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleEnableAccount($id: ID!) {\n  enableCustomer(id: $id) {\n    __typename\n    ... on EnableCustomerPayload {\n      customer {\n        ...ConsoleAccountOverview\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleDeleteSessions($customerId: ID!) {\n  revokeAllSessions(customerId: $customerId) {\n    __typename\n    ... on RevokeAllSessionsPayload {\n      revokedCount\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleDeleteAccount($id: ID!) {\n  deleteCustomer(id: $id) {\n    __typename\n    ... on DeleteCustomerPayload {\n      deletedCustomerId\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}"): (typeof documents)["fragment ConsoleAccountOverview on Customer {\n  id\n  uid\n  firstName\n  lastName\n  status\n  labels\n  createdAt\n  emails {\n    address\n    primary\n    verified\n  }\n}\n\nquery ConsoleAccount($id: ID!) {\n  customer(id: $id) {\n    ...ConsoleAccountOverview\n  }\n}\n\nquery ConsoleAccountInformation($customerId: ID!, $format: AccountInformationFormat!) {\n  accountInformation(customerId: $customerId, format: $format) {\n    content\n    contentType\n    fileName\n  }\n}\n\nmutation ConsoleDisableAccount($id: ID!) {\n  disableCustomer(id: $id) {\n    __typename\n    ... on DisableCustomerPayload {\n      customer {\n        ...ConsoleAccountOverview\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleEnableAccount($id: ID!) {\n  enableCustomer(id: $id) {\n    __typename\n    ... on EnableCustomerPayload {\n      customer {\n        ...ConsoleAccountOverview\n      }\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleDeleteSessions($customerId: ID!) {\n  revokeAllSessions(customerId: $customerId) {\n    __typename\n    ... on RevokeAllSessionsPayload {\n      revokedCount\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}\n\nmutation ConsoleDeleteAccount($id: ID!) {\n  deleteCustomer(id: $id) {\n    __typename\n    ... on DeleteCustomerPayload {\n      deletedCustomerId\n    }\n    ... on Error {\n      code\n      message\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ConsoleAccounts($filter: CustomerFilter, $first: Int!, $after: String) {\n  customers(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        firstName\n        lastName\n        primaryEmail\n        labels\n        createdAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query ConsoleAccounts($filter: CustomerFilter, $first: Int!, $after: String) {\n  customers(filter: $filter, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        firstName\n        lastName\n        primaryEmail\n        labels\n        createdAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;