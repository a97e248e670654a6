// The current time, behind one seam: code whose outcome depends on elapsed time (failed-credential windows) reads
// it here, so tests set the time instead of sleeping.
export const clock = { now: (): number => Date.now() };
