/** What a promise rejected with (a QrwError's code, message and details, usually); fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; message?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}
