import { describe, expect, it } from "vitest";
import { parseQueryDocument } from "./graphql-parser.js";
import { createRules } from "./graphql-rules.js";
import { buildSchema } from "./graphql-schema.js";
import { parseSchemaDocument } from "./graphql-schema-parser.js";
import { MAX_VALIDATION_STEPS, MAX_WALK_DEPTH, validateQuery } from "./graphql-validator.js";

const SCHEMA = buildSchema(
  parseSchemaDocument(`
    schema { query: Query mutation: Mutation subscription: Subscription }
    enum Episode { NEWHOPE EMPIRE JEDI }
    enum Unit { METER FOOT }
    interface Character { id: ID! name: String! friends: [Character] }
    type Human implements Character {
      id: ID! name: String! friends: [Character] height(unit: Unit = METER): Float
    }
    type Droid implements Character { id: ID! name: String! friends: [Character] primaryFunction: String }
    type Starship { id: ID! name: String! }
    union SearchResult = Human | Droid | Starship
    input ReviewInput { stars: Int! commentary: String }
    type Review { stars: Int! commentary: String }
    type Query {
      hero(episode: Episode): Character
      search(text: String!): [SearchResult]
      human(id: ID!): Human
      reviews(episode: Episode!, first: Int = 10): [Review]
    }
    type Mutation { createReview(episode: Episode, review: ReviewInput!): Review }
    type Subscription { reviewAdded(episode: Episode): Review }
    directive @rep repeatable on FIELD
  `),
);

/** The validation errors of a query, as `message @line:column`. */
function errors(query: string): string[] {
  return validateQuery(SCHEMA, parseQueryDocument(query), createRules()).map((e) =>
    e.position === undefined ? e.message : `${e.message} @${e.position.line}:${e.position.column}`,
  );
}

describe("graphql validation: valid queries", () => {
  it.each([
    "{ hero { name ... on Droid { primaryFunction } ... on Human { height } } }",
    "query ($ep: Episode = JEDI) { hero(episode: $ep) { id ...F } } fragment F on Character { name friends { name } }",
    '{ search(text: "an") { __typename ... on Human { name } ... on Droid { name } ... on Starship { name } } }',
    "mutation { createReview(episode: JEDI, review: {stars: 5}) { stars } }",
    "subscription { reviewAdded { stars } }",
    '{ __schema { types { name } } __type(name: "Human") { fields(includeDeprecated: true) { name } } }',
    "query Foo($flag: Boolean!) { ...Bar } fragment Bar on Query { hero @include(if: $flag) { name } }",
    "{ hero @rep @rep { name } }",
    "{ hero { name name n: name } }",
    "query ($e: Episode!) { reviews(episode: $e) { stars } }",
    "query ($f: Int) { reviews(episode: JEDI, first: $f) { stars } }",
    'query ($u: Unit) { human(id: "1") { height(unit: $u) } }',
    '{ search(text: "x") { ... on Human { id: name } ... on Starship { id: name } } }',
    "",
  ])("%s", (query) => {
    expect(errors(query)).toEqual([]);
  });
});

