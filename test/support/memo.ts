/**
 * One run shared by several tests: an async function memoised by its arguments, so the tests that
 * read one comparison (or one skopeo answer) pay for it once. A failure is shared too: every test
 * that reads a failed run fails.
 */
export function memoize<A extends unknown[], T>(fn: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  const runs = new Map<string, Promise<T>>();
  return (...args: A) => {
    const key = JSON.stringify(args);
    let run = runs.get(key);
    if (!run) {
      run = fn(...args);
      runs.set(key, run);
    }
    return run;
  };
}
