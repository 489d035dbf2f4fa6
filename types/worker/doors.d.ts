// What extension/worker/doors.js exports: the build copies
// extension/worker/doors-test.js there in test builds and
// extension/worker/doors-store.js (no doors) in store builds.
export interface Doors {
  /**
   * The answer to a test or demo control message, or null when `msg` is not
   * one (the worker then handles it as usual). `control` answers a bridged
   * message as if an extension page had sent it.
   */
  answer(
    msg: any,
    sender: chrome.runtime.MessageSender,
    control: (msg: any) => Promise<object>,
  ): Promise<object> | null;
}

export const doors: Doors | null;
