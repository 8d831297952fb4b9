/** True when `err` is a Node system error with this code (`ENOENT`, `EEXIST`…). */
export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}
