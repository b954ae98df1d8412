import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('gives an offer 14 days unless OFFER_REPLY_DAYS says otherwise (an empty value means unset)', () => {
    expect(loadConfig({}).offerReplyDays).toBe(14);
    expect(loadConfig({ OFFER_REPLY_DAYS: '' }).offerReplyDays).toBe(14);
    expect(loadConfig({ OFFER_REPLY_DAYS: '21' }).offerReplyDays).toBe(21);
  });

  it('refuses a reply period that is not a whole number of days from 1 to 365', () => {
    for (const bad of ['0', '-3', '1.5', 'two weeks', '366'])
      expect(() => loadConfig({ OFFER_REPLY_DAYS: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ OFFER_REPLY_DAYS: 'x' })).toThrow(/OFFER_REPLY_DAYS/);
    expect(() => loadConfig({ OFFER_REPLY_DAYS: '0' })).toThrow(/whole number of days from 1 to 365/);
  });
});
