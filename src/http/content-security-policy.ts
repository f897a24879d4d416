// The Content-Security-Policy of the pages Tollgate serves itself (the console, the API reference):
// this origin only for everything, no framing, no plugins, no inline script. The pages differ only
// in where fonts and styles may come from, so that is all a caller says.
export function contentSecurityPolicy(sources: { font: string; style: string }): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    `font-src ${sources.font}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    `style-src ${sources.style}`,
  ].join('; ');
}
