// @ts-check
// Reads that wait for their turn between two writes of a tab's journal
// (journal-store.js's `holdingWrites`). The tab's writer hands over between
// two batches, not once everything queued is written (under a steady stream
// that never comes); what is appended meanwhile waits to be written after.

/** @typedef {{ start: () => void, over: Promise<unknown> }} Hold */

export function createHolds() {
  /** @type {Map<number, Hold[]>} */
  const holds = new Map();
  return {
    /**
     * Runs `read` once the writer of `tab` hands over; `wake` gets a writer
     * going (it hands over at once when it has nothing to write).
     * @template T
     * @param {number} tab
     * @param {() => Promise<T>} read
     * @param {() => void} wake
     * @returns {Promise<T>}
     */
    async during(tab, read, wake) {
      /** @type {() => void} */
      let done = () => {};
      const over = new Promise((resolve) => { done = () => resolve(undefined); });
      const turn = new Promise((resolve) => {
        let list = holds.get(tab);
        if (!list) holds.set(tab, (list = []));
        list.push({ start: () => resolve(undefined), over });
      });
      wake();
      await turn;
      try {
        return await read();
      } finally {
        done();
      }
    },
    /** The writer's side, between two batches: each read waiting runs, in turn. @param {number} tab */
    async handOver(tab) {
      for (let h = holds.get(tab)?.shift(); h; h = holds.get(tab)?.shift()) {
        h.start();
        await h.over;
      }
      holds.delete(tab);
    },
    /** @param {number} tab */
    waiting: (tab) => (holds.get(tab)?.length ?? 0) > 0,
  };
}
