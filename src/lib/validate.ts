// Request validation: zod schemas through Hono's validator, with failures turned into the one error family
// (400 validation_error with the field issues) instead of zod's default response. A JSON body sent without a
// JSON Content-Type is refused with 415 rather than silently validated as an empty object.
import { zValidator } from "@hono/zod-validator";
import type { MiddlewareHandler, ValidationTargets } from "hono";
import { every } from "hono/combine";
import type { ZodType } from "zod";
import { AppError } from "./errors";

const requireJson: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError(415, "unsupported_media_type", "Send a JSON body with Content-Type: application/json.");
  }
  await next();
};

export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) => {
  const check = zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      const first = issues[0];
      throw new AppError(400, "validation_error", first ? `${first.path || target}: ${first.message}` : `invalid ${target}`, { issues });
    }
  });
  return (target === "json" ? every(requireJson, check) : check) as typeof check;
};
