/**
 * A JSON string property that CloudFormation assembles with Fn::Join (such as a custom
 * resource's SDK call), parsed back into an object: each deploy-time value becomes a readable
 * placeholder (`<Ref:Id>`, `<Id.Attr>`), so tests can compare the whole structure.
 */
export function parseJoinedJson(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value);
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(parts.map(placeholder).join(''));
}

function placeholder(part: unknown): string {
  if (typeof part === 'string') return part;
  const p = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (p.Ref) return `<Ref:${p.Ref}>`;
  if (p['Fn::GetAtt']) return `<${p['Fn::GetAtt'].join('.')}>`;
  return `<${JSON.stringify(part).replace(/"/g, "'")}>`;
}
