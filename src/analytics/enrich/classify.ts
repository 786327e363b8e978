import { isbot } from 'isbot';
import { BoundedCache } from '../../shared/bounded-cache.js';

/**
 * What kind of request a scan event came from. Only 'human' counts as a person; every other
 * class is reported as bot traffic (issue 5 §4: human + bot = total).
 * - 'head': a HEAD request (link checkers, mail scanners) never shows a page to anyone.
 * - 'prefetch': a browser fetched speculatively (Sec-Purpose/Purpose/X-Purpose/X-Moz).
 * - 'unfurler': a chat, social or mail app fetched the link to build a preview or scan it.
 * - 'bot': a crawler, monitor, script or anything that does not look like a browser.
 */
export type TrafficClass = 'human' | 'bot' | 'unfurler' | 'prefetch' | 'head';

/** The part of the classification that depends on the user agent alone (and is memoised). */
export type AgentClass = 'human' | 'bot' | 'unfurler';

export interface RequestSignals {
  userAgent: string | undefined;
  method: string;
  secPurpose?: string;
  purpose?: string;
  xPurpose?: string;
  xMoz?: string;
}

export const isBotClass = (trafficClass: TrafficClass): boolean => trafficClass !== 'human';

/**
 * Previewers and link scanners: they fetch because a link was pasted, sent or received, not
 * because someone opened it. Tokens are chosen so the same apps' in-app browsers (which are
 * people: "[FBAN/", "[Pinterest/", "KAKAOTALK", "Twitter for iPhone", "Telegram-Android")
 * do not match; WhatsApp and Viber are matched only at the start because their previewers send
 * a bare "WhatsApp/2…" (Signal sends "WhatsApp" too) while browser UAs start with "Mozilla/".
 */
const UNFURLER_PATTERN = new RegExp(
  [
    'facebookexternalhit',
    'facebookcatalog',
    '\\bfacebot\\b',
    'meta-externalfetcher',
    'twitterbot',
    'slackbot',
    'slack-imgproxy',
    '^whatsapp\\b',
    'telegrambot',
    'discordbot',
    'linkedinbot',
    'skypeuripreview',
    'microsoftpreview',
    'bingpreview',
    // Office apps and Outlook probe a link before handing it to the browser.
    '^microsoft office',
    '\\bms-office\\b',
    '\\bmsoffice\\b',
    'google-pagerenderer',
    'googleimageproxy',
    'embedly',
    'iframely',
    'redditbot',
    '^pinterest/',
    'pinterestbot',
    'snap url preview',
    'vkshare',
    'kakaotalk-scrap',
    'line-poker',
    'cardyb',
    '\\bmastodon/',
    '^synapse\\b',
    'mattermost-bot',
    '^viber\\b',
    'xing-contenttabreceiver',
    '^tumblr/',
    'yahoomailproxy',
    'nuzzel',
    // Mail security gateways that click every link; most disguise themselves as browsers and
    // can only be recognised by IP range, which is out of scope here.
    'barracuda',
    'proofpoint',
    'mimecast',
  ].join('|'),
  'i',
);

/**
 * HTTP libraries, command-line tools and automation that the maintained isbot list lets through
 * (it focuses on crawlers) or that we want to be sure of regardless of its updates.
 */
const TOOL_PATTERN = new RegExp(
  [
    '^(?:curl|wget2?|aria2|httpie|insomnia|postmanruntime|scrapy|reqwest|faraday|rest-client)\\b',
    '^python\\b',
    '^python-(?:requests|urllib|httpx)\\b',
    '\\baiohttp\\b',
    '^go-http-client\\b',
    '^okhttp\\b',
    '^axios\\b',
    '^node-fetch\\b',
    '^(?:node|undici|got)\\b',
    '^java\\b',
    '^java-http-client\\b',
    '^apache-httpclient\\b',
    '^(?:jakarta )?commons-httpclient\\b',
    '\\blibwww-perl\\b',
    '^lwp::',
    '^guzzlehttp\\b',
    '^(?:php|ruby)\\b',
    '^dart/',
    // Android and iOS native HTTP stacks: an app fetching the link itself, not a browser.
    '^dalvik/',
    '\\bcfnetwork/',
    '\\bpowershell/',
    'headlesschrome',
    'phantomjs',
    'gtmetrix',
  ].join('|'),
  'i',
);

/** Every browser sends platform and engine tokens; none of the real ones is this short. */
const MIN_BROWSER_UA_LENGTH = 40;
/** No browser sends a user agent this long. */
const MAX_BROWSER_UA_LENGTH = 1024;
const CACHE_ENTRIES = 10_000;

const agentClassCache = new BoundedCache<string, AgentClass>(CACHE_ENTRIES);

/** Classifies a user agent string alone: memoised per distinct string in a bounded cache. */
export function classifyUserAgent(userAgent: string | undefined): AgentClass {
  const ua = userAgent?.trim() ?? '';
  // Outside browser lengths it is a bot either way; only the previewer check still applies
  // ("WhatsApp/2" is short). Such strings skip the cache so they cannot crowd browsers out.
  if (ua.length < MIN_BROWSER_UA_LENGTH || ua.length > MAX_BROWSER_UA_LENGTH) {
    return UNFURLER_PATTERN.test(ua.slice(0, MAX_BROWSER_UA_LENGTH)) ? 'unfurler' : 'bot';
  }
  return agentClassCache.getOrCompute(ua, classifyUncached);
}

function classifyUncached(ua: string): AgentClass {
  if (UNFURLER_PATTERN.test(ua)) return 'unfurler';
  if (TOOL_PATTERN.test(ua) || isbot(ua)) return 'bot';
  return 'human';
}

/**
 * Values that mark a speculative fetch. The four headers are checked with the same tokens, so
 * a caller that only keeps one field may fold X-Purpose and X-Moz into `purpose`.
 */
const SPECULATIVE_TOKENS = new Set(['prefetch', 'preview', 'prerender']);

function isSpeculative(headerValue: string | undefined): boolean {
  if (!headerValue) return false;
  // Sec-Purpose is a structured list ("prefetch;prerender"); the first token names the purpose.
  const firstToken = headerValue.split(/[;,]/, 1)[0]?.trim().toLowerCase() ?? '';
  return SPECULATIVE_TOKENS.has(firstToken);
}

/** The part of the classification that headers alone decide, or null when they do not. */
export function classifyByMethodAndPurpose(
  signals: Omit<RequestSignals, 'userAgent'>,
): 'head' | 'prefetch' | null {
  if (signals.method === 'HEAD') return 'head';
  if (
    isSpeculative(signals.secPurpose) ||
    isSpeculative(signals.purpose) ||
    isSpeculative(signals.xPurpose) ||
    isSpeculative(signals.xMoz)
  ) {
    return 'prefetch';
  }
  return null;
}

export function classifyRequest(signals: RequestSignals): TrafficClass {
  return classifyByMethodAndPurpose(signals) ?? classifyUserAgent(signals.userAgent);
}
