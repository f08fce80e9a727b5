// Types of shapes.mjs (plain JS, so the fresh processes run it from the bundle with `node`).
import type { GraphQLSchema } from "graphql";

type Shape = (makeSchema: (config: never) => GraphQLSchema, steps: unknown) => { schema: GraphQLSchema; source: string };
export declare const wideShape: Shape;
export declare const nestedShape: Shape;
export declare const SHAPES: { readonly wide: Shape; readonly nested: Shape };
