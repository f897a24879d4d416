// Which plane a route belongs to decides the error envelope: OpenAI's shape on the
// OpenAI-compatible endpoints (so SDKs surface our message), Tollgate's everywhere else.
export type Plane = 'control' | 'admin' | 'data' | 'ops';

declare module 'fastify' {
  interface FastifyContextConfig {
    plane?: Plane;
    /** OpenAI-compatible endpoint: errors in OpenAI's `{error: {...}}` shape. */
    openaiErrors?: boolean;
  }
}

const OPENAI_PATHS = /^\/(api\/)?v1\/(chat\/completions|responses|embeddings|models)(\/|\?|$)/;

export function isOpenAiPath(url: string): boolean {
  return OPENAI_PATHS.test(url);
}
