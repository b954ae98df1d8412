export {
  contentTokens,
  type EngineProgress,
  type SuggestedTheme,
  type SuggestionAnswer,
  suggestThemes,
  type SuggestThemesInput,
  type SuggestThemesResult,
  words,
} from './suggest-themes.ts';
