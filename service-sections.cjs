// The files a module's service is split into (<m>.<section>.ts, composed by <m>.service.ts). They are
// the service, so like it they build no SQL: ESLint (eslint.config.js) and dependency-cruiser
// (.dependency-cruiser.cjs) both read this list. Add a section here when you split one out.
module.exports = {
  recruitment: ['applications', 'decisions', 'endorsement', 'intakes', 'joining', 'places', 'quota'],
  development: [
    'shared',
    'versions',
    'frameworks',
    'self-assessment',
    'feedback',
    'feedback-report',
    'feedback-reminders',
    'plans',
    'profiles',
  ],
  members: [
    'shared',
    'profile',
    'profile-creation',
    'projects-photos',
    'directory',
    'reference-lists',
    'organisations',
    'erasure-requests',
  ],
  'learning-sets': [
    'shared',
    'access',
    'facilitators',
    'formation-plan',
    'formation',
    'formation-jobs',
    'drafts',
    'draft-edits',
    'sets',
    'sessions',
    'returns',
    'calendar-feeds',
  ],
  // One line a part, so parts built side by side merge cleanly: calls and responses; questions,
  // safety and staff; analysis; outcomes, ledger and exports.
  policy: [
    'access',
    // calls and responses
    'calls',
    'responses',
    'participation',
    'notices',
    // questions, the patient-safety fast lane and policy staff
    'staff',
    'questions',
    'safety',
    // analysis: themes, assignments and suggested themes
    'analysis',
    'suggestions',
    // outcomes, the ledger, closing the loop, exports and the dashboard figures
    'outcomes',
    'contributions',
    'ledger',
    'exports',
    'dashboard',
  ],
  // One line a part, so parts built side by side merge cleanly: each part adds its sections below
  // its own comment (items, case studies and versions; adoptions, spread and digests; discussion
  // and moderation; search and synonyms; files and share links; freshness).
  knowledge: [
    'access',
    // items
    // adoptions
    'measures',
    'adoptions',
    'organisations',
    'digests',
    'freshness',
    // discussion
    'discussion',
    'follows',
    'moderation',
    // search
    'synonyms',
    // files
  ],
  events: ['access'],
};
