// Builtins, GraphQL: the schema (SDL) document grammar, on the shared parser core. Follows
// gqlparser's ParseSchema: definitions, extensions, directive definitions and schema entry points.

import type {
  ArgumentDefinition,
  Definition,
  DefinitionKind,
  DirectiveDefinition,
  DirectiveLocation,
  EnumValueDefinition,
  FieldDefinition,
  OperationTypeDefinition,
  SchemaDefinition,
  SchemaDocument,
} from "./graphql-ast.js";
import { DIRECTIVE_LOCATIONS } from "./graphql-ast.js";
import { GraphqlParser } from "./graphql-parser.js";

interface MutableSchemaDocument {
  schema: SchemaDefinition[];
  schemaExtension: SchemaDefinition[];
  directives: DirectiveDefinition[];
  definitions: Definition[];
  extensions: Definition[];
}

/** Parses a schema document, or throws GraphqlError at the first syntax error. */
export function parseSchemaDocument(text: string, builtIn = false): SchemaDocument {
  const p = new SchemaParser(text, builtIn);
  const doc: MutableSchemaDocument = {
    schema: [],
    schemaExtension: [],
    directives: [],
    definitions: [],
    extensions: [],
  };
  while (p.peek().kind !== "EOF") {
    const kind = p.peek().kind;
    const description = kind === "BlockString" || kind === "String" ? p.next().value : "";
    const tok = p.peek();
    if (tok.kind !== "Name") p.unexpected();
    switch (tok.value) {
      case "scalar":
      case "type":
      case "interface":
      case "union":
      case "enum":
      case "input":
        doc.definitions.push(p.parseTypeDefinition(tok.value, description));
        break;
      case "schema":
        p.expectKeyword("schema");
        doc.schema.push(p.parseSchemaDefinition(description));
        break;
      case "directive":
        doc.directives.push(p.parseDirectiveDefinition(description));
        break;
      case "extend":
        // An extension cannot have a description: report the description itself.
        if (description !== "" && p.prev !== undefined) p.unexpected(p.prev);
        p.parseExtension(doc);
        break;
      default:
        p.unexpected();
    }
  }
  return doc;
}

type TypeKeyword = "scalar" | "type" | "interface" | "union" | "enum" | "input";

const KIND_OF: Readonly<Record<TypeKeyword, DefinitionKind>> = {
  scalar: "SCALAR",
  type: "OBJECT",
  interface: "INTERFACE",
  union: "UNION",
  enum: "ENUM",
  input: "INPUT_OBJECT",
};

class SchemaParser extends GraphqlParser {
  private readonly builtIn: boolean;

  constructor(text: string, builtIn: boolean) {
    super(text);
    this.builtIn = builtIn;
  }

  private description(): string {
    const kind = this.peek().kind;
    return kind === "BlockString" || kind === "String" ? this.next().value : "";
  }

  /** A type definition (`isExtension` false) or extension: the keyword comes next. */
  private typeBody(keyword: TypeKeyword, description: string, isExtension: boolean): Definition {
    this.expectKeyword(keyword);
    const position = this.peekPos();
    const name = this.parseName();
    const kind = KIND_OF[keyword];
    let interfaces: string[] = [];
    let directives = [] as Definition["directives"];
    let fields: FieldDefinition[] = [];
    let types: string[] = [];
    let enumValues: EnumValueDefinition[] = [];
    switch (kind) {
      case "SCALAR":
        directives = this.parseDirectives(true);
        if (isExtension && directives.length === 0) this.unexpected();
        break;
      case "OBJECT":
      case "INTERFACE":
        // gqlparser does not read `implements` in interface extensions.
        if (kind === "OBJECT" || !isExtension) interfaces = this.parseImplementsInterfaces();
        directives = this.parseDirectives(true);
        fields = this.parseFieldsDefinition();
        if (isExtension && interfaces.length === 0 && directives.length === 0 && fields.length === 0) {
          this.unexpected();
        }
        break;
      case "UNION":
        directives = this.parseDirectives(true);
        types = this.parseUnionMemberTypes();
        if (isExtension && directives.length === 0 && types.length === 0) this.unexpected();
        break;
      case "ENUM":
        directives = this.parseDirectives(true);
        enumValues = this.parseEnumValues();
        if (isExtension && directives.length === 0 && enumValues.length === 0) this.unexpected();
        break;
      case "INPUT_OBJECT":
        // gqlparser reads directives of input extensions as non-constant.
        directives = this.parseDirectives(!isExtension);
        fields = this.parseInputFields();
        if (isExtension && directives.length === 0 && fields.length === 0) this.unexpected();
        break;
    }
    return {
      kind,
      description,
      name,
      directives,
      interfaces,
      fields,
      types,
      enumValues,
      builtIn: this.builtIn,
      position,
    };
  }

