import type { OutgoingEmail } from './outbox.ts';

/**
 * The one template for the network's emails, so every message is laid out, greeted and signed the
 * same way: "Dear <name>," then the paragraphs, each link on a line of its own (mail clients make
 * it clickable and it survives plain-text wrapping), then the sign-off.
 */
export type Letter = {
  to: string;
  /** The person's name for the greeting; omitted, the letter opens "Hello,". */
  name?: string | null;
  subject: string;
  kind: string;
  /** Paragraphs in order; a `{ link, text }` puts the text, then the address on its own line. */
  body: Array<string | { text: string; link: string } | null | undefined | false>;
};

export const SIGN_OFF = 'Clinical Leaders Network';

/** Lays out an email's plain text from its greeting, paragraphs and links. */
export function letterText(letter: Pick<Letter, 'name' | 'body'>): string {
  const greeting = letter.name ? `Dear ${letter.name},` : 'Hello,';
  const paragraphs = letter.body
    .filter((p): p is string | { text: string; link: string } => !!p)
    .map((p) => (typeof p === 'string' ? p : `${p.text}\n${p.link}`));
  return [greeting, ...paragraphs, SIGN_OFF].join('\n\n');
}

/** The outbox message for a letter: pass it to `enqueueEmail` in the transaction that makes the change. */
export function letter(l: Letter): OutgoingEmail {
  return { to: l.to, subject: l.subject, kind: l.kind, text: letterText(l) };
}
