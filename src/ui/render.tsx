// Renders a page or part component to what Hono's c.html() takes, so src/routes/ui.ts can stay a plain .ts file.
import type { FC } from "hono/jsx";

export const render = <P extends object>(Component: FC<P>, props: P) => <Component {...props} />;
