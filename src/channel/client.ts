// The typed way to reach a channel's Durable Object. One object per channel id (idFromName), so every request for
// a channel lands on the same single-threaded instance wherever it enters Cloudflare's network.
export function channelStub(env: Env, channelId: string) {
  return env.CHANNEL.get(env.CHANNEL.idFromName(channelId));
}
