// `mls fuzz`: no scenario generator exists yet. Say so and fail (exit 2)
// rather than pretend a fuzzing run happened.
import type { Command } from './types.js';

export const fuzz: Command = async (ctx) => {
  ctx.io.stderr.write('mls fuzz: not available yet: no scenario generator is implemented in this version\n');
  return 2;
};
