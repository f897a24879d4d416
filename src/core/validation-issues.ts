// Ajv reports a value that matches no branch of a union (`anyOf`: a string or null, `live` or
// `test`) as one issue per branch plus one for the union. A 422 lists one entry per problem
// (SPEC §5), so a union's issues are folded here: when the value had a branch's shape and failed
// deeper inside (an unknown field of an object), only the deeper issues stay; otherwise the
// branches' type and constant issues become one ("must be string or null").
export interface ValidationIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

const UNION = new Set(['anyOf', 'oneOf']);

function foldUnion(union: ValidationIssue, issues: ValidationIssue[]): ValidationIssue[] {
  const at = union.instancePath;
  const branches = issues.filter((i) => i.instancePath === at && (i.keyword === 'type' || i.keyword === 'const'));
  const deeper = issues.some((i) => i.instancePath.startsWith(`${at}/`) || (i.instancePath === at && !branches.includes(i) && !UNION.has(i.keyword)));
  const others = issues.filter((i) => !branches.includes(i));
  if (deeper) return others;
  if (branches.length === 0) return [...others, union];
  const types = branches.filter((i) => i.keyword === 'type').map((i) => String(i.params.type));
  const values = branches.filter((i) => i.keyword === 'const').map((i) => JSON.stringify(i.params.allowedValue));
  const expected = [...values, ...types].join(' or ');
  return [...others, { instancePath: at, keyword: union.keyword, message: `must be ${expected}`, params: {} }];
}

export function foldUnionIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const unions = issues.filter((i) => UNION.has(i.keyword));
  let rest = issues.filter((i) => !UNION.has(i.keyword));
  // Innermost unions first, so an outer union sees its branches already folded.
  for (const union of [...unions].sort((a, b) => b.instancePath.length - a.instancePath.length)) rest = foldUnion(union, rest);
  return rest;
}
