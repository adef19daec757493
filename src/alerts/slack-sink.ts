import type { AlertSink } from '../ports/alert-sink.js';
import { postJson } from './post-json.js';
import { formatSlackMessage } from './slack-format.js';
import { USER_AGENT } from './webhook-sink.js';

export interface SlackSinkOptions {
  /** the incoming-webhook URL; it is a credential, so it is never logged */
  url: string;
  timeoutMs?: number;
  name?: string;
}

/** A Slack (or Slack-compatible: Mattermost, Rocket.Chat) incoming webhook. Non-2xx or network error throws. */
export function createSlackSink(options: SlackSinkOptions): AlertSink {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const name = options.name ?? 'slack';
  return {
    name,
    async send(alert, sendOptions) {
      const body = JSON.stringify(formatSlackMessage(alert));
      await postJson({
        vendor: name,
        url: options.url,
        body,
        headers: { 'user-agent': USER_AGENT },
        timeoutMs,
        signal: sendOptions?.signal,
      });
    },
  };
}
