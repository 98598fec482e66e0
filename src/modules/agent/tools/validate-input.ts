import { validate } from 'class-validator';
import { badUserInput } from '../../../shared/errors.js';

/** Tools feed services the same input classes the API does, with the same checks. */
export async function validatedInput<T extends object>(cls: new () => T, values: Record<string, unknown>): Promise<T> {
  const input = Object.assign(new cls(), values);
  const errors = await validate(input, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw badUserInput(errors.flatMap((e) => Object.values(e.constraints ?? {}).map((message) => ({ field: e.property, message }))));
  }
  return input;
}
