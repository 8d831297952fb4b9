import { escapeHtml, showControls } from '../escape.js';

/**
 * HTML built with the `html` tag is escaped by default: an interpolated string is always text,
 * and only another `html` fragment passes through as markup. Forgetting to escape is then
 * impossible rather than a review item. Control characters (a journal line may hold any byte)
 * are shown as `\xNN` on the way, as in the Markdown and JUnit files: raw, they are invisible
 * in a browser and break the file for XML tools.
 */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(showControls(String(value)));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + (strings[i + 1] ?? '');
  }
  return new SafeHtml(out);
}

/** Markup that the report itself produced (CSS, scripts), never text from results. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
