import { addToSubject, type DataRightsContributor } from '../../platform/data-rights.ts';
import * as repo from './knowledge.data-rights.repository.ts';

/**
 * The library: the items the person owns (with their structured fields), the items they are the
 * contact for, their discussion posts and reports, the adoptions they recorded, the items they
 * follow and the files they uploaded. Erasure deletes their own items (the words are theirs),
 * empties their posts on other people's items, and leaves no name on what they did as staff.
 */
export const knowledgeDataRights: DataRightsContributor = {
  module: 'knowledge',
  title: 'Knowledge library',
  personalColumns: {
    knowledge_items: [
      'title',
      'summary',
      'body',
      'resource_url',
      'problem',
      'baseline',
      'aim',
      'results',
      'cost',
      'search_vector',
    ],
    knowledge_item_versions: ['snapshot', 'note'],
    knowledge_pdsa_cycles: ['plan', 'prediction', 'happened'],
    knowledge_adoptions: ['notes'],
    knowledge_measures: ['name', 'unit', 'description'],
    knowledge_measure_values: ['note'],
    knowledge_files: ['filename'],
    knowledge_posts: ['body', 'hidden_reason', 'search_vector'],
    knowledge_post_reports: ['reason'],
    knowledge_words: ['word', 'lexeme'],
  },
  async describe(db, subject) {
    const [items, posts] = await Promise.all([
      repo.listItemsOwnedBy(db, subject.userId),
      repo.listPostsBy(db, subject.userId),
    ]);
    addToSubject(subject, {
      entities: [
        ...items.map((i) => ({ type: 'knowledge_item', id: String(i.id) })),
        ...posts.map((p) => ({ type: 'knowledge_post', id: String(p.id) })),
      ],
    });
  },
  async exportFor(db, subject) {
    const me = subject.userId;
    const [items, contactFor, posts, reports, adoptions, follows, files] = await Promise.all([
      repo.listItemsOwnedBy(db, me),
      repo.listItemsWithContact(db, me),
      repo.listPostsBy(db, me),
      repo.listReportsBy(db, me),
      repo.listAdoptionsRecordedBy(db, me),
      repo.listFollowsOf(db, me),
      repo.listFilesUploadedBy(db, me),
    ]);
    return [
      {
        key: 'knowledgeItems',
        title: 'Your items in the library',
        records: items.map((i) => ({
          itemId: i.id,
          kind: i.kind,
          status: i.status,
          visibility: i.visibility,
          title: i.title,
          summary: i.summary,
          body: i.body,
          link: i.resource_url,
          problem: i.problem,
          baseline: i.baseline,
          aim: i.aim,
          results: i.results,
          cost: i.cost,
          reviewedOn: i.reviewed_on,
          reviewBy: i.review_by,
          publishedAt: i.published_at,
          createdAt: i.created_at,
          updatedAt: i.updated_at,
        })),
      },
      {
        key: 'knowledgeContactFor',
        title: 'Items that name you as their contact',
        records: contactFor.map((i) => ({ itemId: i.id, title: i.title, status: i.status })),
      },
      {
        key: 'knowledgePosts',
        title: 'Your posts in library discussions',
        records: posts.map((p) => ({
          postId: p.id,
          item: p.item_title,
          kind: p.kind,
          body: p.body,
          status: p.status,
          postedAt: p.created_at,
          editedAt: p.edited_at,
        })),
      },
      {
        key: 'knowledgeReports',
        title: 'Posts you reported to moderators',
        records: reports.map((r) => ({
          postId: r.post_id,
          reason: r.reason,
          reportedAt: r.created_at,
          resolvedAt: r.resolved_at,
          resolution: r.resolution,
        })),
      },
      {
        key: 'knowledgeAdoptions',
        title: 'Adoptions you recorded',
        records: adoptions.map((a) => ({
          item: a.item_title,
          organisation: a.organisation,
          status: a.status,
          adoptedOn: a.adopted_on,
          notes: a.notes,
          recordedAt: a.created_at,
        })),
      },
      {
        key: 'knowledgeFollows',
        title: 'Items you follow',
        records: follows.map((f) => ({ itemId: f.item_id, title: f.title, since: f.created_at })),
      },
      {
        key: 'knowledgeFiles',
        title: 'Files you uploaded',
        records: files.map((f) => ({
          item: f.item_title,
          filename: f.filename,
          type: f.media_type,
          bytes: f.size_bytes,
          uploadedAt: f.uploaded_at,
        })),
      },
    ];
  },
  async erase(trx, subject, after) {
    // The blobs of the files on their own items go from the file store once the erasure commits.
    const files = await repo.erase(trx, subject.userId, subject.names);
    after?.storedFiles.push(...files.map((f) => ({ storage: f.storage, key: f.storage_key })));
  },
};
