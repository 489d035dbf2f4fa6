// @ts-check
// The review fields of each tab (what the user typed in the panel), kept in
// memory after the first read: the badge asks for them each time.
import { forgetTab, readReview as readStoredReview, writeReview } from '../storage.js';

/** @type {Map<number, object>} */
const reviews = new Map();
// Bumped when a tab's review is set or cleared: a read begun before is not cached.
let epoch = 0;

/** @param {number} tab */
export async function readReview(tab) {
  const known = reviews.get(tab);
  if (known) return known;
  const began = epoch;
  const review = (await readStoredReview(tab)) || {};
  if (began !== epoch) return reviews.get(tab) || review;
  reviews.set(tab, review);
  return review;
}

/**
 * @param {number} tab
 * @param {object} review
 */
export async function setReview(tab, review) {
  epoch += 1;
  await writeReview(tab, review);
  reviews.set(tab, review);
}

/** The tab's review and top page leave storage. @param {number} tab */
export async function forgetReview(tab) {
  epoch += 1;
  reviews.delete(tab);
  await forgetTab(tab);
}