  parseTypeDefinition(keyword: TypeKeyword, description: string): Definition {
    return this.typeBody(keyword, description, false);
  }

  parseSchemaDefinition(description: string): SchemaDefinition {
    const position = this.peekPos();
    const directives = this.parseDirectives(true);
    const operationTypes: OperationTypeDefinition[] = [];
    this.some("BraceL", "BraceR", () => {
      const opPosition = this.peekPos();
      const operation = this.parseOperationType();
      this.expect("Colon");
      operationTypes.push({ operation, type: this.parseName(), position: opPosition });
    });
    return { description, directives, operationTypes, position };
  }

  parseExtension(doc: MutableSchemaDocument): void {
    this.expectKeyword("extend");
    const value = this.peek().value;
    switch (value) {
      case "schema": {
        this.expectKeyword("schema");
        const def = this.parseSchemaDefinition("");
        if (def.directives.length === 0 && def.operationTypes.length === 0) this.unexpected();
        doc.schemaExtension.push(def);
        return;
      }
      case "scalar":
      case "type":
      case "interface":
      case "union":
      case "enum":
      case "input":
        doc.extensions.push(this.typeBody(value, "", true));
        return;
      default:
        this.unexpected();
    }
  }

  private parseImplementsInterfaces(): string[] {
    if (this.peek().value !== "implements") return [];
    this.next();
    return this.parseNameList("Amp");
  }

  /** Names separated by `&` or `|`, the first optionally preceded by one. */
  private parseNameList(separator: "Amp" | "Pipe"): string[] {
    this.skip(separator);
    const names = [this.parseName()];
    while (this.skip(separator)) names.push(this.parseName());
    return names;
  }

  private parseFieldsDefinition(): FieldDefinition[] {
    const defs: FieldDefinition[] = [];
    this.some("BraceL", "BraceR", () => {
      const position = this.peekPos();
      const description = this.description();
      const name = this.parseName();
      const args = this.parseArgumentDefs();
      this.expect("Colon");
      const type = this.parseTypeReference();
      defs.push({
        description,
        name,
        arguments: args,
        type,
        directives: this.parseDirectives(true),
        position,
      });
    });
    return defs;
  }

  private parseArgumentDefs(): ArgumentDefinition[] {
    const args: ArgumentDefinition[] = [];
    this.some("ParenL", "ParenR", () => {
      args.push(this.parseInputValue());
    });
    return args;
  }

  private parseInputValue(): ArgumentDefinition {
    const position = this.peekPos();
    const description = this.description();
    const name = this.parseName();
    this.expect("Colon");
    const type = this.parseTypeReference();
    const defaultValue = this.skip("Equals") ? this.parseValueLiteral(true) : undefined;
    return { description, name, defaultValue, type, directives: this.parseDirectives(true), position };
  }

  private parseInputFields(): FieldDefinition[] {
    const defs: FieldDefinition[] = [];
    this.some("BraceL", "BraceR", () => {
      defs.push({ ...this.parseInputValue(), arguments: [] });
    });
    return defs;
  }

  private parseUnionMemberTypes(): string[] {
    return this.skip("Equals") ? this.parseNameList("Pipe") : [];
  }

  private parseEnumValues(): EnumValueDefinition[] {
    const values: EnumValueDefinition[] = [];
    this.some("BraceL", "BraceR", () => {
      const position = this.peekPos();
      const description = this.description();
      const name = this.parseName();
      values.push({ description, name, directives: this.parseDirectives(true), position });
    });
    return values;
  }

  parseDirectiveDefinition(description: string): DirectiveDefinition {
    this.expectKeyword("directive");
    this.expect("At");
    const position = this.peekPos();
    const name = this.parseName();
    const args = this.parseArgumentDefs();
    let isRepeatable = false;
    const peek = this.peek();
    if (peek.kind === "Name" && peek.value === "repeatable") {
      isRepeatable = true;
      this.next();
    }
    this.expectKeyword("on");
    this.skip("Pipe");
    const locations: DirectiveLocation[] = [this.parseDirectiveLocation()];
    while (this.skip("Pipe")) locations.push(this.parseDirectiveLocation());
    return { description, name, arguments: args, locations, isRepeatable, position };
  }

  private parseDirectiveLocation(): DirectiveLocation {
    const tok = this.expect("Name");
    const location = DIRECTIVE_LOCATIONS.find((l) => l === tok.value);
    return location ?? this.unexpected(tok);
  }
}
