import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';

/**
 * New hashes are bcrypt over HMAC-SHA-256(password) in base64, marked with this prefix:
 * bcrypt reads only 72 bytes (and stops at a NUL), the 44-character digest binds every byte
 * of a long passphrase. The key is a fixed, versioned label (not a secret): a new scheme gets
 * a new label and marker, and hashes of the old one keep verifying.
 */
const PREHASH_MARKER = 'hmac-sha256-v1:';
const PREHASH_KEY = 'coach-gateway/password-prehash/v1';
/** bcrypt's own limit: a legacy hash checked a password this long or shorter exactly. */
const BCRYPT_MAX_BYTES = 72;

function prehash(password: string): string {
  return createHmac('sha256', PREHASH_KEY).update(password, 'utf8').digest('base64');
}

/** bcrypt at the configured cost; built once per process. */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly cost: number) {}

  async hash(password: string): Promise<string> {
    return PREHASH_MARKER + (await bcrypt.hash(prehash(password), this.cost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    if (hash.startsWith(PREHASH_MARKER)) return bcrypt.compare(prehash(password), hash.slice(PREHASH_MARKER.length));
    // A legacy raw-bcrypt hash, written before the pre-hash.
    return bcrypt.compare(password, hash);
  }

  /**
   * True when `hash` is a legacy raw-bcrypt hash that a verified `password` may replace.
   * Not past 72 bytes: bcrypt checked only a prefix then, so the password just accepted may
   * not be the one the user chose, and rehashing it would lock the user out.
   */
  shouldUpgrade(password: string, hash: string): boolean {
    return !hash.startsWith(PREHASH_MARKER) && Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES;
  }

  /** Same work as a real check, for unknown usernames: no enumeration by timing. */
  async verifyNobody(password: string): Promise<false> {
    this.dummyHash ??= this.hash('timing-equaliser');
    await this.verify(password, await this.dummyHash);
    return false;
  }
}
