import type { ExprNode } from './ast.js';
import { FUNCTIONS } from './functions.js';

/** The instance fields an expression reads, sorted: a change to any other field cannot change its result. */
export function fieldsRead(root: ExprNode): string[] {
  const fields = new Set<string>();
  const visit = (node: ExprNode | undefined): void => {
    if (!node) return;
    switch (node.kind) {
      case 'field':
        fields.add(node.name);
        return;
      case 'array':
        node.elements.forEach(visit);
        return;
      case 'member':
        visit(node.object);
        return;
      case 'index':
        visit(node.object);
        visit(node.index);
        return;
      case 'unary':
        visit(node.operand);
        return;
      case 'binary':
        visit(node.left);
        visit(node.right);
        return;
      case 'logical':
        node.operands.forEach(visit);
        return;
      case 'conditional':
        visit(node.test);
        visit(node.consequent);
        visit(node.alternate);
        return;
      case 'call':
        for (const field of FUNCTIONS.get(node.name)?.reads ?? []) fields.add(field);
        node.args.forEach(visit);
        return;
      case 'predicate':
        visit(node.collection);
        visit(node.body);
        node.extra.forEach(visit);
        return;
      default:
        return;
    }
  };
  visit(root);
  return [...fields].sort();
}
