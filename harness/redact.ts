/**
 * Secrets never reach a run directory, a log or a report: command lines and URLs are redacted
 * before they are recorded. A flag whose name says token, password or secret has its value
 * replaced; a URL's password (`scheme://user:password@host`) is replaced wherever it appears.
 */
const SECRET_FLAG = /^--?[\w-]*(token|password|passwd|secret|api-key|apikey)[\w-]*$/i;
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;
export const REDACTED = '[redacted]';

/** A URL (or any text) with every `user:password@` password replaced. */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}$3`);
}

/** Command-line arguments as they may be recorded. */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    if (a.startsWith('-') && eq > 0 && SECRET_FLAG.test(a.slice(0, eq))) {
      out.push(`${a.slice(0, eq)}=${REDACTED}`);
      continue;
    }
    out.push(redactText(a));
    if (SECRET_FLAG.test(a) && i + 1 < args.length) {
      out.push(REDACTED);
      i++;
    }
  }
  return out;
}
