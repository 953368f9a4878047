/**
 * The text each product shows when a variable cannot be substituted. Only MobileIron Cloud's is in the guides
 * (guide 001, Troubleshooting: "Installation Error: Variable substitution failed for {UserCN}", for ${userCN}
 * with a user that is not from LDAP). The guide writes the variable ${userCN} as {UserCN}: no "$", first letter
 * upper case. Applying that rendering to other variables, and every other product's text, is an ASSUMPTION.
 */
import type { Product } from './model.js';

export interface ProductText {
  text: string;
  /** True when this exact text is not confirmed by the guides. */
  assumption: boolean;
}

function mobileIronName(name: string): string {
  return `{${name.charAt(0).toUpperCase()}${name.slice(1)}}`;
}

/** What the product says when `name` (as written in its dialect, without delimiters) has no value. */
export function substitutionFailedText(product: Product, name: string): ProductText {
  switch (product) {
    case 'mobileiron-cloud':
      return { text: `Variable substitution failed for ${mobileIronName(name)}`, assumption: name !== 'userCN' };
    case 'mobileiron-core':
      // ASSUMPTION: Core (VSP) reports like Cloud; guide 000 shows no such error.
      return { text: `Variable substitution failed for ${mobileIronName(name)}`, assumption: true };
    case 'workspace-one':
      // ASSUMPTION: guide 004 shows no text for an unresolved lookup value.
      return { text: `Unable to resolve lookup value {${name}}`, assumption: true };
    case 'maas360':
      // ASSUMPTION: guide 003 shows no text for an unresolved parameter.
      return { text: `Unable to resolve %${name}% for the certificate request`, assumption: true };
  }
}
