// Request and response schemas of the single sign-on routes (SPEC §12).
import { Type } from '@sinclair/typebox';

export const SsoProvidersOut = Type.Object({
  providers: Type.Array(
    Type.Object({
      id: Type.String({ description: 'Sign in by sending the browser to /api/v1/auth/sso/{id}/start.' }),
      name: Type.String({ description: "The button's label." }),
    }),
  ),
});

/** Any text: an id that no provider has is a 404, whatever it looks like. */
export const SsoParams = Type.Object({ id: Type.String({ maxLength: 200 }) });

export const SsoRedirect = Type.Null({ description: 'A redirect (302): see the Location header.' });
