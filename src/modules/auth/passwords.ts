import bcrypt from 'bcrypt';

/** bcrypt at the configured cost; built once per process. */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /** Same work as a real check, for unknown usernames: no enumeration by timing. */
  async verifyNobody(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash('timing-equaliser', this.cost);
    await bcrypt.compare(password, await this.dummyHash);
    return false;
  }
}
