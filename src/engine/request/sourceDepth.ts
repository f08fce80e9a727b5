// SourceDepth (spec/limits.md): the nesting of a GraphQL source text, counted before graphql-js's recursive
// parser sees it, so text nested too deeply is refused with a message rather than a stack overflow.

/**
 * spec: SourceDepth — the deepest `{` nesting of a GraphQL source text, counted without parsing (strings
 * and comments skipped), so text nested too deep for the recursive parser is refused with a message.
 */
export function sourceDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (text.startsWith('"""', i)) {
        // A block string ends at the first `"""` that is not the escape `\"""`.
        for (i += 3; i < text.length; i++) {
          if (text.charCodeAt(i) === 0x5c && text.startsWith('"""', i + 1)) i += 3;
          else if (text.startsWith('"""', i)) break;
        }
        i += 2;
      } else {
        for (i++; i < text.length; i++) {
          const d = text.charCodeAt(i);
          if (d === 0x5c /* \ */) i++;
          else if (d === 0x22 || d === 0x0a) break;
        }
      }
    } else if (c === 0x7b /* { */ || c === 0x28 /* ( */ || c === 0x5b /* [ */) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x29 || c === 0x5d) {
      depth--;
    }
  }
  return max;
}
