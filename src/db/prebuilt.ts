// Statements on the hot path, built by drizzle once with placeholders and bound per call: the schema stays the one
// source of truth for column names, and a message costs a bind instead of a query build.
import { is, Param, Placeholder, type SQLWrapper } from "drizzle-orm";

export interface Prebuilt {
  sql: string;
  /** The statement's parameters, in order, from named values (encoded as each column maps them). */
  bind(values: Record<string, unknown>): unknown[];
}

export function prebuilt(query: SQLWrapper & { toSQL(): { sql: string; params: unknown[] } }): Prebuilt {
  const { sql, params } = query.toSQL();
  const slots = params.map((param) => {
    const placeholder = is(param, Param) && is(param.value, Placeholder) ? param.value : is(param, Placeholder) ? param : null;
    if (placeholder) {
      const { name } = placeholder;
      const encoder = is(param, Param) ? param.encoder : undefined;
      return (values: Record<string, unknown>) => {
        const v = values[name];
        if (v === undefined) throw new Error(`prebuilt statement: no value for ${name}`);
        return v === null ? null : encoder ? encoder.mapToDriverValue(v) : v;
      };
    }
    return () => param;
  });
  return { sql, bind: (values) => slots.map((slot) => slot(values)) };
}

/** A drizzle query as a plain D1 statement, for batches that mix it with prebuilt ones. */
export function toD1(d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return d1.prepare(sql).bind(...params);
}
