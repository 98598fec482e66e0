/** Why a user's agent runs were cancelled for them: the reason RunFinished carries. */
export const RUNS_CANCELLED = {
  logoutAll: { code: 'REVOKED', message: 'Cancelled: every session of this user was signed out' },
  password: { code: 'REVOKED', message: "Cancelled: this user's password was changed" },
  role: { code: 'REVOKED', message: "Cancelled: this user's role was changed" },
  deleted: { code: 'REVOKED', message: 'Cancelled: this account was deleted' },
} as const;

export type RunsCancelled = { code: string; message: string };
