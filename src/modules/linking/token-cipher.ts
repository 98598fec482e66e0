import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The aggregator's access tokens at rest: AES-256-GCM under LINK_TOKEN_KEY, a fresh 12-byte IV each, the item id as associated data. */
export class TokenCipher {
  constructor(private readonly key: Buffer) {}

  seal(token: string, itemId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(itemId));
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
  }

  /** Throws when the sealed text was changed, moved to another item, or sealed under another key. */
  open(sealed: string, itemId: string): string {
    const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !tag || !body) throw new Error('not a sealed token');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(itemId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }
}
