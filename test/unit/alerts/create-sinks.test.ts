import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAlertSinks } from '../../../src/alerts/create-sinks.js';
import { ConfigError } from '../../../src/domain/errors.js';

const logger = pino({ level: 'silent' });

describe('createAlertSinks', () => {
  it('builds one sink per config entry, with unique names', () => {
    const sinks = createAlertSinks(
      [
        { type: 'webhook', url: 'https://hooks.example.com/a', secretEnv: 'ALERT_SECRET' },
        { type: 'webhook', url: 'https://hooks.example.com/b' },
        { type: 'slack', urlEnv: 'SLACK_WEBHOOK_URL' },
        { type: 'log' },
      ],
      { env: { ALERT_SECRET: 's3cret', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X' }, logger },
    );
    expect(sinks.map((s) => s.name)).toEqual(['webhook', 'webhook-2', 'slack', 'log']);
  });

  it('reports every missing or bad secret at once', () => {
    const build = () =>
      createAlertSinks(
        [
          { type: 'webhook', url: 'https://hooks.example.com/a', secretEnv: 'ALERT_SECRET' },
          { type: 'slack', urlEnv: 'SLACK_WEBHOOK_URL' },
          { type: 'slack', urlEnv: 'OTHER_SLACK' },
        ],
        { env: { OTHER_SLACK: 'not a url' }, logger },
      );
    expect(build).toThrow(ConfigError);
    expect(() => build()).toThrow(
      expect.objectContaining({
        problems: [
          'alerts[0]: environment variable ALERT_SECRET is not set',
          'alerts[1]: environment variable SLACK_WEBHOOK_URL is not set',
          'alerts[2]: OTHER_SLACK is not a URL',
        ],
      }),
    );
  });

  it('never puts a secret in an error', () => {
    const err: unknown = (() => {
      try {
        createAlertSinks([{ type: 'slack', urlEnv: 'SLACK' }], { env: { SLACK: 'hunter2 not-a-url' }, logger });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('hunter2');
  });
});
