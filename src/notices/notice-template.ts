import fs from 'node:fs';

/** A message template: `Subject: …` on its first line, then the body; `{{name}}` placeholders in both. */
export interface NoticeTemplate {
  subject: string;
  body: string;
}

export const NOTICE_PLACEHOLDERS = ['user', 'when', 'changes', 'temporary', 'contact', 'runId'] as const;
export type NoticeValues = Record<(typeof NOTICE_PLACEHOLDERS)[number], string>;

export const DEFAULT_NOTICE_TEMPLATE = `Subject: Your Heap access changed
Hello,

Your access to Heap ({{user}}) changed on {{when}}:

{{changes}}

The change is effective now; you may need to refresh Heap in your browser.
{{temporary}}
Questions, or something you still need? Reply to this message or ask {{contact}}.

(heap-access-sync run {{runId}})
`;

/** Parses a template, naming the file and what is wrong (an unknown placeholder is a typo, not a blank). */
export function parseNoticeTemplate(text: string, file = 'the built-in template'): NoticeTemplate {
  const [first, ...rest] = text.replace(/\r\n/g, '\n').split('\n');
  const match = /^Subject:\s*(.+)$/i.exec(first ?? '');
  if (!match?.[1]) throw new Error(`${file}:1: the first line must be "Subject: <subject>"`);
  const body = rest.join('\n');
  const unknown = [...text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(NOTICE_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length) {
    throw new Error(
      `${file}: unknown placeholder(s) ${unknown.map((u) => `{{${u}}}`).join(', ')} (known: ${NOTICE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`,
    );
  }
  return { subject: match[1].trim(), body };
}

export function readNoticeTemplate(file: string | null): NoticeTemplate {
  if (file === null) return parseNoticeTemplate(DEFAULT_NOTICE_TEMPLATE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `notifications.email.template: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        cause: err,
      },
    );
  }
  return parseNoticeTemplate(text, file);
}

export function renderTemplate(t: NoticeTemplate, values: NoticeValues): { subject: string; text: string } {
  const fill = (s: string) =>
    s.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, name: string) => values[name as keyof NoticeValues] ?? '');
  return { subject: fill(t.subject), text: fill(t.body).replace(/\n{3,}/g, '\n\n') };
}
