// Request validation: zod schemas through Hono's validator, with failures turned into the one error family
// (400 validation_error with the field issues) instead of zod's default response.
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { AppError } from "./errors";

export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      const first = issues[0];
      throw new AppError(400, "validation_error", first ? `${first.path || target}: ${first.message}` : `invalid ${target}`, { issues });
    }
  });
