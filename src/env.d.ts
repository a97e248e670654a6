// Secrets, which `wrangler types` cannot see (they live in Cloudflare or .dev.vars, not in wrangler.toml). They are
// not listed as secrets.required either: that list makes `wrangler dev` load only those from .dev.vars and makes
// `wrangler deploy` refuse to run without every one, optional ones included. Config code checks them at runtime.
interface Secrets {
  ADMIN_TOKEN: string;
  ENCRYPTION_KEY: string;
  VOICE_TWILIO_AUTH_TOKEN?: string;
  OPENAI_API_KEY?: string;
}
interface Env extends Secrets {}
declare namespace Cloudflare {
  interface Env extends Secrets {}
}
