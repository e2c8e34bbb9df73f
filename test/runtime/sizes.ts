export const SIZE = { MAX: (1n << 64n) - 1n } as const;
