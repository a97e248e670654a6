// The drizzle client over the D1 binding. Cheap to build; callers create one per request or per object.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;
export const createDb = (d1: D1Database) => drizzle(d1, { schema });
