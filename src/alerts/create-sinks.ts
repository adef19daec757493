import type { Logger } from 'pino';
import type { AlertConfig } from '../config/schema.js';
import { ConfigError } from '../domain/errors.js';
import type { AlertSink } from '../ports/alert-sink.js';
import { createLogSink } from './log-sink.js';
import { createSlackSink } from './slack-sink.js';
import { createWebhookSink } from './webhook-sink.js';

/**
 * Builds the sinks of the `alerts:` config. Secrets come from the environment variables the config names; a
 * named variable that is unset is a configuration problem, reported with the others, never a silent unsigned sink.
 */
export function createAlertSinks(
  configs: readonly AlertConfig[],
  context: { env: Record<string, string | undefined>; logger: Logger },
): AlertSink[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const uniqueName = (type: string): string => {
    const n = (seen.get(type) ?? 0) + 1;
    seen.set(type, n);
    return n === 1 ? type : `${type}-${n}`;
  };
  const sinks = configs.flatMap((config, i): AlertSink[] => {
    const name = uniqueName(config.type);
    const readEnv = (variable: string): string | undefined => {
      const value = context.env[variable];
      if (!value) problems.push(`alerts[${i}]: environment variable ${variable} is not set`);
      return value || undefined;
    };
    switch (config.type) {
      case 'webhook': {
        const secret = config.secretEnv ? readEnv(config.secretEnv) : undefined;
        return [createWebhookSink({ url: config.url, secret, name })];
      }
      case 'slack': {
        const url = readEnv(config.urlEnv);
        if (url && !URL.canParse(url)) problems.push(`alerts[${i}]: ${config.urlEnv} is not a URL`);
        return url ? [createSlackSink({ url, name })] : [];
      }
      case 'log':
        return [createLogSink(context.logger, name)];
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return sinks;
}