describe("graphql validation: each rule", () => {
  it.each([
    ["{ hero { nmae } }", 'Cannot query field "nmae" on type "Character". Did you mean "name"? @1:10'],
    [
      "{ hero { primaryFunction } }",
      'Cannot query field "primaryFunction" on type "Character". Did you mean to use an inline fragment on "Droid"? @1:10',
    ],
    [
      "{ hero(episod: JEDI) { name } }",
      'Unknown argument "episod" on field "Query.hero". Did you mean "episode"? @1:3',
    ],
    ["{ hero @foo { name } }", 'Unknown directive "@foo". @1:9'],
    ["query @include(if: true) { hero { name } }", 'Directive "@include" may not be used on QUERY. @1:8'],
    [
      "{ hero @skip(if: true) @skip(if: false) { name } }",
      'The directive "@skip" can only be used once at this location. @1:25',
    ],
    ["{ hero { ...Nope } }", 'Unknown fragment "Nope". @1:13'],
    [
      '{ human(id: "1") { ... on Droid { id } } }',
      'Fragment cannot be spread here as objects of type "Human" can never be of type "Droid". @1:24',
    ],
    ["{ hero { name } } fragment X on Human { id }", 'Fragment "X" is never used. @1:19'],
    ["query A { hero { name } } query A { hero { id } }", 'There can be only one operation named "A". @1:27'],
    ["query Q($unused: Int) { hero { name } }", 'Variable "$unused" is never used in operation "Q". @1:9'],
    ["query Q { hero(episode: $ep) { name } }", 'Variable "$ep" is not defined by operation "Q". @1:25'],
    [
      "{ hero }",
      'Field "hero" of type "Character" must have a selection of subfields. Did you mean "hero { ... }"? @1:3',
    ],
    [
      "{ human { id } }",
      'Field "human" argument "id" of type "ID!" is required, but it was not provided. @1:3',
    ],
    ["{ search(text: 5) { __typename } }", "String cannot represent a non string value: 5 @1:16"],
    [
      '{ hero(episode: "JEDI") { name } }',
      'Enum "Episode" cannot represent non-enum value: "JEDI". Did you mean the enum value "JEDI"? @1:18',
    ],
    ["{ hero(episode: SITH) { name } }", 'Value "SITH" does not exist in "Episode" enum. @1:17'],
    ["{ reviews(episode: null) { stars } }", 'Expected value of type "Episode!", found null. @1:20'],
    [
      'mutation { createReview(review: {commentary: "x"}) { stars } }',
      'Field "ReviewInput.stars" of required type "Int!" was not provided. @1:33',
    ],
    [
      "mutation { createReview(review: {stars: 1, stars: 2}) { stars } }",
      'There can be only one input field named "stars". @1:44',
    ],
    [
      "query ($e: Episode) { reviews(episode: $e) { stars } }",
      'Variable "$e" of type "Episode" used in position expecting type "Episode!". @1:40',
    ],
    [
      "fragment F on Character { ...G } fragment G on Character { ...F } { hero { ...F } }",
      'Cannot spread fragment "F" within itself via G. @1:63',
    ],
    [
      '{ human(id: "1") { height(unit: METER) height(unit: FOOT) } }',
      'Fields "height" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional. @1:40',
    ],
    [
      "{ hero { ... on Human { friends { name } } ... on Droid { friends: name } } }",
      'Fields "friends" conflict because they return conflicting types [Character] and String!. Use different aliases on the fields to fetch both if this was intentional. @1:59',
    ],
    [
      "{ hero { name: id name } }",
      'Fields "name" conflict because id and name are different fields. Use different aliases on the fields to fetch both if this was intentional. @1:19',
    ],
    [
      "{ hero { friends { name } friends { name: id } } }",
      'Fields "friends" conflict because subfields "name" conflict because name and id are different fields. Use different aliases on the fields to fetch both if this was intentional. @1:27',
    ],
    [
      "mutation { createReview(review: {stars: 1}) { stars } } subscription { x: __typename }",
      "Anonymous Subscription must not select an introspection top level field. @1:72",
    ],
    [
      "{ reviews(episode: JEDI, first: 99999999999999999999) { stars } }",
      "Int cannot represent non 32-bit signed integer value: 99999999999999999999 @1:33",
    ],
  ])("%s", (query, message) => {
    expect(errors(query)).toContain(message);
  });

  it("reports every error, in gqlparser's order", () => {
    expect(errors("{ hero { name } } { hero { id } }")).toEqual([
      "This anonymous operation must be the only defined operation. @1:1",
      "This anonymous operation must be the only defined operation. @1:19",
      'There can be only one operation named "". @1:19',
    ]);
    expect(errors("query ($x: Unknown, $h: Human) { hero { name(a: 1, a: 2) } }")).toEqual([
      'Unknown type "Unknown". @1:8',
      'Unknown argument "a" on field "Character.name". @1:41',
      'Unknown argument "a" on field "Character.name". @1:41',
      'There can be only one argument named "a". @1:52',
      'Variable "$x" is never used. @1:8',
      'Variable "$h" is never used. @1:21',
      'Variable "$h" cannot be non-input type "Human". @1:21',
    ]);
    // A fragment is checked where it is spread and again on its own.
    expect(errors("fragment F on Episode { x } { hero { ...F } }")).toEqual([
      'Cannot query field "x" on type "Episode". @1:25',
      'Cannot query field "x" on type "Episode". @1:25',
      'Fragment "F" cannot condition on non composite type "Episode". @1:1',
    ]);
  });

  it("stops at its depth and step limits with an error instead of running away", () => {
    const chain = Array.from(
      { length: MAX_WALK_DEPTH + 1 },
      (_, i) => `fragment C${i} on Character { ...C${i + 1} }`,
    );
    const deep = errors(
      `{ hero { ...C0 } } ${chain.join(" ")} fragment C${MAX_WALK_DEPTH + 1} on Character { id }`,
    );
    expect(deep.at(-1)).toMatch(/nested too deeply/);
    const wide = errors(`{ hero { ${"name ".repeat(3000)} } }`);
    expect(wide).toEqual([`the query is too large to validate (more than ${MAX_VALIDATION_STEPS} steps).`]);
  });
});
