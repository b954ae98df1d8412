import { z } from 'zod';

export const POST_BODY_MAX = 10_000;
export const REASON_MAX = 1_000;
export const MENTIONS_MAX = 10;

const body = z
  .string({ error: 'Enter your post' })
  .trim()
  .min(1, 'Enter your post')
  .max(POST_BODY_MAX, `Your post must be ${POST_BODY_MAX.toLocaleString('en-GB')} characters or fewer`);

/**
 * People to mention, by the email address they use in the network: the form's "Mention people"
 * box takes one a line (or separated by commas), the API a list. An email address names one person
 * without ambiguity and needs no JavaScript to pick.
 */
const mentions = z.preprocess(
  (v) => {
    if (v === undefined || v === null) return [];
    if (typeof v === 'string')
      return v
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    return v;
  },
  z
    .array(
      z
        .string({ error: 'Enter each person’s email address' })
        .trim()
        .toLowerCase()
        .max(254, 'Each email address must be 254 characters or fewer')
        .pipe(z.email({ error: 'Enter each person as an email address, like name@nhs.net' })),
      { error: 'Enter the email addresses of the people to mention' },
    )
    .max(MENTIONS_MAX, `Mention up to ${MENTIONS_MAX} people in a post`)
    .transform((list) => [...new Set(list)]),
);

export const newPostInput = z.strictObject({
  kind: z.enum(['comment', 'question'], { error: 'Choose a comment or a question' }).default('comment'),
  body,
  mentions: mentions.default([]),
});
export type NewPostInput = z.output<typeof newPostInput>;

export const replyInput = z.strictObject({ body, mentions: mentions.default([]) });
export type ReplyInput = z.output<typeof replyInput>;

export const editPostInput = z.strictObject({ body, mentions: mentions.default([]) });
export type EditPostInput = z.output<typeof editPostInput>;

const reason = (what: string) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(REASON_MAX, `The reason must be ${REASON_MAX.toLocaleString('en-GB')} characters or fewer`);

export const reportInput = z.strictObject({ reason: reason('why you are reporting this post') });
export type ReportInput = z.output<typeof reportInput>;

export const hideInput = z.strictObject({ reason: reason('why you are hiding this post') });
export type HideInput = z.output<typeof hideInput>;

export const acceptInput = z.strictObject({
  replyId: z.coerce
    .number({ error: 'Choose a reply to accept' })
    .int('Choose a reply to accept')
    .positive('Choose a reply to accept')
    .max(2_147_483_647, 'Choose a reply to accept'),
});
export type AcceptInput = z.output<typeof acceptInput>;

export const emptyInput = z.strictObject({});

export const discussionQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

const replyOut = z.object({
  id: z.number().int(),
  kind: z.enum(['comment', 'question', 'reply']),
  parentId: z.number().int().nullable(),
  author: z.string(),
  authorUserId: z.number().int().nullable(),
  createdAt: z.date(),
  editedAt: z.date().nullable(),
  hidden: z.boolean(),
  hiddenReason: z.string().nullable(),
  /** Null when the post is hidden from the reader. */
  body: z.string().nullable(),
  accepted: z.boolean(),
  mentions: z.array(z.object({ userId: z.number().int(), name: z.string() })),
  mine: z.boolean(),
  canEdit: z.boolean(),
  canReport: z.boolean(),
  canModerate: z.boolean(),
});
export const postOut = replyOut.extend({
  itemId: z.number().int(),
  acceptedReplyId: z.number().int().nullable(),
  canAccept: z.boolean(),
  replies: z.array(replyOut),
});
export const discussionOut = z.object({
  item: z.object({ id: z.number().int(), title: z.string() }),
  following: z.boolean(),
  canPost: z.boolean(),
  canModerate: z.boolean(),
  posts: z.array(postOut),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export const followOut = z.object({ itemId: z.number().int(), following: z.boolean() });
export const reportOut = z.object({ id: z.number().int(), postId: z.number().int() });

export const queueOut = z.object({
  entries: z.array(
    z.object({
      postId: z.number().int(),
      itemId: z.number().int(),
      itemTitle: z.string(),
      regionCode: z.string().nullable(),
      author: z.string(),
      excerpt: z.string(),
      hidden: z.boolean(),
      hiddenReason: z.string().nullable(),
      openReports: z.number().int(),
      reasons: z.array(z.string()),
      createdAt: z.date(),
    }),
  ),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
