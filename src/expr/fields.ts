import { children, type ExprNode } from './ast.js';
import { INSTANCE_TYPE } from './env.js';
import { FUNCTIONS } from './functions.js';

const ENV_FIELDS = Object.keys(INSTANCE_TYPE.fields);

/** The instance fields an expression reads, sorted: a change to any other field cannot change its result. */
export function fieldsRead(root: ExprNode): string[] {
  const fields = new Set<string>();
  const visit = (node: ExprNode): void => {
    if (node.kind === 'field') fields.add(node.name);
    // `$env` is the whole instance.
    if (node.kind === 'env') for (const name of ENV_FIELDS) fields.add(name);
    if (node.kind === 'call') for (const field of FUNCTIONS.get(node.name)?.reads ?? []) fields.add(field);
    children(node).forEach(visit);
  };
  visit(root);
  return [...fields].sort();
}
