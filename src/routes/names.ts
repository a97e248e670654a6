// Names a person types into a form (a space's, an agent's), with errors in the words the form shows them.
import { z } from "zod";

const named = (whose: string) =>
  z
    .string({ error: `Enter ${whose} name` })
    .trim()
    .min(1, `Enter ${whose} name`)
    .max(100, `Keep ${whose} name to 100 characters or fewer`);

export const spaceName = named("the space's");
export const agentName = named("the agent's");
