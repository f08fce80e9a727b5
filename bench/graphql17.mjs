// `node --import ./bench/graphql17.mjs --import tsx <script>`: this process imports graphql from the graphql 17
// copy in ci/platform (the second platform, beside the tree's graphql 16), every ESM import of "graphql" or
// "graphql/…" alike, so the script and the library share that one instance. Needs Node's synchronous module
// hooks (Node 22.15+, the Node 24 in ci/platform). Changes nothing on disk.
import { registerHooks } from "node:module";

const platform = new URL("../ci/platform/node_modules/", import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === "graphql" || specifier.startsWith("graphql/")) return nextResolve(specifier, { ...context, parentURL: `${platform}index.js` });
    return nextResolve(specifier, context);
  },
});
