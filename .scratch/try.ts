import { todoSdlSchema, todoSdlKvetchSchema } from "../examples/todo/sdlSchema.ts";
import { printSchema } from "graphql";
console.log(printSchema(todoSdlSchema));
console.log(JSON.stringify(todoSdlKvetchSchema, null, 1).slice(0, 2000));
