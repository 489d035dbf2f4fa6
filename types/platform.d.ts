// What background.js imports as ./platform.js: the build copies
// extension/platform/chrome.js or extension/platform/firefox.js there, and
// each of them declares its `platform` with this type, so tsc checks both.
/**
 * A webRequest event as both browsers send it: Firefox names the sending
 * document (`originUrl`, `documentUrl`), Chrome reports its lifecycle.
 */
export type RequestDetails = chrome.webRequest.OnBeforeRequestDetails & { originUrl?: string; documentUrl?: string };

export interface Platform {
  readonly name: 'chrome' | 'firefox';
  init(): void;
  /** The origin of the document that made a webRequest request, or null. */
  initiator(details: RequestDetails): string | null;
  setBadge(tabId: number, text: string): Promise<void>;
  /** Whether a webRequest event comes from a document that is being unloaded. */
  leavingDocument(details: RequestDetails): boolean;
  /** Whether a runtime message comes from a document that is being unloaded. */
  senderLeaving(sender: chrome.runtime.MessageSender): boolean;
}

export const platform: Platform;
