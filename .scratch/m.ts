import { makeKvetchSchema } from "../steps/kvetch/index.js";
try { makeKvetchSchema({ typeDefs: `type Query { a: A } type A @object(typeId: "one") { x: String }` }); } catch (e) { console.log((e as Error).message); }
