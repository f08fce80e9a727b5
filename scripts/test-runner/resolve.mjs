// Module resolution hook: "uvu" resolves to the reporting wrapper, except inside the wrapper itself.
const wrapper = new URL("./uvu.mjs", import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === "uvu" && context.parentURL !== wrapper) return { url: wrapper, shortCircuit: true };
  return next(specifier, context);
}
