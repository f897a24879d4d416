// Request validation (SPEC §7 "strict bodies"). A JSON body is checked as it was sent: a number
// where a string is expected, `"0x10"` or `[5]` where an integer is expected, or a field the
// schema does not name is a 422 naming it — never coerced, never silently dropped. Every object
// of a control, admin or operator body schema is closed (`additionalProperties: false`) unless it
// says otherwise, so a schema added later is strict without anyone remembering to make it so.
// Querystrings and path parameters arrive as text: they keep Ajv's coercion (`?limit=10`).
// Data-plane bodies (the OpenAI-compatible endpoints) pass through to the upstream: only what
// Tollgate reads is validated there, so their schemas are left open.
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { isOpenAiPath } from './planes.js';

const addFormats = addFormatsModule.default;

// `allErrors`: one 422 entry per problem (SPEC §5); bodies are bounded by the body limit.
const COMMON: Options = { allErrors: true, useDefaults: true, strict: false };

function ajvWith(options: Options): Ajv {
  const ajv = new Ajv({ ...COMMON, ...options });
  addFormats(ajv);
  return ajv;
}

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A copy of `schema` where every object that names its properties and does not state
 * `additionalProperties` refuses unknown ones. `allOf` branches are left as they are: closing
 * one branch would refuse the properties the others name.
 */
export function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!isSchema(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'allOf' || key === 'const' || key === 'default' || key === 'examples' || key === 'enum') out[key] = value;
    else if (key === 'properties' && isSchema(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, closeObjects(sub)]));
    else out[key] = closeObjects(value);
  }
  if (out.type === 'object' && isSchema(out.properties) && !('additionalProperties' in out) && !('patternProperties' in out)) {
    out.additionalProperties = false;
  }
  return out;
}

/** Installs the two validators and closes the body schemas of every route registered after it. */
export function installStrictValidation(app: FastifyInstance): void {
  const bodies = ajvWith({ coerceTypes: false, removeAdditional: false });
  // Text parts of the URL: coerced to the schema's types; unknown query parameters are ignored
  // as they always were (a link may carry tracking parameters).
  const urlParts = ajvWith({ coerceTypes: 'array', removeAdditional: true });
  app.setValidatorCompiler(function compileValidator({ schema, httpPart }) {
    return (httpPart === 'body' ? bodies : urlParts).compile(schema as Schema);
  });
  app.addHook('onRoute', function closeBodySchema(route: RouteOptions) {
    const body = route.schema?.body;
    if (!body || route.config?.openaiErrors || isOpenAiPath(route.url)) return;
    route.schema = { ...route.schema, body: closeObjects(body) };
  });
}
