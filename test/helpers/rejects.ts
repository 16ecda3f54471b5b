// assert.throws for async functions: the promise must reject with a message matching `re`.
import * as assert from 'uvu/assert';

export async function rejects(fn: () => Promise<unknown>, re: RegExp): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    assert.match((e as Error).message, re);
    return e as Error;
  }
  assert.unreachable(`expected a rejection matching ${re}`);
  throw new Error('unreachable');
}
