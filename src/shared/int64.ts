/** The range of PostgreSQL's bigint, which holds every balance and amount. A leaf: money.ts and scalars.ts both import it. */
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);
