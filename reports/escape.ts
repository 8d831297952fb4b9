/**
 * Escaping for every output format. Every string in a report comes from `results.json`, whose
 * text can carry tape headers and journal lines from the outside world, so nothing is written
 * unescaped.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in element text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Control characters (a journal line is latin1 and may hold any byte) shown as `\xNN`, so a
 * reader sees them and XML stays well formed (XML 1.0 forbids most C0 characters outright).
 */
export function showControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff
      ? `\\u${code.toString(16).padStart(4, '0')}`
      : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** Element text and attribute values in XML 1.0 (JUnit). */
export function escapeXml(text: string): string {
  return escapeHtml(showControls(text)).replace(/\r/g, '&#13;');
}

/**
 * One cell of a Markdown table (or inline text): no line breaks, no table pipes, and no
 * character that Markdown or the HTML it may embed would interpret.
 */
export function escapeMarkdown(text: string): string {
  return showControls(text)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]{}<>|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

/** A JSON text safe inside `<script type="application/json">`: no `</script>` or `<!--` can form. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
