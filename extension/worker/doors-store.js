// @ts-check
// Store builds: no test doors. The build copies this file to worker/doors.js
// in dist/chrome and dist/firefox; test and demo control messages are then
// answered as unknown.
/** @type {import('../../types/worker/doors').Doors | null} */
export const doors = null;
